import type { HealthCounts, HealthSample } from '../types';
import type { SessionsResponse } from './schemas';

export const TOTALS_FIELDS = ['sum(session)', 'count_unique(user)', 'crash_free_rate(user)', 'crash_free_rate(session)'] as const;
export const STATUS_FIELDS = ['sum(session)', 'count_unique(user)'] as const;

/**
 * Sentry rounds `end` up to the interval and sets start = end - ceil(range), so
 * the first part of the asked range can fall out of the answer. Asking from
 * one interval before the deploy keeps all of it (the release has no sessions
 * before its deploy). 1m and 1h are accepted by metrics-based (SaaS) and
 * session-based (self-hosted) release health alike; 1000 buckets at most.
 */
export function sessionsRange(since: number, until: number): { start: number; end: number; interval: string } {
  const minute = 60_000;
  const step = (until - since) / minute + 2 <= 1000 ? minute : 60 * minute;
  return { start: since - step, end: until, interval: step === minute ? '1m' : '1h' };
}

const empty = (): HealthCounts => ({ sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 });

const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Combines the totals response (grouped by project) and the status response
 * (grouped by project and session.status) into cumulative counts per project
 * and overall. `slugById` maps Sentry's numeric project ids back to slugs.
 */
export function toHealthSample(totals: SessionsResponse, statuses: SessionsResponse, slugById: Map<string, string>, at: number): HealthSample {
  // Every configured project is in the sample from the first poll, with zero
  // counts until Sentry has sessions for it: the gate splits alpha over the
  // projects, and that split must not change as projects start reporting.
  const projects: Record<string, HealthCounts> = Object.fromEntries([...slugById.values()].map((slug) => [slug, empty()]));
  const scope = (id: string | number | undefined) => {
    const slug = slugById.get(String(id)) ?? String(id ?? 'unknown');
    return (projects[slug] ??= empty());
  };
  for (const group of totals.groups) {
    const counts = scope(group.by.project);
    counts.sessions = num(group.totals['sum(session)']);
    counts.users = num(group.totals['count_unique(user)']);
    const cfu = group.totals['crash_free_rate(user)'];
    // crash_free_rate is the tracker's own answer; the crashed-status group is only a fallback.
    if (typeof cfu === 'number') counts.crashedUsers = Math.round(counts.users * (1 - cfu));
  }
  const crashedUsersByStatus = new Map<HealthCounts, number>();
  for (const group of statuses.groups) {
    const counts = scope(group.by.project);
    const status = String(group.by['session.status'] ?? '');
    const sessions = num(group.totals['sum(session)']);
    if (status === 'crashed') {
      counts.crashedSessions += sessions;
      crashedUsersByStatus.set(counts, num(group.totals['count_unique(user)']));
    }
    if (status === 'crashed' || status === 'errored' || status === 'abnormal') counts.erroredSessions += sessions;
  }
  for (const [slug, counts] of Object.entries(projects)) {
    const totalsGroup = totals.groups.find((g) => (slugById.get(String(g.by.project)) ?? String(g.by.project)) === slug);
    if (typeof totalsGroup?.totals['crash_free_rate(user)'] !== 'number') counts.crashedUsers = crashedUsersByStatus.get(counts) ?? 0;
  }
  const overall = empty();
  for (const counts of Object.values(projects)) {
    for (const key of Object.keys(overall) as (keyof HealthCounts)[]) overall[key] += counts[key];
  }
  return { ...overall, at, projects };
}
