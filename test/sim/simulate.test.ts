import { describe, expect, it } from 'vitest';
import { binomial, mulberry32 } from '../../src/sim/simulate';

describe('mulberry32', () => {
  it('is reproducible and uniform-looking', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('binomial', () => {
  it('returns the certain outcomes', () => {
    const rng = mulberry32(1);
    expect(binomial(rng, 0, 0.5)).toBe(0);
    expect(binomial(rng, 100, 0)).toBe(0);
    expect(binomial(rng, 100, 1)).toBe(100);
  });

  it('matches the exact Binomial(10, 0.3) distribution', () => {
    const rng = mulberry32(3);
    const draws = 50_000;
    const counts = new Array<number>(11).fill(0);
    for (let i = 0; i < draws; i++) counts[binomial(rng, 10, 0.3)]! += 1;
    let pmf = Math.pow(0.7, 10);
    let chi2 = 0;
    for (let k = 0; k <= 10; k++) {
      if (k > 0) pmf *= ((10 - k + 1) / k) * (0.3 / 0.7);
      if (pmf * draws > 5) chi2 += (counts[k]! - pmf * draws) ** 2 / (pmf * draws);
    }
    expect(chi2).toBeLessThan(25); // 9 degrees of freedom: p < 0.003
  });

  it.each([
    [200, 0.03],
    [1e5, 0.005],
    [1e7, 0.03],
    [1e9, 0.5],
  ])('has the right mean and variance at n=%d, p=%d', (n, p) => {
    const rng = mulberry32(11);
    const m = 4000;
    const xs = Array.from({ length: m }, () => binomial(rng, n, p));
    const mean = xs.reduce((s, x) => s + x, 0) / m;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (m - 1);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((4 * sd) / Math.sqrt(m));
    expect(variance / (sd * sd)).toBeGreaterThan(0.9);
    expect(variance / (sd * sd)).toBeLessThan(1.1);
  });
});
