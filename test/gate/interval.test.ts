import { describe, expect, it } from 'vitest';
import { eFail, ePass, logEFail, logEPass } from '../../src/gate/evalue';
import { confidenceInterval, lowerConfidenceBound, upperConfidenceBound } from '../../src/gate/interval';
import { binomial, mulberry32 } from '../../src/sim/simulate';

/** Wilson score interval, the usual fixed-n interval, for comparison. */
function wilson(n: number, k: number, z = 1.959964): [number, number] {
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [centre - half, centre + half];
}

describe('confidence sequence', () => {
  it('puts its ends where the e-processes reach 1/alpha', () => {
    for (const [n, k] of [
      [1000, 30],
      [100, 3],
      [1e7, 3e5],
      [50, 49],
    ] as const) {
      const lo = lowerConfidenceBound(n, k, 0.95);
      const hi = upperConfidenceBound(n, k, 0.95);
      expect(logEFail(n, k, lo)).toBeCloseTo(Math.log(20), 6);
      expect(logEPass(n, k, hi)).toBeCloseTo(Math.log(20), 6);
      expect(lo).toBeLessThan(k / n);
      expect(hi).toBeGreaterThan(k / n);
    }
  });

  it('agrees with the decision: p0 below the lower bound iff eFail >= 1/alpha', () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 150; i++) {
      const n = 1 + Math.floor(rng() * 5000);
      const k = binomial(rng, n, rng() * 0.1);
      const p0 = 0.001 + rng() * 0.08;
      // Skip the measure-zero ties at the boundary itself.
      const lo = lowerConfidenceBound(n, k, 0.95);
      const hi = upperConfidenceBound(n, k, 0.95);
      if (Math.abs(p0 - lo) > 1e-7) expect(eFail(n, k, p0) >= 20).toBe(p0 < lo);
      if (Math.abs(p0 - hi) > 1e-7) expect(ePass(n, k, p0) >= 20).toBe(p0 > hi);
    }
  });

  it('is wider than the fixed-n Wilson interval (the price of peeking) but not wildly', () => {
    // Hand-checked: 30 of 1000 gives Wilson [2.11%, 4.25%]; ours ≈ [1.58%, 5.12%] two-sided at 95%.
    const [lo, hi] = confidenceInterval(1000, 30, 0.95)!;
    const [wlo, whi] = wilson(1000, 30);
    expect(wlo).toBeCloseTo(0.0211, 4);
    expect(whi).toBeCloseTo(0.0425, 4);
    expect(lo).toBeLessThan(wlo);
    expect(hi).toBeGreaterThan(whi);
    expect(hi - lo).toBeLessThan(2.5 * (whi - wlo));
    // At n = 10^7 the interval is ~±0.03 points around 3%.
    const [blo, bhi] = confidenceInterval(1e7, 3e5, 0.95)!;
    expect(blo).toBeGreaterThan(0.0297);
    expect(bhi).toBeLessThan(0.0303);
  });

  it('handles the edges', () => {
    expect(confidenceInterval(0, 0, 0.95)).toBeNull();
    expect(confidenceInterval(10, 0, 0.95)![0]).toBe(0);
    expect(confidenceInterval(10, 10, 0.95)![1]).toBe(1);
    expect(confidenceInterval(1, 1, 0.95)).toEqual([0, 1]); // one unit proves nothing at 95%
    expect(() => confidenceInterval(10, 1, 1)).toThrow(RangeError);
  });

  it('covers the true rate at all 20 polls at once in >= 95% of 2,000 runs', () => {
    const rng = mulberry32(2024);
    const p = 0.03;
    const memo = new Map<number, [number, number]>();
    let missed = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      let k = 0;
      for (let t = 1; t <= 20; t++) {
        k += binomial(rng, 100, p);
        const key = t * 1e6 + k;
        let ci = memo.get(key);
        if (!ci) memo.set(key, (ci = confidenceInterval(100 * t, k, 0.95)!));
        if (p < ci[0] || p > ci[1]) {
          missed++;
          break;
        }
      }
    }
    expect(missed / runs).toBeLessThanOrEqual(0.05);
  });
});

describe('upperConfidenceBound (baseline)', () => {
  it('is 1 with no data and tightens with more data at the same rate', () => {
    expect(upperConfidenceBound(0, 0, 0.95)).toBe(1);
    const bounds = [100, 1000, 10_000, 100_000].map((n) => upperConfidenceBound(n, n * 0.01, 0.95));
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeLessThan(bounds[i - 1]!);
    expect(bounds[3]).toBeGreaterThan(0.01);
    expect(bounds[3]).toBeLessThan(0.0115); // fixed-n 95% would give 1.052%
  });

  it('bounds a clean release above the rule-of-three value (anytime costs a little)', () => {
    const ub = upperConfidenceBound(1000, 0, 0.95);
    expect(ub).toBeGreaterThan(3 / 1000);
    expect(ub).toBeLessThan(0.006);
  });

  it('widens with confidence', () => {
    expect(upperConfidenceBound(500, 10, 0.99)).toBeGreaterThan(upperConfidenceBound(500, 10, 0.95));
    expect(lowerConfidenceBound(500, 10, 0.99)).toBeLessThan(lowerConfidenceBound(500, 10, 0.95));
  });
});
