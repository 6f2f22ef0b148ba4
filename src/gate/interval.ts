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

/**
 * The fewest trials at which, were bad ones to keep coming at `rate`, the
 * exact upper bound at one-sided `alpha` would fall below `target`: how much
 * more data a pass-margin needs (issue #19.6 follow-up: at a 99.5% limit and
 * 100 sessions/min, no valid test tells a 4× regression from a healthy
 * release in 10 minutes; the user needs the window, not a different gate).
 * Bad trials are counted as round(N × rate), as the bound would see them.
 * Undefined when no amount of data would do (rate ≥ target) or it would take
 * more than `max` trials.
 */
export function trialsToRuleOut(rate: number, target: number, alpha: number, max = 1e9): number | undefined {
  if (!(rate >= 0 && rate < target && target < 1 && alpha > 0 && alpha < 1)) return undefined;
  const below = (n: number) => exactInterval(n, Math.min(n, Math.round(n * rate)), alpha)![1] < target;
  let hi = 1;
  while (!below(hi)) {
    if (hi >= max) return undefined;
    hi = Math.min(max, hi * 2);
  }
  // The bound falls with N but for the rounding of N × rate: take the first N of the last run below target.
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (below(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
