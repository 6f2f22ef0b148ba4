import { TrackerSetupError } from '../errors';
import type { HealthCounts, HealthSample, NewIssue, Tracker, UserCounts } from './types';
import { errorMessage } from '../../util/errors';
import type { Check, CountItem, HealthPoll, HealthSource, Observation, PollWindow, RatioCounts, RatioObservation } from '../types';
import { recentCounts } from './recent';
import type { SessionCheckId } from './checks';
import type { PollInput } from '../../gate/types';

export type { SessionCheckId };

const isSessionCheck = (id: string): id is SessionCheckId => id === 'crash-free-users' || id === 'crash-free-sessions' || id === 'error-rate';

/** The counts a rate check reports: n trials, k of them bad (what people read as the rate). */
export function trials(id: SessionCheckId, counts: HealthCounts): { n: number; k: number } {
  switch (id) {
    case 'crash-free-users':
      // Never more crashed than seen: a span without its own count of users has none (see recentCounts).
      return { n: counts.users, k: Math.min(counts.crashedUsers, counts.users) };
    case 'crash-free-sessions':
      return { n: counts.sessions, k: counts.crashedSessions };
    case 'error-rate':
      // The error-rate check is on exactly when unhealthy sessions are asked for.
      return { n: counts.sessions, k: counts.erroredSessions ?? 0 };
  }
}

/**
 * A release whose sessions carry no user at all. Decided on the counts since the
 * deploy: a span's users may be zero only because nobody counted them (see recentCounts).
 */
export const isAnonymous = (counts: HealthCounts): boolean => counts.sessions > 0 && counts.users === 0;

/**
 * The counts a rate check is judged on. Users are independent of each other,
 * their sessions are not: one broken account crashes or errors in every
 * session, so bad sessions vary up to ~3× more than independent trials would
 * (issue #19.1) and a binomial test on them fails releases at the limit far
 * more often than 1 − confidence. The session checks therefore count bad
 * USERS (users with at least one crashed, resp. unhealthy, session) against
 * the limit times SESSIONS. That is valid under any dependence within a user:
 * a user is bad with probability at most their expected bad sessions
 * (P(k_i ≥ 1) ≤ E[k_i]), users are independent, and for a sum of independent
 * Bernoullis over U ≤ n users with total mean ≤ p0·n the binomial(n, p0)
 * likelihood ratio still has expectation ≤ 1 ((1 + x/U)^U grows with U), so
 * the e-process and the exact test keep their level. It loses power only when
 * a user's bad sessions come in bunches, which is exactly when sessions say
 * less than their number. Without the count of unhealthy users (recordings
 * made before it existed) the error-rate check falls back to sessions.
 */
export function testedTrials(id: SessionCheckId, counts: HealthCounts, anonymous = isAnonymous(counts)): { n: number; k: number } {
  // Sessions with no user at all (a server's request-mode aggregates, an app
  // that never sets one) have no users to count: judged on sessions, as
  // independent trials, or a server crashing in 10% of requests could never fail.
  if (id !== 'crash-free-users' && anonymous) return trials(id, counts);
  switch (id) {
    case 'crash-free-users':
      return trials(id, counts);
    case 'crash-free-sessions':
      return { n: counts.sessions, k: Math.min(counts.crashedSessions, counts.crashedUsers) };
    case 'error-rate': {
      const errored = counts.erroredSessions ?? 0;
      const users = counts.erroredUsers;
      return { n: counts.sessions, k: users === undefined || users === null ? errored : Math.min(errored, users) };
    }
  }
}

/** n, k and the bad units the tests count, for one session check on one set of counts. */
export function ratioCounts(id: SessionCheckId, counts: HealthCounts, anonymous = isAnonymous(counts)): RatioCounts {
  const { n, k } = trials(id, counts);
  return { n, k, kTested: testedTrials(id, counts, anonymous).k };
}

/**
 * The rate people read for a session check on counts, as shown (crash-free
 * users and sessions as the good share, the error rate as the bad one); null
 * with no trials, or without unhealthy sessions counted. The one place a
 * crash-free rate is computed from counts (log, summary, JSON report).
 */
