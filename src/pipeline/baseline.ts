import { confidenceInterval, upperConfidenceBound } from '../gate/interval';
import type { GatePolicy } from '../gate/types';
import type { Check } from '../sources/types';
import { trials } from '../sources/sentry/health';
import type { Baseline, BaselineCheck } from '../report/types';
import type { HealthCounts, Tracker } from '../sources/sentry/types';

/** Below this many users or sessions the previous release says too little to tighten a limit. */
export const MIN_BASELINE_TRIALS = 100;

/**
 * Tightens each crash limit to the previous release's crash rate over the same
 * length of time before this deploy, taken at its upper confidence bound (so a
 * noisy baseline errs towards passing), plus the allowed increase. A limit is
 * never made looser than the absolute one; the error-rate check stays absolute.
 */
export function applyBaseline(policy: GatePolicy, counts: HealthCounts, increase: number): { policy: GatePolicy; checks: BaselineCheck[] } {
  const checks: BaselineCheck[] = [];
  const judged = policy.checks.map((limit): Check => {
    if (limit.kind !== 'ratio' || limit.source !== 'sentry' || (limit.id !== 'crash-free-users' && limit.id !== 'crash-free-sessions')) return limit;
    const { n, k } = trials(limit.id, counts);
    const base = { id: limit.id, n, k, absoluteMaxBadRate: limit.absoluteMaxBadRate, observedBadRate: n ? k / n : null, interval: null };
    if (n < MIN_BASELINE_TRIALS) {
      checks.push({
        ...base,
        effectiveMaxBadRate: limit.maxBadRate,
        note: `too little baseline data (${n} ${limit.id === 'crash-free-users' ? 'users' : 'sessions'}, fewer than ${MIN_BASELINE_TRIALS}): absolute limit kept`,
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

/** Reads the previous release's health over the `windowMs` before this deploy. */
export async function measureBaseline(
  tracker: Tracker,
  q: { previous: string; projects: string[]; environment: string; deployFinishedAt: number; windowMs: number; signal?: AbortSignal },
): Promise<{ counts: HealthCounts; from: number; to: number }> {
  const from = q.deployFinishedAt - q.windowMs;
  const sample = await tracker.sample({
    version: q.previous,
    projects: q.projects,
    environment: q.environment,
    since: from,
    until: q.deployFinishedAt,
    signal: q.signal,
  });
  return { counts: sample, from, to: q.deployFinishedAt };
}

export type { Baseline };
