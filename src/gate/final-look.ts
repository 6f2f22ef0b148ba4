import betainc from '@stdlib/math-base-special-betainc';

/**
 * The share of alpha kept for the exact tests at the end of the window.
 *
 * The e-process is valid at every poll, and pays for it: at the window end it
 * needs about 3 standard errors where a single test needs 2. A slow burn (a
 * release that turns bad half-way) shows most clearly exactly then, and most
 * clearly in the window's second half, where it is not diluted by the healthy
 * first half. So the last poll runs two exact binomial tests, each at half of
 * this share: one on the counts since the deploy, one on the second half
 * alone. All together still falsely fail a release within its limits with
 * probability at most alpha (union bound): the sequential part is
 * anytime-valid, and each final test is done once.
 *
 * Measured with `npm run bench` (10-minute window, 1-minute polls, 1,000
 * releases per cell), slow burns (0.5× then 4× from minute 5) caught at 100
 * sessions/min, 97% limit:
 *   share 0.5, since-deploy test only:            75%
 *   share 0.5, since-deploy + second half:        90%
 *   share 0.6 / 0.75, since-deploy + second half: 95% / 95%
 * With 0.75, 4× regressions at a 99.5% limit and 100 sessions/min were caught
 * 74% of the time (63% with 0.6), 20 sessions/min slow burns 45% (26%); false
 * fails of healthy releases stayed at most 0.3% (99.5% limit, 20 sessions/min)
 * and at exactly the limit at most 3.1%; the median time to fail a 4×
 * regression at 1,000 sessions/min stayed 2 minutes (97%) and 3 (99.5%).
 * Before the second-half test, a share of 0.75 on the since-deploy test
 * alone failed 3% of healthy releases at 20 sessions/min and a 99.5% limit:
 * with a few dozen users one exact test at alpha 0.0375 fails on 2 crashes.
 *
 * The price is time to fail where counts are low: the e-process needs E >= 80
 * where a test spending all of alpha sequentially needs 20. Against an SPRT
 * told the regression (bench/sprt.ts; 1,000 releases per cell), the gate's
 * mean time to fail is 1.30× / 1.37× / 1.42× at 97% 2× 100/min, 99.5% 2×
 * 1,000/min and 99.5% 4× 100/min, where its e-process alone at 1/alpha is
 * 1.06× / 1.15× / 1.11× (no prior tried, odds 1.5–3 × shape 1–8, brings the
 * first three under 1.3× at this share). A share of 0.5 brings them to
 * 1.23× / 1.26× / 1.22× but catches 63% of those 4× regressions instead of
 * 74% and 90% of 97% slow burns instead of 95%: the exact tests' critical
 * counts are few and discrete, and the level decides whether 5 or 6 crashes
 * fail. Catching more was kept over failing a minute sooner.
 */
export const FINAL_LOOK_SHARE = 0.75;

/** One-sided exact binomial p-value: P(X >= k) for X ~ Binomial(n, p0). */
export function binomialTailP(n: number, k: number, p0: number): number {
  if (k <= 0 || n <= 0) return 1;
  if (p0 <= 0) return 0;
  if (p0 >= 1) return 1;
  // P(X >= k) = I_{p0}(k, n - k + 1), the regularized incomplete beta.
  return betainc(p0, k, n - k + 1);
}
