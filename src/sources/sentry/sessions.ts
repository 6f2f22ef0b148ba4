import { oneLine } from '../../util/text';
import { TrackerAnswerError } from '../errors';
import type { HealthCounts, HealthSample, UserCounts } from './types';
import type { SessionsResponse } from './schemas';

export const COUNT_FIELDS = ['sum(session)', 'count_unique(user)'] as const;
export const RATE_FIELDS = ['crash_free_rate(user)', 'crash_free_rate(session)'] as const;
/** Metrics-backed Sentry's share of sessions that were not healthy; saves the status query. */
export const STATUS_FIELDS = COUNT_FIELDS;

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
/** Intervals Sentry accepts on both backends: whole minutes that divide a day (sessions_v2.get_constrained_date_range). */
const STEPS = Array.from({ length: DAY_MINUTES }, (_, i) => i + 1).filter((m) => DAY_MINUTES % m === 0);
/** Sentry refuses more buckets than this (sessions_v2.MAX_POINTS). */
export const MAX_BUCKETS = 1000;
/**
 * Sentry keeps at most this many group × bucket rows and drops the groups past
 * it without a word (sessions_v2.SNUBA_LIMIT; the metrics layer allows 10,000,
 * the legacy sessions dataset 5,000: the smaller one holds for both).
 */
export const MAX_ROWS = 5000;

