import { describe, expect, it } from 'vitest';
import { MIN, adapterSetup, deployRelease } from './fixtures';
import { querySessions, trackerTotals } from './ground-truth';
import type { HealthCounts } from '../../../src/sources/sentry/types';

const VERSION = 'shop-web@2.0.0';
const sessionRequests = (s: { tracker: { requests: { path: string }[] } }) => s.tracker.requests.filter((r) => r.path.endsWith('/sessions/')).length;

describe('sample() against the local tracker', () => {
  it.for([
    [['shop-web'], false, 1],
    [['shop-web', 'shop-api'], false, 1],
    [['shop-web', 'shop-api', 'shop-ios'], false, 1],
    // the error-rate check judges users with an unhealthy session: only the status query counts them
    [['shop-web'], true, 2],
    [['shop-web', 'shop-api', 'shop-ios'], true, 2],
  ] as const)('%s, unhealthy sessions asked for: %s: %i session requests per call', async ([projects, unhealthy, perCall]) => {
    const s = await adapterSetup({ scenario: 'healthy', projects: [...projects] });
    try {
      const since = await deployRelease(s, VERSION);
      for (let poll = 1; poll <= 3; poll++) {
        s.clock.advance(MIN);
        const sample = await s.adapter.sample({ version: VERSION, projects: [...projects], environment: 'production', since, until: s.clock.now(), unhealthy });
        expect(Object.keys(sample.projects).sort()).toEqual([...projects].sort());
        expect(sample.erroredSessions === null).toBe(!unhealthy);
        expect(sessionRequests(s)).toBe(perCall * poll);
      }
    } finally {
      await s.close();
    }
  });

  it("returns the tracker's own counts per project and in total, crashed users consistent with crash_free_rate(user)", async () => {
    const s = await adapterSetup({ scenario: 'two-projects' });
    try {
      const since = await deployRelease(s, VERSION);
      s.clock.advance(20 * MIN);
      const now = s.clock.now();
      const sample = await s.adapter.sample({ version: VERSION, projects: s.projects, environment: 'production', since, until: now, unhealthy: true });
      expect(sample.at).toBe(now);
      for (const project of ['shop-web', 'shop-api']) {
        const { crashFreeUsers, ...truth } = await trackerTotals(s.tracker, VERSION, project, now);
        expect(sample.projects[project]).toEqual(truth);
        expect(truth.sessions).toBeGreaterThan(1000);
        expect(truth.crashedUsers).toBeGreaterThan(0);
        expect(1 - truth.crashedUsers / truth.users).toBeCloseTo(crashFreeUsers as number, 12);
      }
      const web = sample.projects['shop-web']!;
      const api = sample.projects['shop-api']!;
      for (const key of ['sessions', 'crashedSessions', 'erroredSessions', 'users', 'crashedUsers'] as const) expect(sample[key]).toBe(web[key]! + api[key]!);
      // the scenario: shop-web crashes 0.1% of sessions, shop-api 5%
      expect(web.crashedSessions / web.sessions).toBeLessThan(0.01);
      expect(api.crashedSessions / api.sessions).toBeGreaterThan(0.03);
      expect(api.erroredSessions).toBeGreaterThan(api.crashedSessions);
    } finally {
      await s.close();
    }
  });

  it('counts nothing before the deploy, and grows as sessions are ingested', async () => {
    const s = await adapterSetup({ scenario: 'healthy' });
    try {
      const since = await deployRelease(s, VERSION);
      const q = () => s.adapter.sample({ version: VERSION, projects: s.projects, environment: 'production', since, until: s.clock.now() });
      expect((await q()).sessions).toBe(0);
      s.clock.advance(5 * MIN);
      const a = await q();
      s.clock.advance(5 * MIN);
      const b = await q();
      // 120 sessions a minute, visible 30 s after they start
      expect(a.sessions).toBeGreaterThan(4 * 120);
      expect(a.sessions).toBeLessThan(5 * 120);
      expect(b.sessions - a.sessions).toBeGreaterThan(4.5 * 120);
      expect(b.sessions - a.sessions).toBeLessThan(5.5 * 120);
    } finally {
      await s.close();
    }
  });
});