export function shownRate(id: SessionCheckId, counts: HealthCounts): number | null {
  switch (id) {
    case 'crash-free-users':
      return counts.users > 0 ? 1 - counts.crashedUsers / counts.users : null;
    case 'crash-free-sessions':
      return counts.sessions > 0 ? 1 - counts.crashedSessions / counts.sessions : null;
    case 'error-rate':
      return counts.sessions > 0 && counts.erroredSessions !== null ? counts.erroredSessions / counts.sessions : null;
  }
}

/** An issue first seen in the release, as the count check's item (its project is its scope). */
export type IssueItem = NewIssue & CountItem;

export const isNewIssue = (item: object | undefined): item is IssueItem => item !== undefined && 'firstSeen' in item && 'project' in item && 'scope' in item;

/** The new issues of a count observation the Sentry source made ([] for any other). */
export function newIssuesOf(observation: Observation | undefined): NewIssue[] {
  return observation?.kind === 'count' ? observation.items.filter(isNewIssue) : [];
}

/**
 * The observations of Sentry's checks in one sample: each session check's
 * counts in total and per project, and the new issues for the count checks
 * (when they were read).
 */
export function sentryObservations(checks: readonly Check[], sample: HealthSample, issues: NewIssue[] | null): Record<string, Observation> {
  const observations: Record<string, Observation> = {};
  for (const check of checks) {
    if (check.kind === 'ratio' && isSessionCheck(check.id)) {
      const id = check.id;
      const scopes = Object.fromEntries(Object.entries(sample.projects).map(([slug, counts]) => [slug, ratioCounts(id, counts)]));
      observations[id] = { kind: 'ratio', counts: ratioCounts(id, sample), scopes };
    } else if (check.kind === 'count' && issues !== null) {
      observations[check.id] = { kind: 'count', items: issues.map((i): IssueItem => ({ ...i, scope: i.project })) };
    }
  }
  return observations;
}

/**
 * The window's second half of each session check, from two cumulative samples
 * and the users counted over the span (see recentCounts). A scope is judged as
 * anonymous by its counts since the deploy (`last`), never by the span's.
 */
export function sentryRecent(
  checks: readonly Check[],
  since: number,
  last: HealthSample,
  base: HealthSample,
  users: UserCounts | undefined,
): Record<string, RatioObservation> {
  const recent = recentCounts(since, last, base, users);
  const out: Record<string, RatioObservation> = {};
  for (const check of checks) {
    if (check.kind !== 'ratio' || !isSessionCheck(check.id)) continue;
    const id = check.id;
    const scopes = Object.fromEntries(
      Object.entries(recent.projects).map(([slug, counts]) => [slug, ratioCounts(id, counts, isAnonymous(last.projects[slug] ?? counts))]),
    );
    out[id] = { kind: 'ratio', counts: ratioCounts(id, recent.counts, isAnonymous(last)), scopes };
  }
  return out;
}

/**
 * The decision core's input from one Sentry sample (replay, the benchmark and
 * tests decide on recorded counts this way): observations, sessions for
 * min-sessions and, given the sample at mid-window, the second half.
 */
export function sentryPollInput(
  checks: readonly Check[],
  sample: HealthSample,
  o: { issues?: NewIssue[]; recent?: { base: HealthSample; users?: UserCounts | undefined } } = {},
): Pick<PollInput, 'observations' | 'recent' | 'sessions'> {
  const recent = o.recent && sentryRecent(checks, o.recent.base.at, sample, o.recent.base, o.recent.users);
  const since = o.recent?.base.at ?? 0;
  return {
    observations: sentryObservations(checks, sample, o.issues ?? []),
    ...(recent ? { recent: Object.fromEntries(Object.entries(recent).map(([id, observation]) => [id, { since, observation }])) } : {}),
    sessions: sample.sessions,
  };
}

/** What one Sentry poll read: the sample, the new issues (null until read once), the users of the second half. */
export interface SentryRead {
  sample: HealthSample;
  issues: NewIssue[] | null;
  /** Why the issues were not read this poll (they are the last ones read, or null). */
  issuesError?: string;
  users?: UserCounts;
}

