import type { HealthCounts, UserCounts } from './types';

/**
 * Counts from `since` (epoch ms, mid-window) to the final poll. A release that
 * turns bad mid-window is diluted in the counts since the deploy; these show it
 * undiluted. Users must be counted over this span by the tracker: the
 * difference of two counts of distinct users since the deploy is not the users
 * seen in between (a returning user is in neither difference of users but can
 * be in the difference of crashed users), so it could fail a healthy release.
 */
export interface RecentCounts {
  since: number;
  counts: HealthCounts;
  projects: Record<string, HealthCounts>;
}

/** later − earlier, field by field, never below zero (a tracker may revise a count down); unknown stays unknown. */
export function countsBetween(later: HealthCounts, earlier: HealthCounts): HealthCounts {
  const between = (a: number, b: number) => Math.max(0, a - b);
  const errored = later.erroredSessions === null || earlier.erroredSessions === null ? null : between(later.erroredSessions, earlier.erroredSessions);
  const known = (x: number | null | undefined): x is number => typeof x === 'number';
  return {
    sessions: between(later.sessions, earlier.sessions),
    crashedSessions: between(later.crashedSessions, earlier.crashedSessions),
    erroredSessions: errored,
    users: between(later.users, earlier.users),
    crashedUsers: between(later.crashedUsers, earlier.crashedUsers),
    // Users who turned unhealthy in between: each had an unhealthy session in
    // the span, so this never overstates the span's unhealthy users, and the
    // error-rate check (bad users against sessions) stays valid on it.
    ...(known(later.erroredUsers) && known(earlier.erroredUsers) ? { erroredUsers: between(later.erroredUsers, earlier.erroredUsers) } : {}),
  };
}

type Scoped = HealthCounts & { projects: Record<string, HealthCounts> };

const ZERO: HealthCounts = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 };

/**
 * The window's second half from two cumulative samples. Sessions started in a
 * span are the difference of sessions since the deploy; users are not (see
 * RecentCounts), so the users and crashed users of the span come from
 * `users`, counted over it by the tracker (a recording's `secondHalf`). When
 * they were not counted, users are zero, so the crash-free-users test of the
 * span is skipped, and crashed users stay the difference: the users who first
 * crashed in the span all crashed in it, so the session checks, which count
 * bad users against sessions, stay valid on it (it never overstates them).
 */
export function recentCounts(since: number, last: Scoped, base: Scoped, users: UserCounts | undefined): RecentCounts {
  const span = (later: HealthCounts, earlier: HealthCounts | undefined, scope: { users: number; crashedUsers: number } | undefined): HealthCounts => {
    const counts = countsBetween(later, earlier ?? ZERO);
    return scope ? { ...counts, users: scope.users, crashedUsers: Math.min(scope.crashedUsers, scope.users) } : { ...counts, users: 0 };
  };
  const projects: Record<string, HealthCounts> = {};
  for (const [slug, counts] of Object.entries(last.projects)) projects[slug] = span(counts, base.projects[slug], users?.projects[slug]);
  return { since, counts: span(last, base, users), projects };
}
