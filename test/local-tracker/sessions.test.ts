import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, listScenarios, startLocalTracker } from '../../src/local-tracker';
import { MIN, call, manualClock } from './client';

const VERSION = 'shop-web@2.0.0';
const T0 = Date.parse('2026-06-03T02:00:00Z');
const open: LocalTracker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** A tracker running `scenario` with VERSION created and deployed to production at T0. */
async function deployed(scenario: string, projects = ['shop-web']) {
  const clock = manualClock(T0);
  const t = await startLocalTracker({ scenario, clock: clock.now });
  open.push(t);
  const slugs = t.state.projects.map((p) => p.slug).filter((s) => projects.includes(s));
  await call(t, 'POST', 'releases/', { body: { version: VERSION, projects: slugs } });
  await call(t, 'POST', `releases/${encodeURIComponent(VERSION)}/deploys/`, {
    body: { environment: 'production', dateFinished: new Date(T0).toISOString(), projects: slugs },
  });
  return { t, clock };
}

interface Totals {
  sessions: number;
  users: number;
  cfu: number | null;
  cfs: number | null;
  status: Record<string, { sessions: number; users: number }>;
}

/** The two queries the adapter makes: rates and counts, then counts by session.status. */
async function health(t: LocalTracker, opts: { version?: string; from?: number; to?: number; project?: number[] } = {}): Promise<Totals> {
  const query = {
    field: ['sum(session)', 'count_unique(user)', 'crash_free_rate(user)', 'crash_free_rate(session)'],
    query: `release:"${opts.version ?? VERSION}"`,
    environment: 'production',
    project: opts.project ?? [-1],
    start: new Date(opts.from ?? T0).toISOString(),
    end: new Date(opts.to ?? t.now()).toISOString(),
    interval: '1m',
  };
  const all = await call(t, 'GET', 'sessions/', { query });
  expect(all.status).toBe(200);
  // A range with no whole interval has no groups at all (sessions_v2._empty_result).
  const g = all.body.groups[0]?.totals ?? { 'sum(session)': 0, 'count_unique(user)': 0 };
  const byStatus = await call(t, 'GET', 'sessions/', {
    query: { ...query, field: ['sum(session)', 'count_unique(user)'], groupBy: 'session.status' },
  });
  expect(byStatus.status).toBe(200);
  const status: Totals['status'] = {};
  for (const grp of byStatus.body.groups) {
    status[grp.by['session.status']] = { sessions: grp.totals['sum(session)'], users: grp.totals['count_unique(user)'] };
  }
  return { sessions: g['sum(session)'], users: g['count_unique(user)'], cfu: g['crash_free_rate(user)'], cfs: g['crash_free_rate(session)'], status };
}

