/**
 * The gate on Sentry's session counts, as the tests of the decision and the
 * watch describe it: a policy of rate limits (plus the new-issue limit) and
 * polls of counts since the deploy, turned into checks and observations the
 * way the Sentry source does (src/sources/sentry/health.ts). The tests keep
 * their numbers; the core only ever sees observations.
 */
import { decide as coreDecide } from '../../src/reasons/decide';
import type { CheckEvaluation, GatePolicy as CorePolicy, PollInput as CorePoll, ThresholdEvaluation, Verdict } from '../../src/gate/types';
import { watch as coreWatch, type WatchOptions, type WatchResult } from '../../src/pipeline/watch';
import type { PollRecord } from '../../src/report/types';
import { newIssuesCheck, sessionCheck } from '../../src/sources/sentry/checks';
import { isAnonymous, newIssuesOf, ratioCounts, sentryObservations, sessionHealthSource, type SessionCheckId } from '../../src/sources/sentry/health';
import type { RecentCounts } from '../../src/sources/sentry/recent';
import type { Check, RatioObservation } from '../../src/sources/types';
import type { HealthCounts, HealthSample, NewIssue, UserCounts } from '../../src/sources/sentry/types';

/** A rate check of Sentry's at a limit, and where the limit came from. */
export interface RateLimit {
  id: SessionCheckId;
  maxBadRate: number;
  absoluteMaxBadRate: number;
  source: 'absolute' | 'baseline';
}

export interface GatePolicy extends Omit<CorePolicy, 'checks'> {
  limits: RateLimit[];
  maxNewIssueUsers?: number;
}

export interface PollInput {
  counts: HealthCounts;
  projects: Record<string, HealthCounts>;
  newIssues: NewIssue[];
  at: number;
  final: boolean;
  recent?: RecentCounts;
}

export function checksOf(policy: GatePolicy): Check[] {
  const checks: Check[] = policy.limits.map((l) => ({ ...sessionCheck(l.id, l.maxBadRate), absoluteMaxBadRate: l.absoluteMaxBadRate, limitSource: l.source }));
  if (policy.maxNewIssueUsers !== undefined) checks.push(newIssuesCheck(policy.maxNewIssueUsers));
  return checks;
}

export function corePolicy(policy: GatePolicy): CorePolicy {
  const { limits: _limits, maxNewIssueUsers: _max, ...rest } = policy;
  return { ...rest, checks: checksOf(policy) };
}

/** The core's input for one poll of Sentry counts. */
export function corePoll(checks: readonly Check[], poll: PollInput): CorePoll {
  const sample: HealthSample = { ...poll.counts, at: poll.at, projects: poll.projects };
  let recent: CorePoll['recent'];
  if (poll.recent) {
    const r = poll.recent;
    recent = {};
    for (const check of checks) {
      if (check.kind !== 'ratio') continue;
      const id = check.id as SessionCheckId;
      const scopes = Object.fromEntries(Object.entries(r.projects).map(([slug, c]) => [slug, ratioCounts(id, c, isAnonymous(poll.projects[slug] ?? c))]));
      const observation: RatioObservation = { kind: 'ratio', counts: ratioCounts(id, r.counts, isAnonymous(poll.counts)), scopes };
      recent[id] = { since: r.since, observation };
    }
  }
  return {
    observations: sentryObservations(checks, sample, poll.newIssues),
    ...(recent ? { recent } : {}),
    sessions: poll.counts.sessions,
    at: poll.at,
    final: poll.final,
  };
}

/** decide() on Sentry counts. */
export function decide(policy: GatePolicy, poll: PollInput): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; verdict: Verdict | null } {
  return coreDecide(corePolicy(policy), corePoll(checksOf(policy), poll));
}

/** One poll as the tests script it: health up to `until` (when settled), users since `usersSince` (at the last poll). */
export type CountsPoll = (
  signal?: AbortSignal,
  usersSince?: number,
  until?: number,
) => Promise<{ sample: HealthSample; newIssues: NewIssue[]; users?: UserCounts }>;

/** watch() over one Sentry-like source whose polls `poll` answers. */
export async function watch(
  opts: Omit<WatchOptions, 'policy' | 'sources'> & { policy: GatePolicy; poll: CountsPoll; onPoll?: (record: PollRecord) => void },
): Promise<WatchResult & { newIssues: NewIssue[] }> {
  const { policy, poll, ...rest } = opts;
  const source = sessionHealthSource('sentry', async (_checks, window) => {
    const got = await poll(window.signal, window.recentSince, window.settled ? window.until : undefined);
    return { sample: got.sample, issues: got.newIssues, ...(got.users ? { users: got.users } : {}) };
  });
  const result = await coreWatch({ ...rest, policy: corePolicy(policy), sources: [source] });
  return { ...result, newIssues: newIssuesOf(result.observations['new-issues']) };
}
