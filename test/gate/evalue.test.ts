import { describe, expect, it } from 'vitest';
import { betaPrior, eFail, ePass, E_MAX, FAIL_PRIOR, logEFail, PASS_PRIOR, type PriorShape } from '../../src/gate/evalue';

const UNIFORM: PriorShape = { oddsRatio: 1, shape: 1 }; // Beta(1, 1) at p0 = 0.5

/** Composite Simpson's rule; plenty accurate for these smooth, bounded integrands. */
function simpson(f: (x: number) => number, lo: number, hi: number, steps = 20_000): number {
  const h = (hi - lo) / steps;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < steps; i++) sum += f(lo + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

/** E by brute-force integration of L(p)/L(p0) against the truncated prior. */
function integrated(n: number, k: number, p0: number, side: 'fail' | 'pass', shape: PriorShape): number {
  const { a, b } = betaPrior(p0, shape);
  const logL = (p: number) => k * Math.log(p) + (n - k) * Math.log1p(-p);
  const prior = (p: number) => Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p));
  const [lo, hi] = side === 'fail' ? [p0, 1 - 1e-12] : [1e-12, p0];
  const num = simpson((p) => Math.exp(logL(p) - logL(p0)) * prior(p), lo, hi);
  return num / simpson(prior, lo, hi);
}

/** Binomial(n, p) probabilities by the pmf recurrence. */
function pmf(n: number, p: number): number[] {
  const out = [Math.pow(1 - p, n)];
  for (let k = 1; k <= n; k++) out.push(out[k - 1]! * ((n - k + 1) / k) * (p / (1 - p)));
  return out;
}

describe('eFail / ePass closed form', () => {
  it('matches hand-computed values under a uniform prior at p0 = 1/2', () => {
    // ∫_{1/2}^1 2p dp / (1/2) = 3/2; ∫ 4p² dp / (1/2) = 7/3; ∫ 2(1-p) dp / (1/2) = 1/2
    expect(eFail(1, 1, 0.5, UNIFORM)).toBeCloseTo(1.5, 12);
    expect(eFail(2, 2, 0.5, UNIFORM)).toBeCloseTo(7 / 3, 12);
    expect(eFail(1, 0, 0.5, UNIFORM)).toBeCloseTo(0.5, 12);
    expect(ePass(1, 0, 0.5, UNIFORM)).toBeCloseTo(1.5, 12);
    expect(ePass(1, 1, 0.5, UNIFORM)).toBeCloseTo(0.5, 12);
  });

  it.each([
    [10, 2, 0.03],
    [50, 0, 0.03],
    [200, 15, 0.03],
    [30, 3, 0.005],
    [400, 1, 0.005],
    [100, 60, 0.4],
  ])('agrees with numerical integration at n=%i, k=%i, p0=%f', (n, k, p0) => {
    expect(eFail(n, k, p0) / integrated(n, k, p0, 'fail', FAIL_PRIOR)).toBeCloseTo(1, 6);
    expect(ePass(n, k, p0) / integrated(n, k, p0, 'pass', PASS_PRIOR)).toBeCloseTo(1, 6);
  });

  it('has expectation exactly 1 at p = p0 and below 1 inside H0 (a fair bet)', () => {
    const n = 40;
    const p0 = 0.1;
    const expect1 = (p: number, e: (k: number) => number) => pmf(n, p).reduce((s, w, k) => s + w * e(k), 0);
    expect(expect1(p0, (k) => eFail(n, k, p0))).toBeCloseTo(1, 9);
    expect(expect1(p0, (k) => ePass(n, k, p0))).toBeCloseTo(1, 9);
    expect(expect1(0.05, (k) => eFail(n, k, p0))).toBeLessThan(0.5);
    expect(expect1(0.2, (k) => ePass(n, k, p0))).toBeLessThan(0.5);
  });

  it('grows with bad outcomes and shrinks with good ones', () => {
    expect(eFail(100, 10, 0.03)).toBeGreaterThan(eFail(100, 5, 0.03));
    expect(eFail(100, 5, 0.03)).toBeGreaterThan(eFail(100, 2, 0.03));
    expect(ePass(1000, 5, 0.03)).toBeGreaterThan(ePass(1000, 20, 0.03));
  });
});

describe('edge cases', () => {
  it('is 1 with no data', () => {
    expect(eFail(0, 0, 0.03)).toBe(1);
    expect(ePass(0, 0, 0.03)).toBe(1);
  });

  it('treats p0 = 0 and p0 = 1 as limits that one unit can settle', () => {
    expect(eFail(10, 1, 0)).toBe(E_MAX); // "no errors allowed" and one happened
    expect(eFail(10, 0, 0)).toBe(1);
    expect(eFail(10, 10, 1)).toBe(1); // "p <= 1" cannot be refuted
    expect(ePass(10, 0, 0)).toBe(1);
    expect(ePass(10, 9, 1)).toBe(E_MAX);
    expect(ePass(10, 10, 1)).toBe(1);
  });

  it('handles k = 0 and k = n', () => {
    expect(eFail(10, 10, 0.03)).toBeGreaterThan(1e6);
    // Evidence *for* H0 is bounded by the prior mass near p0, so these only get small, never tiny.
    expect(ePass(10, 10, 0.03)).toBeLessThan(0.05);
    expect(eFail(1000, 0, 0.03)).toBeLessThan(0.1);
    expect(ePass(1000, 0, 0.03)).toBeGreaterThan(1e6);
  });

  it('stays finite and ordered at n = 10^7', () => {
    const n = 1e7;
    expect(eFail(n, 0.1 * n, 0.03)).toBe(E_MAX);
    expect(eFail(n, 0.01 * n, 0.03)).toBe(0); // Q underflows: E is negligible, not NaN
    const justAbove = eFail(n, 0.0302 * n, 0.03);
    expect(Number.isFinite(justAbove)).toBe(true);
    expect(justAbove).toBeGreaterThan(eFail(n, 0.0301 * n, 0.03));
    expect(Number.isFinite(logEFail(n, 0.03 * n, 0.03))).toBe(true);
    expect(ePass(n, 0.01 * n, 0.03)).toBe(E_MAX);
  });

  it('rejects impossible counts', () => {
    expect(() => eFail(5, 6, 0.03)).toThrow(RangeError);
    expect(() => ePass(-1, 0, 0.03)).toThrow(RangeError);
  });
});