describe('local tracker: sessions', () => {
  it('lists every scenario the brief names, each with a description', () => {
    const names = listScenarios().map((s) => s.name);
    for (const n of [
      'healthy',
      'crash-spike',
      'slow-burn',
      'low-traffic',
      'error-rate',
      'new-issue',
      'new-issue-small',
      'baseline-regression',
      'two-projects',
      'noisy-user',
      'ingestion-delay',
      'outage',
    ]) {
      expect(names).toContain(n);
    }
    expect(listScenarios().every((s) => s.description.length > 10)).toBe(true);
  });

  it('returns the schema shape with rounded start/end, one interval per bucket, and series summing to totals', async () => {
    const { t, clock } = await deployed('healthy');
    clock.advance(10 * MIN + 7_000);
    const res = await call(t, 'GET', 'sessions/', {
      query: {
        field: ['sum(session)', 'crash_free_rate(session)'],
        query: `release:${VERSION}`,
        start: '2026-06-03T02:00:00Z',
        end: new Date(t.now()).toISOString(),
        interval: '1m',
        project: t.projectId('shop-web'),
      },
    });
    expect(res.body.start).toBe('2026-06-03T02:00:00Z');
    expect(res.body.end).toBe('2026-06-03T02:11:00Z');
    expect(res.body.intervals).toHaveLength(11);
    expect(res.body.intervals[1]).toBe('2026-06-03T02:01:00Z');
    expect(res.body.query).toBe(`release:${VERSION}`);
    const [group] = res.body.groups;
    expect(group.by).toEqual({});
    const series: number[] = group.series['sum(session)'];
    expect(series.reduce((a, b) => a + b, 0)).toBe(group.totals['sum(session)']);
    // 120 sessions/min, 10 min 7 s elapsed, the last 30 s not yet ingested.
    expect(group.totals['sum(session)']).toBeGreaterThan(120 * 9.5);
    expect(group.totals['sum(session)']).toBeLessThan(120 * 9.8);
    expect(series.at(-1)).toBe(0);
    expect(group.series['crash_free_rate(session)'].at(-1)).toBeNull(); // empty bucket
    expect(group.totals['crash_free_rate(session)']).toBeGreaterThan(0.99);

    const bare = await call(t, 'GET', 'sessions/', {
      query: { field: 'sum(session)', query: `release:"${VERSION}" environment:production`, statsPeriod: '1h', interval: '10m', includeSeries: 0, per_page: 5 },
    });
    expect(bare.body.intervals).toEqual([]);
    expect(bare.body.groups[0].series).toEqual({});
    expect(bare.body.groups[0].totals['sum(session)']).toBe(group.totals['sum(session)']);
    const noTotals = await call(t, 'GET', 'sessions/', { query: { field: 'sum(session)', statsPeriod: '1h', includeTotals: 0 } });
    expect(noTotals.body.groups[0].totals).toEqual({});
  });

  it('is deterministic for a seed and cumulative: counts never go down as time passes', async () => {
    const a = await deployed('slow-burn');
    const b = await deployed('slow-burn');
    let prev = { sessions: 0, users: 0, crashed: 0 };
    for (let minute = 1; minute <= 16; minute += 3) {
      a.clock.set(T0 + minute * MIN);
      b.clock.set(T0 + minute * MIN);
      const ha = await health(a.t);
      expect(await health(b.t)).toEqual(ha);
      const crashed = ha.status.crashed!.sessions;
      expect(ha.sessions).toBeGreaterThanOrEqual(prev.sessions);
      expect(ha.users).toBeGreaterThanOrEqual(prev.users);
      expect(crashed).toBeGreaterThanOrEqual(prev.crashed);
      prev = { sessions: ha.sessions, users: ha.users, crashed };
    }
    // Slow burn: healthy for 8 minutes, then 5% of sessions crash.
    a.clock.set(T0 + 8 * MIN);
    const early = await health(a.t);
    expect(early.cfs!).toBeGreaterThan(0.995);
    a.clock.set(T0 + 20 * MIN);
    const late = await health(a.t, { from: T0 + 9 * MIN });
    expect(late.cfs!).toBeLessThan(0.97);
    expect(late.cfs!).toBeGreaterThan(0.93);
  });

  it('splits by session.status like Sentry: errored excludes crashed, users counted by their worst session', async () => {
    const { t, clock } = await deployed('error-rate');
    clock.advance(15 * MIN);
    const h = await health(t);
    // Current Sentry has a fifth status: errored sessions with an unhandled error (sessions_v2.SessionsField).
    expect(Object.keys(h.status).sort()).toEqual(['abnormal', 'crashed', 'errored', 'healthy', 'unhandled']);
    expect(h.status.unhandled!.sessions).toBeGreaterThan(0);
    const sumSessions = Object.values(h.status).reduce((s, x) => s + x.sessions, 0);
    const sumUsers = Object.values(h.status).reduce((s, x) => s + x.users, 0);
    expect(sumSessions).toBe(h.sessions);
    expect(sumUsers).toBe(h.users);
    const errored = h.status.errored!.sessions + h.status.unhandled!.sessions;
    expect(errored / h.sessions).toBeGreaterThan(0.17);
    expect(errored / h.sessions).toBeLessThan(0.23);
    expect(h.cfs!).toBeGreaterThan(0.995);
    // crash-free users from the rate field agrees with crashed users by status
    expect(h.cfu).toBeCloseTo(1 - h.status.crashed!.users / h.users, 10);
  });

  it('groups by project and session.status together (two-projects: web healthy, api regressing)', async () => {
    const { t, clock } = await deployed('two-projects', ['shop-web', 'shop-api']);
    clock.advance(12 * MIN);
    const res = await call(t, 'GET', 'sessions/', {
      query: { field: ['sum(session)'], groupBy: ['project', 'session.status'], query: `release:"${VERSION}"`, statsPeriod: '1h', interval: '10m' },
    });
    expect(res.body.groups).toHaveLength(10);
    const crashShare = (id: number) => {
      const rows = res.body.groups.filter((g: { by: { project: number } }) => g.by.project === id);
      const total = rows.reduce((s: number, g: { totals: Record<string, number> }) => s + g.totals['sum(session)']!, 0);
      return rows.find((g: { by: Record<string, string> }) => g.by['session.status'] === 'crashed').totals['sum(session)'] / total;
    };
    expect(crashShare(t.projectId('shop-web'))).toBeLessThan(0.01);
    expect(crashShare(t.projectId('shop-api'))).toBeGreaterThan(0.03);
    const web = await health(t, { project: [t.projectId('shop-web')] });
    const api = await health(t, { project: [t.projectId('shop-api')] });
    const both = await health(t);
    expect(web.sessions + api.sessions).toBe(both.sessions);
  });

  it('shapes each scenario as described', async () => {
    const spike = await deployed('crash-spike');
    spike.clock.advance(10 * MIN);
    expect((await health(spike.t)).cfu!).toBeLessThan(0.9);

    const low = await deployed('low-traffic');
    low.clock.advance(15 * MIN);
    const l = await health(low.t);
    expect(l).toMatchObject({ sessions: 2, users: 2, cfu: 0.5, cfs: 0.5 });

    const noisy = await deployed('noisy-user');
    noisy.clock.advance(15 * MIN);
    const n = await health(noisy.t);
    expect(n.cfs!).toBeLessThan(0.985); // the noisy user's crashes weigh on sessions...
    expect(n.cfu!).toBeGreaterThan(0.99); // ...but it is one user
    expect(n.status.crashed!.users).toBeLessThanOrEqual(5);

    const late = await deployed('ingestion-delay');
    late.clock.advance(2 * MIN);
    expect((await health(late.t)).sessions).toBe(0);
    late.clock.advance(3 * MIN);
    expect((await health(late.t)).sessions).toBeGreaterThan(200);

    const base = await deployed('baseline-regression');
    base.clock.advance(20 * MIN);
    const cur = await health(base.t);
    const prev = await health(base.t, { version: 'shop-web@1.4.0', from: T0 - 60 * MIN, to: T0 });
    expect(prev.sessions).toBe(300 * 60);
    expect(1 - prev.cfs!).toBeLessThan(0.002);
    expect(1 - cur.cfs!).toBeGreaterThan(0.02);
    expect(1 - cur.cfs!).toBeLessThan(0.03);
    // The previous release stops receiving sessions once the new one is deployed.
    expect((await health(base.t, { version: 'shop-web@1.4.0', from: T0 })).sessions).toBe(0);
  });

  it('answers no data as Sentry does: one empty group, null rates', async () => {
    const { t } = await deployed('healthy');
    const res = await call(t, 'GET', 'sessions/', {
      query: { field: ['sum(session)', 'crash_free_rate(user)'], query: 'release:"nope@1"', statsPeriod: '1h', interval: '5m' },
    });
    expect(res.body.groups).toEqual([
      {
        by: {},
        totals: { 'sum(session)': 0, 'crash_free_rate(user)': null },
        series: { 'sum(session)': Array(12).fill(0), 'crash_free_rate(user)': Array(12).fill(null) },
      },
    ]);
    const staging = await health(t, { version: VERSION });
    expect(staging.sessions).toBe(0);
  });

  it('rounds as Sentry does (to_intervals): start back to an interval boundary, end forward to one', async () => {
    const { t, clock } = await deployed('healthy');
    clock.advance(40 * MIN);
    const ask = (start: string, end: string, interval: string) =>
      call(t, 'GET', 'sessions/', { query: { field: 'sum(session)', query: `release:"${VERSION}"`, start, end, interval, project: t.projectId('shop-web') } });
    const a = await ask('2026-06-03T02:10:30Z', '2026-06-03T02:20:10Z', '1m');
    expect([a.body.start, a.body.end, a.body.intervals.length]).toEqual(['2026-06-03T02:10:00Z', '2026-06-03T02:21:00Z', 11]);
    const b = await ask('2026-06-03T02:10:30Z', '2026-06-03T02:20:10Z', '1h');
    expect([b.body.start, b.body.end]).toEqual(['2026-06-03T02:00:00Z', '2026-06-03T03:00:00Z']);
    // 1000 buckets at most, counted from the rounded start
    expect((await ask('2026-06-03T02:00:00Z', '2026-06-03T18:40:00Z', '1m')).status).toBe(200);
    expect((await ask('2026-06-03T01:59:30Z', '2026-06-03T18:40:00Z', '1m')).status).toBe(400);
  });

  it('keeps only the groups with the most sessions that fit 10,000 rows, and drops the rest without a word', async () => {
    const projects = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    const clock = manualClock(T0);
    const t = await startLocalTracker({ scenario: 'healthy', clock: clock.now, projects });
    open.push(t);
    await call(t, 'POST', 'releases/', { body: { version: VERSION, projects } });
    await call(t, 'POST', `releases/${encodeURIComponent(VERSION)}/deploys/`, {
      body: { environment: 'production', dateFinished: new Date(T0).toISOString() },
    });
    clock.advance(17 * 60 * MIN);
    const ask = (interval: string) =>
      call(t, 'GET', 'sessions/', {
        query: {
          field: 'sum(session)',
          groupBy: 'project',
          query: `release:"${VERSION}"`,
          start: new Date(T0).toISOString(),
          end: new Date(T0 + 1000 * MIN).toISOString(),
          interval,
        },
      });
    expect((await ask('1m')).body.groups).toHaveLength(10);
    expect((await ask('2m')).body.groups).toHaveLength(12);
  });

  it('as a self-hosted Sentry on the sessions dataset: rate fields dropped without a word, four statuses', async () => {
    const { t, clock } = await deployed('error-rate');
    t.state.backend = 'sessions';
    clock.advance(15 * MIN);
    const common = { query: `release:"${VERSION}"`, start: new Date(T0).toISOString(), end: new Date(t.now()).toISOString(), interval: '1m', includeSeries: 0 };
    const rates = await call(t, 'GET', 'sessions/', { query: { ...common, field: ['sum(session)', 'crash_free_rate(user)', 'unhealthy_rate(session)'] } });
    expect(rates.status).toBe(200);
    expect(Object.keys(rates.body.groups[0].totals)).toEqual(['sum(session)']);
    const byStatus = await call(t, 'GET', 'sessions/', { query: { ...common, field: 'sum(session)', groupBy: 'session.status' } });
    expect(byStatus.body.groups.map((g: { by: Record<string, string> }) => g.by['session.status']).sort()).toEqual([
      'abnormal',
      'crashed',
      'errored',
      'healthy',
    ]);
  });

  it('answers an organization token (org:ci only) 403 on sessions and issues, as Sentry does', async () => {
    const token = 'sntrys_eyJvcmciOiJhY21lIn0=_secret';
    const t = await startLocalTracker({ scenario: 'healthy', token });
    open.push(t);
    const get = (path: string) => fetch(`${t.url}/api/0/organizations/acme/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('sessions/?field=sum(session)&statsPeriod=1h')).status).toBe(403);
    expect((await get('issues/')).status).toBe(403);
    expect((await get('releases/')).status).toBe(200);
  });

  it('validates interval, grouping and projects with Sentry’s 400/403 answers', async () => {
    const { t } = await deployed('healthy');
    const base = { field: 'sum(session)', statsPeriod: '1d' };
    const bad = async (query: Record<string, string | string[] | number>, status: number, text: string) => {
      const res = await call(t, 'GET', 'sessions/', { query, validate: false });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ detail: text });
    };
    await bad({ ...base, interval: '15s' }, 400, 'The interval has to be a multiple of the minimum interval of ten seconds.');
    await bad({ ...base, interval: '5s' }, 400, 'The interval has to be a multiple of the minimum interval of ten seconds.');
    await bad({ ...base, interval: '3610s', statsPeriod: '2d' }, 400, 'The interval should divide one day without a remainder.');
    await bad({ ...base, interval: '2d', statsPeriod: '4d' }, 400, 'The interval should divide one day without a remainder.');
    await bad(
      { ...base, interval: '10s', statsPeriod: '90d' },
      400,
      'Your interval and date range would create too many results. Use a larger interval, or a smaller date range.',
    );
    await bad(
      { field: 'crash_free_rate(user)', groupBy: 'session.status', statsPeriod: '1h' },
      400,
      'Cannot group field crash_free_rate(user) by session.status',
    );
    await bad({ statsPeriod: '1h' }, 400, 'Request is missing a "field"');
    await bad({ ...base, project: 'shop-web' }, 400, 'Invalid project parameter. Values must be numbers.');
    await bad({ ...base, project: 999 }, 403, 'You do not have permission to perform this action.');
    // 10 s over 2 h 46 min is exactly 1000 points: allowed.
    const ok = await call(t, 'GET', 'sessions/', { query: { field: 'sum(session)', statsPeriod: '10000s', interval: '10s' } });
    expect(ok.status).toBe(200);
    expect(ok.body.intervals).toHaveLength(1000);
  });
});
