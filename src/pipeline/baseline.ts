import { confidenceInterval, upperConfidenceBound } from '../gate/interval';
import type { GatePolicy } from '../gate/types';
import type { Check, HealthSource, RatioCounts } from '../sources/types';
import type { Baseline, BaselineCheck } from '../report/types';

/** Below this many users or sessions the previous release says too little to tighten a limit. */
export const MIN_BASELINE_TRIALS = 100;

/** Counts a source reported that cannot be a sample (negative, fractional, more bad than trials): a broken or hostile answer. */
const senseless = ({ n, k }: RatioCounts) => !(Number.isSafeInteger(n) && Number.isSafeInteger(k) && n >= 0 && k >= 0 && k <= n);

/**
 * Tightens each ratio limit the source gave baseline counts for (Sentry:
 * crash-free users and sessions) to the previous release's bad rate over the
 * same length of time before this deploy, taken at its upper confidence bound
 * (so a noisy baseline errs towards passing), plus the allowed increase. A
 * limit is never made looser than the absolute one; checks without baseline
 * counts (the error-rate check) stay absolute.
 */
export function applyBaseline(policy: GatePolicy, counts: Record<string, RatioCounts>, increase: number): { policy: GatePolicy; checks: BaselineCheck[] } {
  const checks: BaselineCheck[] = [];
  const judged = policy.checks.map((limit): Check => {
    const measured = limit.kind === 'ratio' && Object.hasOwn(counts, limit.id) ? counts[limit.id] : undefined;
    if (limit.kind !== 'ratio' || !measured) return limit;
    const { n, k } = measured;
    if (senseless(measured)) {
      checks.push({
        id: limit.id,
        n: 0,
        k: 0,
        absoluteMaxBadRate: limit.absoluteMaxBadRate,
        observedBadRate: null,
        interval: null,
        effectiveMaxBadRate: limit.maxBadRate,
        note: 'the baseline counts the tracker sent are not a sample (negative, fractional, or more bad than total): absolute limit kept',
      });
      return limit;
    }
    const base = { id: limit.id, n, k, absoluteMaxBadRate: limit.absoluteMaxBadRate, observedBadRate: n ? k / n : null, interval: null };
    if (n < MIN_BASELINE_TRIALS) {
      checks.push({
        ...base,
        effectiveMaxBadRate: limit.maxBadRate,
        note: `too little baseline data (${n} ${limit.units.trials}, fewer than ${MIN_BASELINE_TRIALS}): absolute limit kept`,
      });
      return limit;
    }
    const upper = upperConfidenceBound(n, k, policy.confidence);
    const candidate = upper + increase;
    const tighter = candidate < limit.absoluteMaxBadRate;
    checks.push({
      ...base,
      interval: confidenceInterval(n, k, policy.confidence),
      effectiveMaxBadRate: tighter ? candidate : limit.absoluteMaxBadRate,
      note: tighter ? null : 'the baseline plus the allowed increase is looser than the absolute limit: absolute limit kept',
    });
    return tighter ? { ...limit, maxBadRate: candidate, limitSource: 'baseline' } : limit;
  });
  return { policy: { ...policy, checks: judged }, checks };
}

/** Asks a source for the previous release's health over the `windowMs` before this deploy. */
export async function measureBaseline(
  source: HealthSource & Required<Pick<HealthSource, 'baseline'>>,
  checks: readonly Check[],
  q: { previous: string; deployFinishedAt: number; windowMs: number; signal?: AbortSignal },
): Promise<{ counts: Record<string, RatioCounts>; from: number; to: number }> {
  const from = q.deployFinishedAt - q.windowMs;
  const counts = await source.baseline(checks, { previous: q.previous, since: from, until: q.deployFinishedAt, ...(q.signal ? { signal: q.signal } : {}) });
  return { counts, from, to: q.deployFinishedAt };
}

export type { Baseline };