describe('sample() without unhealthy sessions, and usersBetween()', () => {
  it('gives the same crash counts from crash_free_rate in one request, unhealthy sessions unknown', async () => {
    const s = await adapterSetup({ scenario: 'two-projects' });
    try {
      const since = await deployRelease(s, VERSION);
      s.clock.advance(20 * MIN);
      const q = { version: VERSION, projects: s.projects, environment: 'production', since, until: s.clock.now() };
      const full = await s.adapter.sample({ ...q, unhealthy: true });
      const before = sessionRequests(s);
      const lean = await s.adapter.sample(q);
      expect(sessionRequests(s) - before).toBe(1);
      expect(full.crashedSessions).toBeGreaterThan(0);
      const known = (c: HealthCounts) => ({ sessions: c.sessions, crashedSessions: c.crashedSessions, users: c.users, crashedUsers: c.crashedUsers });
      expect(known(lean)).toEqual(known(full));
      for (const project of s.projects) expect(known(lean.projects[project]!)).toEqual(known(full.projects[project]!));
      expect(lean.erroredSessions).toBeNull();
      expect(lean.projects['shop-api']!.erroredSessions).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('counts the users of a span over that span, which a difference of samples since the deploy cannot', async () => {
    const s = await adapterSetup({ scenario: 'crash-spike' });
    try {
      const since = await deployRelease(s, VERSION);
      const q = { version: VERSION, projects: s.projects, environment: 'production', since };
      s.clock.advance(10 * MIN);
      const half = await s.adapter.sample({ ...q, until: s.clock.now() });
      s.clock.advance(10 * MIN);
      const end = s.clock.now();
      const last = await s.adapter.sample({ ...q, until: end });
      const before = sessionRequests(s);
      const span = await s.adapter.usersBetween({ ...q, since: half.at, until: end });
      expect(sessionRequests(s) - before).toBe(1);
      // The tracker's own answer for the span.
      const common: [string, string][] = [
        ['project', String(s.tracker.projectId('shop-web'))],
        ['query', `release:"${VERSION}"`],
        ['environment', 'production'],
        ['start', new Date(half.at).toISOString()],
        ['end', new Date(end).toISOString()],
        ['interval', '1m'],
        ['includeSeries', '0'],
      ];
      const users = (await querySessions(s.tracker, [...common, ['field', 'count_unique(user)']])).groups[0]!.totals['count_unique(user)'];
      const byStatus = await querySessions(s.tracker, [...common, ['field', 'count_unique(user)'], ['groupBy', 'session.status']]);
      const crashed = byStatus.groups.find((g) => g.by['session.status'] === 'crashed')!.totals['count_unique(user)'];
      expect(span).toMatchObject({ users, crashedUsers: crashed });
      expect(span.projects['shop-web']).toEqual({ users, crashedUsers: crashed });
      // Users come back: many of the span's users were already counted before it.
      expect(span.users).toBeGreaterThan(1.2 * (last.users - half.users));
    } finally {
      await s.close();
    }
  });
});

describe('newIssues() against the local tracker', () => {
  it("returns the issues first seen in this release, with their user counts, and not the previous release's", async () => {
    const s = await adapterSetup({ scenario: 'new-issue' });
    try {
      await deployRelease(s, VERSION);
      s.clock.advance(10 * MIN);
      const issues = await s.adapter.newIssues({ version: VERSION, projects: s.projects, environment: 'production' });
      expect(issues.map(({ title, userCount, count, project }) => ({ title, userCount, count, project }))).toEqual([
        { title: "TypeError: Cannot read properties of undefined (reading 'total')", userCount: 12, count: 31, project: 'shop-web' },
        { title: 'Error: <script>alert(1)</script> | **bold** [x](javascript:alert(1)) @here', userCount: 2, count: 2, project: 'shop-web' },
      ]);
      for (const issue of issues) {
        expect(issue.permalink).toMatch(new RegExp(`^${s.tracker.url}/organizations/acme/issues/\\d+/$`));
        expect(Date.parse(issue.firstSeen)).toBeLessThan(s.clock.now());
        expect(issue.shortId).toMatch(/^SHOP-WEB-/);
      }
      const sent = s.tracker.requests.find((r) => r.path.endsWith('/issues/'));
      expect(sent?.query).toMatchObject({
        query: `firstRelease:"${VERSION}"`,
        environment: 'production',
        project: String(s.tracker.projectId('shop-web')),
        sort: 'user',
      });
    } finally {
      await s.close();
    }
  });

  it('shows an issue as it ramps up: fewer users early on', async () => {
    const s = await adapterSetup({ scenario: 'new-issue' });
    try {
      await deployRelease(s, VERSION);
      // first seen at minute 2, ramps over 4 minutes, 30 s ingestion delay
      s.clock.advance(4.5 * MIN);
      const early = await s.adapter.newIssues({ version: VERSION, projects: s.projects, environment: 'production' });
      const typeError = early.find((i) => i.title.startsWith('TypeError'));
      expect(typeError?.userCount).toBe(6);
    } finally {
      await s.close();
    }
  });
});