/**
 * A health source over Sentry's session counts and issues, given how to read
 * them. It remembers its samples: the recent span at the last poll is the
 * difference of this sample and the one at `recentSince`.
 */
export function sessionHealthSource(
  name: string,
  read: (checks: readonly Check[], window: PollWindow) => Promise<SentryRead>,
  requests: () => number = () => 0,
): HealthSource {
  const samples = new Map<number, HealthSample>();
  return {
    name,
    requests,
    async poll(all, window): Promise<HealthPoll> {
      const checks = all.filter((c) => c.source === name);
      const got = await read(checks, window);
      const { sample } = got;
      samples.set(sample.at, sample);
      const base = window.recentSince === undefined ? undefined : samples.get(window.recentSince);
      const countChecks = checks.filter((c) => c.kind === 'count');
      return {
        at: sample.at,
        observations: sentryObservations(checks, sample, got.issues),
        ...(base && window.recentSince !== undefined ? { recent: sentryRecent(checks, window.recentSince, sample, base, got.users) } : {}),
        ...(got.issues === null && countChecks.length > 0
          ? { missing: Object.fromEntries(countChecks.map((c) => [c.id, got.issuesError ?? 'not read'])) }
          : {}),
        totals: sample,
      };
    },
  };
}

export interface SentryHealthDeps {
  tracker: Tracker;
  version: string;
  projects: string[];
  environment: string;
  now: () => number;
  log: { warning(message: string): void };
  requests?: () => number;
}

/**
 * Sentry's release health as a health source: the session counts since the
 * deploy (unhealthy sessions only when the error-rate check is on), the new
 * issues (when a count check is on) and, at the last poll, the users of the
 * window's second half (when crash-free users is on).
 */
export function sentryHealthSource(deps: SentryHealthDeps): HealthSource {
  const { tracker, version, projects, environment } = deps;
  // A failed issues query must not throw away a good health sample: the rate
  // checks go on with the issues last seen, and the next poll asks again.
  let lastIssues: NewIssue[] | null = null;
  return sessionHealthSource(
    'sentry',
    async (checks, window) => {
      const wantIssues = checks.some((c) => c.kind === 'count');
      const wantUsers = checks.some((c) => c.id === 'crash-free-users');
      const wantUnhealthy = checks.some((c) => c.id === 'error-rate');
      const { signal, settled, until } = window;
      const [sample, issues, users] = await Promise.allSettled([
        tracker.sample({ version, projects, environment, since: window.since, until, unhealthy: wantUnhealthy, settled, signal }),
        wantIssues ? tracker.newIssues({ version, projects, environment, since: window.since, until: deps.now(), signal }) : Promise.resolve([] as NewIssue[]),
        // Only the crash-free-users check needs users counted over the second half.
        window.recentSince !== undefined && wantUsers
          ? tracker.usersBetween({ version, projects, environment, since: window.recentSince, until, settled, signal })
          : Promise.resolve(undefined),
      ]);
      if (sample.status === 'rejected') throw sample.reason;
      let issuesError: string | undefined;
      if (issues.status === 'fulfilled') lastIssues = issues.value;
      // A refused token or scope (event:read) will not fix itself: say so now, as for health.
      else if (issues.reason instanceof TrackerSetupError) throw issues.reason;
      else issuesError = errorMessage(issues.reason);
      if (issues.status === 'rejected')
        deps.log.warning(`New issues not read this poll (${errorMessage(issues.reason)}); using the ${lastIssues?.length ?? 0} seen before.`);
      if (users.status === 'rejected')
        deps.log.warning(
          `Users of the window's second half not read (${errorMessage(users.reason)}); crash-free users are judged on the counts since the deploy.`,
        );
      return {
        sample: sample.value,
        issues: wantIssues ? lastIssues : [],
        ...(issuesError === undefined ? {} : { issuesError }),
        ...(users.status === 'fulfilled' && users.value ? { users: users.value } : {}),
      };
    },
    deps.requests,
  );
}
