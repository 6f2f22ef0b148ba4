import { describe, expect, it } from 'vitest';
import { MIN, adapterSetup, deployRelease } from './fixtures';
import { trackerTotals } from './ground-truth';

const VERSION = 'shop-web@2.0.0';
const sessionRequests = (s: { tracker: { requests: { path: string }[] } }) => s.tracker.requests.filter((r) => r.path.endsWith('/sessions/')).length;

describe('sample() against the local tracker', () => {
  it.for([['shop-web'], ['shop-web', 'shop-api'], ['shop-web', 'shop-api', 'shop-ios']])('uses exactly 2 session requests per call for %s', async (projects) => {
    const s = await adapterSetup({ scenario: 'healthy', projects });
    try {
      const since = await deployRelease(s, VERSION);
      for (let poll = 1; poll <= 3; poll++) {
        s.clock.advance(MIN);
        const sample = await s.adapter.sample({ version: VERSION, projects, environment: 'production', since, until: s.clock.now() });
        expect(Object.keys(sample.projects).sort()).toEqual([...projects].sort());
        expect(sessionRequests(s)).toBe(2 * poll);
      }
    } finally {
      await s.close();
    }
  });

  it('returns the tracker\'s own counts per project and in total, crashed users consistent with crash_free_rate(user)', async () => {
    const s = await adapterSetup({ scenario: 'two-projects' });
    try {
      const since = await deployRelease(s, VERSION);
      s.clock.advance(20 * MIN);
      const now = s.clock.now();
      const sample = await s.adapter.sample({ version: VERSION, projects: s.projects, environment: 'production', since, until: now });
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
      for (const key of ['sessions', 'crashedSessions', 'erroredSessions', 'users', 'crashedUsers'] as const) expect(sample[key]).toBe(web[key] + api[key]);
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

describe('newIssues() against the local tracker', () => {
  it('returns the issues first seen in this release, with their user counts, and not the previous release\'s', async () => {
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
      expect(sent?.query).toMatchObject({ query: `firstRelease:"${VERSION}"`, environment: 'production', project: String(s.tracker.projectId('shop-web')), sort: 'user' });
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
