import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';

/*
 * Mixture likelihood-ratio e-processes for a binomial rate (Robbins 1970;
 * Howard, Ramdas et al. 2021). Under H0 each is a nonnegative supermartingale
 * with E[E] <= 1, so by Ville's inequality P(E ever reaches 1/alpha) <= alpha:
 * polling every minute, or every second, never inflates false fails.
 *
 * WHY THIS PRIOR. The prior only decides how fast evidence accrues against
 * which alternatives; validity holds for any prior. It is set relative to the
 * limit p0: a Beta whose mean has odds `oddsRatio` × odds(p0), first shape
 * `shape`, truncated to (p0, 1]. bench/prior-study.ts simulated
 * releases at 5/20/100/1000/5000 units per minute, polled every minute for
 * 10 minutes, failing at E >= 20 (confidence 0.95), for p0 = 0.03 and 0.005,
 * over a grid oddsRatio in {1.5, 2, 2.5, 3, 4, 6} × shape in {0.5 … 20}.
 *
 * The landscape is flat near its top: mean detection over the 40 regression
 * cells (1.5×/2×/4×/10× × 5 rates × 2 limits) was 69.1–69.3% for odds 2–3
 * with shape 1–2 (4,000 runs each), and fell off at both ends: priors tight
 * around small regressions (odds 1.5, shape 20: 65.0%, 4× at 5/min p0=3%
 * caught 25% vs 60%, and 10× at 20/min p0=0.5% 80% vs 98%) or far out
 * (odds 6, shape 20: 65.7%, 2× at 100/min p0=3% 70% vs 96%, 1.5× at
 * 1000/min p0=0.5% 8% vs 61%). We take odds 3, shape 2 (mean ≈ 3 p0, mode
 * ≈ 1.5 p0): in the top group, it catches the 2–4× regressions that matter at
 * moderate traffic, and it keeps enough mass near p0 for 1.5× at high traffic.
 *
 * Figures for the chosen prior, 10,000 runs per cell, rates 5/20/100/1000/5000
 * per minute (fail % in 10 polls / median poll of failure, "-" = over half never fail):
 *   p0 = 3% (crash-free 97%)
 *     false fails  0.25× 0/0/0/0/0%  0.5× 0.07/0.02/0/0/0%  0.75× 0.43/0.29/0.07/0/0%
 *                  1× (at the limit) 0.83/1.10/1.01/0.22/0.11%
 *     1.5×  4%/-  11%/-  39%/-  100%/2  100%/1
 *     2×   11%/-  40%/-  96%/4  100%/1  100%/1
 *     4×   60%/9  99%/3  100%/1 100%/1  100%/1
 *     10× 100%/2 100%/1  100%/1 100%/1  100%/1
 *   p0 = 0.5% (crash-free 99.5%)
 *     false fails  0.25× 0.02/0.02/0/0/0%  0.5× 0.04/0.07/0.03/0/0%  0.75× 0.07/0.28/0.21/0.01/0%
 *                  1× (at the limit) 0.27/0.86/1.35/0.73/0.33%
 *     1.5×  1%/-   3%/-  10%/-   61%/8  100%/2
 *     2×    1%/-   7%/-  32%/-  100%/3  100%/1
 *     4×    8%/-  41%/-  97%/3  100%/1  100%/1
 *     10×  45%/-  98%/3 100%/1  100%/1  100%/1
 * Targets met: <= 0.5% false fails for 0.25–0.75× at every rate, <= 1.35%
 * (bound 5%) at the limit, >= 97% of 4× caught at >= 100/min, median 1 poll
 * for 4× at 1000/min. At 5–20 units/min small regressions are out of reach
 * of any valid test in 10 minutes: 50–200 trials hold too few crashes.
 *
 * The pass prior mirrors it (odds 1/3, shape 2, truncated to [0, p0)); it
 * gives the upper end of the intervals. Its study (pass speed flat across
 * odds 1/1.5–1/5 and shape 0.5–5, false passes at the limit <= 2.4%) was on
 * independent units whose outcome is final when counted. Real counts are
 * neither (a user counted healthy can crash later; sessions cluster by user),
 * and there releases at the limit passed early 3.5–100% of the time (issue
 * #19.4), so no check passes early on it: see PASS_EARLY_CHECKS in decide.ts.
 */

/**
 * The alternative the mixture bets on, relative to p0: a Beta prior whose mean
 * has odds `oddsRatio` times the odds of p0, with first shape parameter `shape`
 * (small = spread out, large = concentrated around the mean). Relative to p0
 * so one tuning serves a 0.5% limit and a 30% error-rate limit alike.
 */
