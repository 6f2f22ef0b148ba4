import { eFail, logEFail } from './evalue';

/*
 * An anytime-valid test that the error rate after a deploy is at most r times
 * the rate before it, from occurrence counts alone (Rollbar has no sessions).
 *
 * THE NAIVE FORM IS NOT VALID. Count X errors over t1 after the deploy and Y
 * over a fixed t0 before it. Given N = X + Y, X ~ Binomial(N, p) with
 * p = λ1 t1 / (λ1 t1 + λ0 t0), so "λ1 <= r λ0" is "p <= r t1 / (r t1 + t0)".
 * But with t0 fixed and t1 growing at every poll, that limit moves with t1,
 * and the Y counted once is reused by every poll: the sequence of (N, X) is
 * not a sequence of independent Bernoulli labels under one limit, and
 * Ville's inequality says nothing about it.
 *
 * THE MATCHED (MIRRORED) DESIGN. Let the before window grow backwards from
 * the deploy as the after window grows forwards, c times as long: after s
 * minutes since the deploy, X counts [D, D + s] and Y counts [D − c s, D].
 * As functions of s, X and Y are independent Poisson processes with rates
 * λ1 and c λ0 (each rate constant within its version). Merge them: given
 * the merged process, each event is an "after" event independently with
 * p = λ1 / (λ1 + c λ0), whatever the arrival times. Under H0 (λ1 <= r λ0),
 * p <= r / (r + c) = p0, a limit that does not move. Counting whole buckets,
 * step m adds (x_m, y_m), and given x_m + y_m the x_m are Binomial with
 * that p, independent of the past. The binomial mixture e-process of
 * evalue.ts (a mixture over p > p0 of ∏ (p/p0)^x ((1−p)/(1−p0))^y, which is
 * a product of per-step conditional likelihood ratios, each with
 * expectation <= 1 under any p' <= p0) is then a nonnegative supermartingale
 * in m, and P(sup_m E_m >= 1/α) <= α (Ville). Polling every minute, or
 * stopping when the before window reaches the previous deploy, keeps it.
 *
 * The window lengths may not depend on the counts (they are set by the
 * clock and the previous deploy's time) and c is fixed for the whole watch:
 * when the previous deploy caps the before window, the after window is
 * capped with it (c stays 1, p0 stays r / (r + 1)) and later polls re-read
 * the same minutes, adding no evidence and no false fails.
 *
 * COUNTS THAT MOVE. Occurrences that arrive late raise the newest "after"
 * minute at a later poll: each poll then saw fewer after events than the
 * minutes hold, which only lowers E (conservative). A minute whose count
 * went down (an item deleted, a hostile answer) is taken at the most it
 * counted (sources/rollbar/health.ts): a shrunken "before" would fail a
 * healthy release.
 *
 * MEASURED (a quick simulation of this design with the gate's thresholds:
 * E >= 1/(0.05 x 0.25) sequentially plus the final exact test at 0.05 x
 * 0.75 / 2; Poisson minutes, deploy mid-minute, r = 2, 4,000 runs per cell):
 * false fails with the after rate exactly at the limit (2x) were 1.45% and
 * 1.82% at 10 and 100 errors/min over 10 polls, 2.13% and 1.70% over 30,
 * 1.52% and 1.77% with the previous deploy 3 minutes before (bound 5%);
 * at 1x, 0.00% everywhere. 4x was caught 100% at 10 and 100/min, and 78% at
 * 10/min when the previous deploy 3 minutes before leaves 3 minutes a side.
 *
 * WHAT IT DOES NOT ADJUST FOR. A change in traffic between the two windows
 * (a deploy at the start of the morning peak) moves λ1/λ0 with no change in
 * the code; a ratio of errors to requests (a `checks` ratio over a request
 * count from a metrics source) is the stronger form and should be preferred
 * where a request count exists.
 */

/** The largest share of "after" events H0 allows: r / (r + c), c = before span / after span. */
export function rateRatioLimit(maxIncrease: number, spanRatio = 1): number {
  if (!(maxIncrease > 0 && Number.isFinite(maxIncrease))) throw new RangeError(`need a positive rate ratio, got ${maxIncrease}`);
  if (!(spanRatio > 0 && Number.isFinite(spanRatio))) throw new RangeError(`need a positive span ratio, got ${spanRatio}`);
  return maxIncrease / (maxIncrease + spanRatio);
}

/** Evidence that λ_after > r λ_before from matched counts: an e-process under H0 (see above). */
export function eRateRatio(after: number, before: number, maxIncrease: number, spanRatio = 1): number {
  return eFail(after + before, after, rateRatioLimit(maxIncrease, spanRatio));
}

export function logERateRatio(after: number, before: number, maxIncrease: number, spanRatio = 1): number {
  return logEFail(after + before, after, rateRatioLimit(maxIncrease, spanRatio));
}

/** The rate ratio the counts estimate (after / before, per unit of time); null with no "before" errors. */
export function rateRatioEstimate(after: number, before: number, spanRatio = 1): number | null {
  return before > 0 ? (after / before) * spanRatio : null;
}

/** Epoch ms spans, [start, end), of whole buckets. */
export interface Span {
  start: number;
  end: number;
}

/**
 * The matched windows at a poll, in whole buckets (a bucket that straddles
 * the deploy holds both versions and is in neither): after = the m whole
 * buckets from the deploy up to `until`, before = the m whole buckets that
 * end at the deploy. m is capped so the before window stays after
 * `previousDeployAt` (older code ran before it), and by `maxBuckets`.
 * Returns null when no whole bucket fits on either side.
 */
export function matchedWindows(
  deployAt: number,
  until: number,
  previousDeployAt: number | null,
  bucketMs: number,
  maxBuckets = Infinity,
): { after: Span; before: Span; buckets: number } | null {
  const afterStart = Math.ceil(deployAt / bucketMs) * bucketMs;
  const beforeEnd = Math.floor(deployAt / bucketMs) * bucketMs;
  const afterBuckets = Math.floor((until - afterStart) / bucketMs);
  const beforeBuckets = previousDeployAt === null ? Infinity : Math.floor((beforeEnd - Math.ceil(previousDeployAt / bucketMs) * bucketMs) / bucketMs);
  const m = Math.min(afterBuckets, beforeBuckets, maxBuckets);
  if (!(m >= 1)) return null;
  return { after: { start: afterStart, end: afterStart + m * bucketMs }, before: { start: beforeEnd - m * bucketMs, end: beforeEnd }, buckets: m };
}
