import betainc from '@stdlib/math-base-special-betainc';

/**
 * The share of alpha kept for one classical test at the end of the window.
 *
 * The e-process is valid at every poll, and pays for it: at the window end it
 * needs about 3 standard errors where a single test needs 2. A slow burn (a
 * release that turns bad half-way) shows most clearly exactly then, so one
 * exact binomial test at the last poll, at alpha/2, catches what the
 * sequential test at the other alpha/2 has not yet. The two together still
 * falsely fail a release within its limits with probability at most alpha
 * (union bound): the sequential part is anytime-valid, and the final test is
 * done once.
 *
 * Measured with `npm run bench` (10-minute window, 1-minute polls): at a 97%
 * limit, slow burns (0.5× then 4× from minute 5) at 100 sessions/min were
 * caught 49% of the time without the final test and 76% with it, still 100% at
 * 1,000/min; healthy releases still never failed, and at exactly the limit at
 * most 1.5% did. A larger share (0.75) failed 3% of healthy releases at 20
 * sessions/min and a 99.5% limit: with a few dozen users one exact test at
 * alpha 0.0375 fails on 2 crashes, which the e-process would never do.
 */
export const FINAL_LOOK_SHARE = 0.5;

/** One-sided exact binomial p-value: P(X >= k) for X ~ Binomial(n, p0). */
export function binomialTailP(n: number, k: number, p0: number): number {
  if (k <= 0 || n <= 0) return 1;
  if (p0 <= 0) return 0;
  if (p0 >= 1) return 1;
  // P(X >= k) = I_{p0}(k, n - k + 1), the regularized incomplete beta.
  return betainc(p0, k, n - k + 1);
}