export interface PriorShape {
  oddsRatio: number;
  shape: number;
}

export interface BetaParams {
  a: number;
  b: number;
}

/** Bets on regressions around three times the limit (odds); see the study above. */
export const FAIL_PRIOR: PriorShape = { oddsRatio: 3, shape: 2 };
/** Bets on healthy rates around a third of the limit; see the study above. */
export const PASS_PRIOR: PriorShape = { oddsRatio: 1 / 3, shape: 2 };

/** The largest e-value reported: past this, more evidence changes nothing. */
export const E_MAX = 1e300;
const LOG_E_MAX = Math.log(E_MAX);

/** The Beta(a, b) whose mean has odds `shape.oddsRatio` × odds(p0). */
export function betaPrior(p0: number, shape: PriorShape): BetaParams {
  const odds = (p0 / (1 - p0)) * shape.oddsRatio;
  const mean = odds / (1 + odds);
  return { a: shape.shape, b: (shape.shape * (1 - mean)) / mean };
}

/** log of the binomial likelihood p^k (1-p)^(n-k), with 0·log 0 = 0. */
function logLikelihood(n: number, k: number, p: number): number {
  return (k === 0 ? 0 : k * Math.log(p)) + (n - k === 0 ? 0 : (n - k) * Math.log1p(-p));
}

function checkCounts(n: number, k: number): void {
  if (!(Number.isFinite(n) && Number.isFinite(k) && n >= 0 && k >= 0 && k <= n)) {
    throw new RangeError(`need 0 <= k <= n, got n=${n}, k=${k}`);
  }
}

/**
 * log E against H0 "p <= p0": the mixture over p in (p0, 1] of the likelihood
 * ratio L(p)/L(p0), weighted by the prior truncated to (p0, 1]. In closed form
 *   B(k+a, n-k+b) Q / (B(a, b) Q0 L(p0)),
 * Q = P(Beta(k+a, n-k+b) > p0), Q0 = P(Beta(a, b) > p0), both taken as upper
 * tails directly so they keep their precision when tiny. When Q underflows to
 * 0 the data sit far below p0 and E is negligible: -Infinity is returned.
 */
export function logEFail(n: number, k: number, p0: number, prior: PriorShape = FAIL_PRIOR): number {
  checkCounts(n, k);
  if (n === 0) return 0;
  if (p0 >= 1) return 0; // "p <= 1" cannot be refuted
  if (p0 <= 0) return k > 0 ? LOG_E_MAX : 0; // one bad unit refutes "p = 0" outright
  const { a, b } = betaPrior(p0, prior);
  const q = betainc(p0, k + a, n - k + b, true, true);
  const q0 = betainc(p0, a, b, true, true);
  return clampLog(betaln(k + a, n - k + b) + Math.log(q) - betaln(a, b) - Math.log(q0) - logLikelihood(n, k, p0));
}

/**
 * log E against H0 "p >= p0": the mirror of `logEFail`, with the prior
 * truncated to [0, p0) and lower tails P(Beta(·) < p0).
 */
export function logEPass(n: number, k: number, p0: number, prior: PriorShape = PASS_PRIOR): number {
  checkCounts(n, k);
  if (n === 0) return 0;
  if (p0 <= 0) return 0; // "p >= 0" cannot be refuted
  if (p0 >= 1) return k < n ? LOG_E_MAX : 0; // one good unit refutes "p = 1" outright
  const { a, b } = betaPrior(p0, prior);
  const q = betainc(p0, k + a, n - k + b, true, false);
  const q0 = betainc(p0, a, b, true, false);
  return clampLog(betaln(k + a, n - k + b) + Math.log(q) - betaln(a, b) - Math.log(q0) - logLikelihood(n, k, p0));
}

/** Evidence that the bad rate exceeds p0 (an e-process under H0 "p <= p0"), capped at E_MAX. */
export function eFail(n: number, k: number, p0: number, prior: PriorShape = FAIL_PRIOR): number {
  return fromLog(logEFail(n, k, p0, prior));
}

/** Evidence that the bad rate is below p0 (an e-process under H0 "p >= p0"), capped at E_MAX. */
export function ePass(n: number, k: number, p0: number, prior: PriorShape = PASS_PRIOR): number {
  return fromLog(logEPass(n, k, p0, prior));
}

function clampLog(x: number): number {
  if (Number.isNaN(x)) return -Infinity;
  return Math.min(x, LOG_E_MAX);
}

function fromLog(x: number): number {
  return x >= LOG_E_MAX ? E_MAX : Math.exp(x);
}
