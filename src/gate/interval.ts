import { logEFail, logEPass } from './evalue';
import { binomialTailP } from './final-look';

/*
 * Intervals are confidence sequences built from the same mixtures as the gate:
 * the lower bound is the smallest p that eFail has not rejected at
 * 1/(1 - confidence), the upper bound the largest p that ePass has not
 * rejected. So they are anytime-valid (each bound holds at every poll at once,
 * with probability >= confidence) and agree exactly with the decision: the
 * gate fails on p0 iff p0 < lower bound, and calls it healthy iff
 * p0 > upper bound. Each bound costs ~10-20 incomplete-beta evaluations (tens of
 * microseconds), cheap enough that Wilson's approximation buys nothing.
 */

/** Logit range searched: p from ~4e-18 to 1 - 4e-18. */
const LOGIT_MIN = -40;
const LOGIT_MAX = 40;
const MAX_STEPS = 200;
/** In logit units: bounds come out to ~1e-9 relative precision. */
const TOLERANCE = 1e-9;

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

function logThreshold(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return -Math.log1p(-confidence);
}

/**
 * Finds, on the logit scale, where `excess` (log E minus the log threshold)
 * turns from >= 0 (at `from`) to < 0 (at `to`). Illinois-style regula falsi:
 * log E is smooth in logit(p), so this takes ~10 evaluations where plain
 * bisection takes ~45, which matters when every poll of every check asks for
 * two bounds.
 */
function boundary(from: number, to: number, excess: (p: number) => number): number {
  let xr = from;
  let fr = excess(logistic(xr));
  if (fr < 0) return from < 0 ? 0 : 1; // nothing in range is ruled out
  let xk = to;
  let fk = excess(logistic(xk));
  if (fk >= 0) return logistic(xk);
  let side = 0;
  for (let i = 0; i < MAX_STEPS && Math.abs(xk - xr) > TOLERANCE; i++) {
    let x = (xr * fk - xk * fr) / (fk - fr);
    if (!(Number.isFinite(x) && Math.abs(x - xr) > TOLERANCE / 4 && Math.abs(x - xk) > TOLERANCE / 4)) x = (xr + xk) / 2;
    const f = excess(logistic(x));
    if (f >= 0) {
      xr = x;
      fr = f;
      if (side === -1) fk /= 2;
      side = -1;
    } else {
      xk = x;
      fk = f;
      if (side === 1) fr /= 2;
      side = 1;
    }
  }
  return logistic(xk);
}

/** Anytime-valid lower bound on the bad rate after k bad of n, at one-sided `confidence`. */
export function lowerConfidenceBound(n: number, k: number, confidence: number): number {
  const level = logThreshold(confidence);
  if (n === 0 || k === 0) return 0;
  if (k === n) return boundary(LOGIT_MIN, LOGIT_MAX, (p) => logEFail(n, k, p) - level);
  return boundary(LOGIT_MIN, logit(k / n), (p) => logEFail(n, k, p) - level);
}

/**
 * Anytime-valid upper bound on the bad rate after k bad of n, at one-sided
 * `confidence`. The baseline uses it: the previous release's rate, taken at
 * the worst value the data still allow.
 */
export function upperConfidenceBound(n: number, k: number, confidence: number): number {
  const level = logThreshold(confidence);
  if (n === 0 || k === n) return 1;
  if (k === 0) return boundary(LOGIT_MAX, LOGIT_MIN, (p) => logEPass(n, k, p) - level);
  return boundary(LOGIT_MAX, logit(k / n), (p) => logEPass(n, k, p) - level);
}

/**
 * Two-sided anytime-valid interval for the bad rate at `confidence` (each end
 * at 1 - (1 - confidence)/2), or null when there is no data.
 */
export function confidenceInterval(n: number, k: number, confidence: number): [number, number] | null {
  if (n === 0) return null;
  const oneSided = 1 - (1 - confidence) / 2;
  return [lowerConfidenceBound(n, k, oneSided), upperConfidenceBound(n, k, oneSided)];
}

/**
 * The exact (Clopper–Pearson) interval for k bad of n, each end at one-sided
 * level `alpha`: the p0 an exact one-sided binomial test at `alpha` does not
 * reject. The end-of-window tests are such tests, so when one of them decides
 * a fail this is the interval to show: its low end is past the limit exactly
 * when that test failed, where the anytime-valid interval (wider, valid at
 * every poll) can still contain the limit.
 */
export function exactInterval(n: number, k: number, alpha: number): [number, number] | null {
  if (n === 0) return null;
  // P(X >= k | p) and P(X <= k | p) both move monotonically in p: bisect each to alpha.
  const solve = (tooLow: (p: number) => boolean): number => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 64 && hi - lo > 1e-12; i++) {
      const mid = (lo + hi) / 2;
      if (tooLow(mid)) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const lower = k === 0 ? 0 : solve((p) => binomialTailP(n, k, p) < alpha);
  const upper = k === n ? 1 : solve((p) => 1 - binomialTailP(n, k + 1, p) > alpha);
  return [lower, upper];
}