const intervalText = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`);

/**
 * The range and interval to ask for. Sentry moves `start` back to an interval
 * boundary and `end` forward to one (metrics/utils.to_intervals). `start` is
 * asked on a boundary, so its rounding has nothing to move; `end` is asked as
 * is (the poll's now): moving it forward adds only time after now, which has
 * no sessions, and keeps each poll's requests told apart by their end. `cover` (the
 * cumulative counts since the deploy) rounds start down: the release has no
 * sessions before its deploy. Otherwise (a span from mid-window) start rounds
 * up, so no user from before the span is counted: the span is shorter by less
 * than one interval, never longer. The interval is the smallest whole minute
 * (whole hour with `hourly`) that keeps the buckets within Sentry's limits
 * for `groups` projects. With `settled`, `end` is rounded down instead (see
 * there); `end === start` then means no settled data yet: ask nothing.
 */
export function sessionsRange(
  since: number,
  until: number,
  opts: { cover?: boolean; groups?: number; hourly?: boolean; settled?: boolean } = {},
): { start: number; end: number; interval: string } {
  const cover = opts.cover ?? true;
  const maxBuckets = Math.min(MAX_BUCKETS, Math.floor(MAX_ROWS / Math.max(1, opts.groups ?? 1)));
  for (const minutes of opts.hourly ? STEPS.filter((m) => m % 60 === 0) : STEPS) {
    const step = minutes * MINUTE;
    let start = (cover ? Math.floor(since / step) : Math.ceil(since / step)) * step;
    if (opts.settled) {
      // `until` is a settled cut: what lies after it is still arriving, and
      // Sentry would round `end` forward into it. Asked on the boundary at or
      // before it, there is nothing to round; an empty range when none is left.
      const end = Math.max(start, Math.floor(until / step) * step);
      if (Math.ceil((end - start) / step) <= maxBuckets) return { start, end, interval: intervalText(minutes) };
      continue;
    }
    // A span shorter than one interval has no boundary inside it: ask it as is, Sentry rounds it.
    if (!cover && start >= until) start = since;
    const end = Math.max(until, start + 1);
    const buckets = Math.ceil((end - Math.floor(start / step) * step) / step);
    if (buckets <= maxBuckets) return { start, end, interval: intervalText(minutes) };
  }
  throw new RangeError(`no interval fits ${since}..${until} in ${maxBuckets} buckets`);
}

const num = (v: number | null | undefined) => (typeof v === 'number' ? v : 0);

/**
 * Refuses an answer no server should give: negative or fractional counts,
 * rates outside [0, 1]. Such a poll is skipped, never health data.
 */
export function checkAnswer(res: SessionsResponse): void {
  for (const group of res.groups) {
    for (const [field, value] of Object.entries(group.totals)) {
      if (value === null) continue;
      const bad = (COUNT_FIELDS as readonly string[]).includes(field)
        ? !Number.isSafeInteger(value) || value < 0
        : field.includes('_rate(') && !(value >= 0 && value <= 1);
      if (bad) throw new TrackerAnswerError(`Sentry answered ${fieldName(field)} = ${value} for ${groupName(group.by)}: not a count or rate`);
    }
  }
}

const ASKED: readonly string[] = [...COUNT_FIELDS, ...RATE_FIELDS];

// The key and the group come from the answer: quoted only when they are what was asked, and
// short, or one answer could put megabytes into every skipped poll's record and the reason.
const fieldName = (field: string) => (ASKED.includes(field) ? field : 'a rate field not asked for');

function groupName(by: Record<string, string | number>): string {
  const parts = ['project', 'session.status'].filter((k) => by[k] !== undefined).map((k) => `${k} ${oneLine(String(by[k]), 40)}`);
  return parts.length ? parts.join(', ') : 'a group';
}

/**
 * Whether the totals response alone gives what is needed: the tracker answered
 * the rates wherever there were users or sessions. A self-hosted Sentry on the
 * sessions dataset drops the rate fields without a word; then the status query
 * gives the crashes.
 */
export function totalsSuffice(totals: SessionsResponse): boolean {
  return totals.groups.every((g) => {
    const rateOr = (count: string, rate: string) => num(g.totals[count]) === 0 || typeof g.totals[rate] === 'number';
    return rateOr('count_unique(user)', 'crash_free_rate(user)') && rateOr('sum(session)', 'crash_free_rate(session)');
  });
}

/** Whether every group that has users also has crash_free_rate(user). */
export function usersSuffice(totals: SessionsResponse): boolean {
  return totals.groups.every((g) => num(g.totals['count_unique(user)']) === 0 || typeof g.totals['crash_free_rate(user)'] === 'number');
}

function checkCounts(where: string, c: HealthCounts): void {
  const wrong =
    c.crashedSessions > c.sessions
      ? `${c.crashedSessions} crashed of ${c.sessions} sessions`
      : c.crashedUsers > c.users
        ? `${c.crashedUsers} crashed of ${c.users} users`
        : c.erroredSessions !== null && c.erroredSessions > c.sessions
          ? `${c.erroredSessions} unhealthy of ${c.sessions} sessions`
          : null;
  if (wrong) throw new TrackerAnswerError(`Sentry answered ${wrong} for ${where}`);
}

/**
 * Combines the totals response (grouped by project) and, when it was asked
 * for, the status response (grouped by project and session.status) into
 * cumulative counts per project and overall. Unhealthy sessions are every
 * status but healthy (Sentry's groups are disjoint: errored excludes crashed,
 * abnormal and, since it exists, unhandled; sessions_v2.SessionsField), from
 * the status query; null when it was not asked for. `unhealthy`: the check wants
 * them, so a sample with nothing to read (no settled data yet) says 0, not null.
 * Groups of projects not asked for are left out. `slugById` maps Sentry's
 * numeric project ids back to slugs.
 */
export function toHealthSample(
  totals: SessionsResponse,
  statuses: SessionsResponse | null,
  slugById: Map<string, string>,
  at: number,
  unhealthy = statuses !== null,
): HealthSample {
  const empty = (): HealthCounts => ({ sessions: 0, crashedSessions: 0, erroredSessions: unhealthy || statuses ? 0 : null, users: 0, crashedUsers: 0 });
  // Every configured project is in the sample from the first poll, with zero
  // counts until Sentry has sessions for it: the gate splits alpha over the
  // projects, and that split must not change as projects start reporting.
  const projects: Record<string, HealthCounts> = Object.fromEntries([...slugById.values()].map((slug) => [slug, empty()]));
  const scope = (id: string | number | undefined) => {
    const slug = slugById.get(String(id));
    return slug === undefined ? undefined : projects[slug];
  };
  const ratesFor = new Set<HealthCounts>();
  const healthyUsers = new Map<HealthCounts, number>();
  for (const group of totals.groups) {
    const counts = scope(group.by.project);
    if (!counts) continue;
    counts.sessions = num(group.totals['sum(session)']);
    counts.users = num(group.totals['count_unique(user)']);
    const cfu = group.totals['crash_free_rate(user)'];
    const cfs = group.totals['crash_free_rate(session)'];
    // The rates are the tracker's own answer; the status groups are only a fallback.
    if (typeof cfu === 'number') {
      counts.crashedUsers = Math.round(counts.users * (1 - cfu));
      ratesFor.add(counts);
    }
    if (!statuses && typeof cfs === 'number') counts.crashedSessions = Math.round(counts.sessions * (1 - cfs));
  }
  for (const group of statuses?.groups ?? []) {
    const counts = scope(group.by.project);
    if (!counts) continue;
    const status = String(group.by['session.status'] ?? '');
    const sessions = num(group.totals['sum(session)']);
    if (status === 'crashed') {
      counts.crashedSessions += sessions;
      if (!ratesFor.has(counts)) counts.crashedUsers = num(group.totals['count_unique(user)']);
    }
    if (status !== 'healthy') counts.erroredSessions = (counts.erroredSessions ?? 0) + sessions;
    // Sentry's healthy users are all users minus those with any unhealthy session (SessionMRI.HEALTHY_USER).
    if (status === 'healthy') healthyUsers.set(counts, num(group.totals['count_unique(user)']));
  }
  if (statuses) {
    for (const c of Object.values(projects)) c.erroredUsers = Math.max(0, c.users - (healthyUsers.get(c) ?? 0));
  }
  const overall = empty();
  for (const [slug, c] of Object.entries(projects)) {
    checkCounts(slug, c);
    overall.sessions += c.sessions;
    overall.crashedSessions += c.crashedSessions;
    overall.users += c.users;
    overall.crashedUsers += c.crashedUsers;
    if (overall.erroredSessions !== null) overall.erroredSessions = c.erroredSessions === null ? null : overall.erroredSessions + c.erroredSessions;
    if (statuses) overall.erroredUsers = (overall.erroredUsers ?? 0) + (c.erroredUsers ?? 0);
  }
  return { ...overall, at, projects };
}

/**
 * Users and crashed users per project from a totals response, or from the
 * status response (crashed users are the `crashed` group's) when the tracker
 * has no crash_free_rate(user). Projects not asked for are left out.
 */
export function toUserCounts(totals: SessionsResponse, statuses: SessionsResponse | null, slugById: Map<string, string>): UserCounts {
  const projects: UserCounts['projects'] = Object.fromEntries([...slugById.values()].map((slug) => [slug, { users: 0, crashedUsers: 0 }]));
  for (const group of totals.groups) {
    const slug = slugById.get(String(group.by.project));
    if (slug === undefined) continue;
    const users = num(group.totals['count_unique(user)']);
    const cfu = group.totals['crash_free_rate(user)'];
    if (users > 0 && typeof cfu !== 'number' && !statuses) throw new TrackerAnswerError(`Sentry gave no crash_free_rate(user) for ${slug}`);
    projects[slug] = { users, crashedUsers: users > 0 && typeof cfu === 'number' ? Math.round(users * (1 - cfu)) : 0 };
  }
  for (const group of statuses?.groups ?? []) {
    const slug = slugById.get(String(group.by.project));
    if (slug === undefined || group.by['session.status'] !== 'crashed') continue;
    const p = projects[slug]!;
    p.crashedUsers = num(group.totals['count_unique(user)']);
  }
  for (const [slug, p] of Object.entries(projects)) {
    if (p.crashedUsers > p.users) throw new TrackerAnswerError(`Sentry answered ${p.crashedUsers} crashed of ${p.users} users for ${slug}`);
  }
  const all = Object.values(projects);
  return { users: all.reduce((t, p) => t + p.users, 0), crashedUsers: all.reduce((t, p) => t + p.crashedUsers, 0), projects };
}

/** Names the first count of `now` below the same count of `before`: cumulative counts cannot go down. */
export function decrease(before: HealthSample, now: HealthSample): string | null {
  const keys = ['sessions', 'crashedSessions', 'erroredSessions', 'users', 'crashedUsers'] as const;
  const scopes: [string, HealthCounts, HealthCounts | undefined][] = [
    ['all projects', now, before],
    ...Object.entries(now.projects).map(([slug, c]): [string, HealthCounts, HealthCounts | undefined] => [slug, c, before.projects[slug]]),
  ];
  for (const [where, c, b] of scopes) {
    if (!b) continue;
    for (const k of keys) {
      const x = c[k];
      const y = b[k];
      if (x !== null && y !== null && x < y) return `${k} of ${where} went down from ${y} to ${x}`;
    }
  }
  return null;
}
