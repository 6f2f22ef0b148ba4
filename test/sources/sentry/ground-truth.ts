import type { LocalTracker } from '../../../src/local-tracker';
import type { HealthCounts } from '../../../src/sources/sentry/types';
import { TOKEN } from './fixtures';

type Group = { by: Record<string, string | number>; totals: Record<string, number | null> };

/** One sessions query straight to the tracker, with fetch: no adapter code involved. */
export async function querySessions(tracker: LocalTracker, params: [string, string][]): Promise<{ groups: Group[]; start: string; end: string }> {
  const url = new URL(`${tracker.url}/api/0/organizations/${tracker.org}/sessions/`);
  for (const [k, v] of params) url.searchParams.append(k, v);
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { groups: Group[]; start: string; end: string };
}

/**
 * The tracker's own counts for a release in one project since a day before
 * `now`: so wide that no rounding can cut anything off. Users are counted under
 * their worst session, as Sentry does, so crashed users are the users of the
 * `crashed` status group.
 */
export async function trackerTotals(
  tracker: LocalTracker,
  version: string,
  project: string,
  now: number,
): Promise<HealthCounts & { crashFreeUsers: number | null }> {
  const common: [string, string][] = [
    ['project', String(tracker.projectId(project))],
    ['query', `release:"${version}"`],
    ['environment', 'production'],
    ['start', new Date(now - 86_400_000).toISOString()],
    ['end', new Date(now).toISOString()],
    ['interval', '1h'],
    ['includeSeries', '0'],
  ];
  const [byStatus, rate] = await Promise.all([
    querySessions(tracker, [...common, ['field', 'sum(session)'], ['field', 'count_unique(user)'], ['groupBy', 'session.status']]),
    querySessions(tracker, [...common, ['field', 'crash_free_rate(user)']]),
  ]);
  const of = (status: string, field: string) => byStatus.groups.find((g) => g.by['session.status'] === status)?.totals[field] ?? 0;
  const statuses = ['healthy', 'errored', 'abnormal', 'crashed', 'unhandled'];
  return {
    sessions: statuses.reduce((n, st) => n + of(st, 'sum(session)'), 0),
    crashedSessions: of('crashed', 'sum(session)'),
    erroredSessions: statuses.reduce((n, st) => n + (st === 'healthy' ? 0 : of(st, 'sum(session)')), 0),
    users: statuses.reduce((n, st) => n + of(st, 'count_unique(user)'), 0),
    crashedUsers: of('crashed', 'count_unique(user)'),
    erroredUsers: statuses.reduce((n, st) => n + (st === 'healthy' ? 0 : of(st, 'count_unique(user)')), 0),
    crashFreeUsers: rate.groups[0]?.totals['crash_free_rate(user)'] ?? null,
  };
}
