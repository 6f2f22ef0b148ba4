import { PASS_EARLY_CHECKS } from '../gate/decide';
import { decide } from '../reasons/decide';
import { eFail, ePass } from '../gate/evalue';
import { isRecentBase, type Schedule } from '../pipeline/watch';
import { ratioChecks, type GatePolicy, type Outcome } from '../gate/types';
import type { HealthCounts } from '../sources/sentry/types';
import { pollTimes } from './schedule';
import { sentryPollInput, testedTrials, type SessionCheckId } from '../sources/sentry/health';

/** Cumulative counts since the deploy as the tracker reported them `t` seconds after it. */
export interface RecordedSample extends HealthCounts {
  erroredSessions: number;
  t: number;
}

export interface ReplayResult {
  verdict: Outcome;
  /** Seconds since the deploy of the poll that decided, or null when the window ended undecided. */
  decidedAt: number | null;
  reason: string;
}

const NO_DATA: HealthCounts = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 };

/**
 * Whether decide() could conclude at a non-final poll with these counts. It
 * concludes only when some check's e-value reaches its threshold (m/alpha,
 * never below 1/alpha) against, or with pass-early for, the release; replays
 * carry no new issues. decide() also computes confidence intervals, ~85% of
 * its cost, so skipping the polls where it must return null makes replaying
 * thousands of releases take seconds instead of a minute. The verdict itself
 * always comes from decide().
 */
function mayDecide(policy: GatePolicy, counts: HealthCounts): boolean {
  const lowest = (1 / (1 - policy.confidence)) * (1 - 1e-9);
  let allHealthy = true;
  const limits = ratioChecks(policy);
  for (const limit of limits) {
    const { n, k } = testedTrials(limit.id as SessionCheckId, counts);
    if (eFail(n, k, limit.maxBadRate) >= lowest) return true;
    if (allHealthy && policy.passEarly) allHealthy = PASS_EARLY_CHECKS.has(limit.id) && ePass(n, k, limit.maxBadRate) >= lowest;
  }
  return policy.passEarly && allHealthy && limits.length > 0;
}

/** Users and crashed users counted over the window's second half, as a recording's `secondHalf` gives them. */
export interface SecondHalfUsers {
  users: number;
  crashedUsers: number;
}

/**
 * Runs the gate's decision over a recorded release: at each poll time the
 * gate sees the latest sample taken at or before it (what the tracker would
 * have answered then), or zero counts before the first. `samples` must be
 * sorted by `t`. Pass a precomputed `polls` (pollTimes(schedule)) when
 * replaying many releases with one schedule. `secondHalf`: the users of the
 * window's second half, counted over it; without it the end-of-window test of
 * crash-free users on the second half is skipped (a difference of cumulative
 * users misses users who come back, and failed healthy releases, #19.3).
 */
export function replayRelease(
  policy: GatePolicy,
  schedule: Schedule,
  samples: readonly RecordedSample[],
  polls: readonly number[] = pollTimes(schedule),
  secondHalf?: SecondHalfUsers,
): ReplayResult {
  let seen = -1;
  let base: { at: number; counts: HealthCounts } | null = null;
  const last = polls.length - 1;
  // A sample stands for the counts until the next one; the last stands for one interval more,
  // so a recording sampled off the poll times still reaches the poll after its last sample.
  // A poll later than that would decide on counts the recording does not have.
  const coveredUntil = samples.length ? samples.at(-1)!.t * 1000 + schedule.intervalMs : -Infinity;
  for (let i = 0; i <= last; i++) {
    const at = polls[i]!;
    if (at > coveredUntil) return endsEarly(samples, schedule, polls[i - 1]);
    while (seen + 1 < samples.length && samples[seen + 1]!.t * 1000 <= at) seen++;
    const counts = seen >= 0 ? samples[seen]! : NO_DATA;
    const final = i === last;
    if (!final && isRecentBase(at, 0, schedule.windowMs)) base = { at, counts };
    if (!final && !mayDecide(policy, counts)) continue;
    const users = secondHalf ? { ...secondHalf, projects: {} } : undefined;
    const recent = final && base ? { base: { ...base.counts, at: base.at, projects: {} }, users } : undefined;
    const { verdict } = decide(policy, { ...sentryPollInput(policy.checks, { ...counts, at, projects: {} }, recent ? { recent } : {}), at, final });
    if (verdict) {
      return { verdict: verdict.outcome, decidedAt: verdict.outcome === 'inconclusive' ? null : at / 1000, reason: verdict.reason };
    }
  }
  // decide() always concludes at the final poll; this only guards an empty schedule.
  return { verdict: 'inconclusive', decidedAt: null, reason: 'the window ended without a decision' };
}

function endsEarly(samples: readonly RecordedSample[], schedule: Schedule, lastReplayed: number | undefined): ReplayResult {
  const seconds = (t: number) => `${Number(t.toFixed(3))} s`;
  if (!samples.length) return { verdict: 'inconclusive', decidedAt: null, reason: 'the recording has no samples: nothing to decide on' };
  const replayed = lastReplayed === undefined ? 'no poll could be replayed' : `no poll up to ${seconds(lastReplayed / 1000)} decided`;
  return {
    verdict: 'inconclusive',
    decidedAt: null,
    reason: `the recording ends at ${seconds(samples.at(-1)!.t)}, before the window ends at ${seconds(schedule.windowMs / 1000)}: ${replayed}; record until the window ends or replay with a shorter --window`,
  };
}
