import type { HealthCounts, HealthSample, UserCounts } from '../types';
import type { SessionsResponse } from './schemas';

export const TOTALS_FIELDS = ['sum(session)', 'count_unique(user)', 'crash_free_rate(user)', 'crash_free_rate(session)'] as const;
export const STATUS_FIELDS = ['sum(session)', 'count_unique(user)'] as const;

/**
 * Sentry rounds `end` up to the interval and sets start = end - ceil(range), so
 * the first part of the asked range can fall out of the answer. Asking from
 * one interval before the deploy keeps all of it (the release has no sessions
 * before its deploy). 1m and 1h are accepted by metrics-based (SaaS) and
 * session-based (self-hosted) release health alike; 1000 buckets at most.
 * `padStart: false` asks from `since` itself, for a span that starts after the
 * deploy and must not reach back before it.
 */
export function sessionsRange(since: number, until: number, padStart = true): { start: number; end: number; interval: string } {
  const minute = 60_000;
  const step = (until - since) / minute + 2 <= 1000 ? minute : 60 * minute;
  return { start: padStart ? since - step : since, end: until, interval: step === minute ? '1m' : '1h' };
}

const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Whether the totals response alone gives every count but unhealthy sessions:
 * the tracker answered crash_free_rate wherever there were users or sessions.
 */
export function totalsSuffice(totals: SessionsResponse): boolean {
  return totals.groups.every((g) => {
    const rateOr = (count: string, rate: string) => num(g.totals[count]) === 0 || typeof g.totals[rate] === 'number';
    return rateOr('count_unique(user)', 'crash_free_rate(user)') && rateOr('sum(session)', 'crash_free_rate(session)');
  });
}

/**
 * Combines the totals response (grouped by project) and, when it was asked
 * for, the status response (grouped by project and session.status) into
 * cumulative counts per project and overall. Without the status response
 * crashed counts come from crash_free_rate (see totalsSuffice) and unhealthy
 * sessions are unknown (null). `slugById` maps Sentry's numeric project ids
 * back to slugs.
 */
export function toHealthSample(totals: SessionsResponse, statuses: SessionsResponse | null, slugById: Map<string, string>, at: number): HealthSample {
  const empty = (): HealthCounts => ({ sessions: 0, crashedSessions: 0, erroredSessions: statuses ? 0 : null, users: 0, crashedUsers: 0 });
  // Every configured project is in the sample from the first poll, with zero
  // counts until Sentry has sessions for it: the gate splits alpha over the
  // projects, and that split must not change as projects start reporting.
  const projects: Record<string, HealthCounts> = Object.fromEntries([...slugById.values()].map((slug) => [slug, empty()]));
  const scope = (id: string | number | undefined) => {
    const slug = slugById.get(String(id)) ?? String(id ?? 'unknown');
    return (projects[slug] ??= empty());
  };
  const ratesFor = new Map<HealthCounts, { user: boolean }>();
  for (const group of totals.groups) {
    const counts = scope(group.by.project);
    counts.sessions = num(group.totals['sum(session)']);
    counts.users = num(group.totals['count_unique(user)']);
    const cfu = group.totals['crash_free_rate(user)'];
    const cfs = group.totals['crash_free_rate(session)'];
    // crash_free_rate is the tracker's own answer; the crashed-status group is only a fallback.
    if (typeof cfu === 'number') counts.crashedUsers = Math.round(counts.users * (1 - cfu));
    if (!statuses && typeof cfs === 'number') counts.crashedSessions = Math.round(counts.sessions * (1 - cfs));
    ratesFor.set(counts, { user: typeof cfu === 'number' });
  }
  for (const group of statuses?.groups ?? []) {
    const counts = scope(group.by.project);
    const status = String(group.by['session.status'] ?? '');
    const sessions = num(group.totals['sum(session)']);
    if (status === 'crashed') {
      counts.crashedSessions += sessions;
      if (!ratesFor.get(counts)?.user) counts.crashedUsers = num(group.totals['count_unique(user)']);
    }
    if (status === 'crashed' || status === 'errored' || status === 'abnormal') counts.erroredSessions = (counts.erroredSessions ?? 0) + sessions;
  }
  const overall = empty();
  for (const c of Object.values(projects)) {
    overall.sessions += c.sessions;
    overall.crashedSessions += c.crashedSessions;
    overall.users += c.users;
    overall.crashedUsers += c.crashedUsers;
    if (overall.erroredSessions !== null) overall.erroredSessions = c.erroredSessions === null ? null : overall.erroredSessions + c.erroredSessions;
  }
  return { ...overall, at, projects };
}

/**
 * Users and crashed users per project from a totals response alone. Without
 * the status query, crash_free_rate(user) is the only source of crashed
 * users, so a project with users and no rate is an error, not a zero.
 */
export function toUserCounts(totals: SessionsResponse, slugById: Map<string, string>): UserCounts {
  const projects: UserCounts['projects'] = Object.fromEntries([...slugById.values()].map((slug) => [slug, { users: 0, crashedUsers: 0 }]));
  for (const group of totals.groups) {
    const slug = slugById.get(String(group.by.project)) ?? String(group.by.project ?? 'unknown');
    const users = num(group.totals['count_unique(user)']);
    const cfu = group.totals['crash_free_rate(user)'];
    if (users > 0 && typeof cfu !== 'number') throw new Error(`Sentry gave no crash_free_rate(user) for ${slug}`);
    projects[slug] = { users, crashedUsers: users > 0 ? Math.round(users * (1 - (cfu as number))) : 0 };
  }
  const all = Object.values(projects);
  return { users: all.reduce((t, p) => t + p.users, 0), crashedUsers: all.reduce((t, p) => t + p.crashedUsers, 0), projects };
}
