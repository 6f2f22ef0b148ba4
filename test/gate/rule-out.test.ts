import { describe, expect, it } from 'vitest';
import { trialsToRuleOut } from '../../src/gate/interval';

/** Binomial(n, p) probabilities by the pmf recurrence, in logs so large n stays finite. */
function cdf(n: number, k: number, p: number): number {
  let logTerm = n * Math.log1p(-p);
  let sum = Math.exp(logTerm);
  for (let j = 1; j <= k; j++) {
    logTerm += Math.log((n - j + 1) / j) + Math.log(p) - Math.log1p(-p);
    sum += Math.exp(logTerm);
  }
  return sum;
}

/** The exact upper bound by brute force: bisect p until P(X <= k | p) = alpha, summing the pmf (no incomplete beta). */
function upperByHand(n: number, k: number, alpha: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(n, k, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('trialsToRuleOut (how much data a pass-margin needs)', () => {
  it('with no bad trials it is the rule of three, exactly: the first N with 1 - alpha^(1/N) below the target', () => {
    for (const [target, alpha] of [
      [0.01, 0.05],
      [0.06, 0.05],
      [0.002, 0.0125],
    ] as const) {
      expect(trialsToRuleOut(0, target, alpha)).toBe(Math.floor(Math.log(alpha) / Math.log1p(-target)) + 1);
    }
  });

  it.each([
    [6 / 180, 0.06, 0.05],
    [0.005, 0.01, 0.05],
    [0.015, 0.03, 0.0125],
    [0.04, 0.1, 0.025],
  ])('at rate %f, target %f, alpha %f: the bound summed by hand is below the target at N and not at N - 1', (rate, target, alpha) => {
    const n = trialsToRuleOut(rate, target, alpha)!;
    expect(n).toBeGreaterThan(1);
    const bound = (m: number) => upperByHand(m, Math.round(m * rate), alpha);
    expect(bound(n)).toBeLessThan(target);
    expect(bound(n - 1)).toBeGreaterThanOrEqual(target);
  });

  it('says nothing when no amount of data would rule the target out', () => {
    expect(trialsToRuleOut(0.02, 0.01, 0.05)).toBeUndefined();
    expect(trialsToRuleOut(0.01, 0.01, 0.05)).toBeUndefined();
    expect(trialsToRuleOut(0.0099999, 0.01, 0.05, 1e5)).toBeUndefined();
  });
});
