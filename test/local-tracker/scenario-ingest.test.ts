import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { MIN, call, manualClock } from './client';

const VERSION = 'shop-web@2.0.0';
const T0 = Date.parse('2026-06-03T02:00:00Z');
const open: LocalTracker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** Every release, from 10 minutes before the deploy: the previous release's last minutes too. */
const WIDE = { start: new Date(T0 - 10 * MIN).toISOString(), interval: '10m' };

/** The gate's reads, and a few more: totals with rates, by status with users, per-minute series, by release and project. */
async function reads(t: LocalTracker) {
  const common = { environment: 'production', start: new Date(T0).toISOString(), end: new Date(t.now()).toISOString(), interval: '1m' };
  const asked = [
    { ...common, query: `release:"${VERSION}"`, field: ['sum(session)', 'count_unique(user)', 'crash_free_rate(user)', 'crash_free_rate(session)'] },
    { ...common, query: `release:"${VERSION}"`, field: ['sum(session)', 'count_unique(user)'], groupBy: 'session.status' },
    { ...common, query: `release:"${VERSION}"`, field: ['sum(session)', 'count_unique(user)'], groupBy: ['project', 'session.status'], includeTotals: 0 },
    { ...WIDE, end: new Date(t.now()).toISOString(), field: ['sum(session)', 'count_unique(user)', 'crash_rate(user)'], groupBy: ['release', 'project'] },
  ];
  const out = [];
  for (const query of asked) out.push((await call(t, 'GET', 'sessions/', { query })).body);
  const issues = (await call(t, 'GET', 'issues/', { query: { query: 'is:unresolved', sort: 'new', limit: 100 } })).body;
  // The permalink names the tracker's own address; everything else must be the same.
  return { sessions: out, issues: issues.map(({ permalink: _, ...rest }: { permalink: string }) => rest) };
}

describe('local tracker: scenario traffic goes through the ingest path', () => {
  for (const scenario of ['error-rate', 'two-projects', 'new-issue', 'crash-first-at-limit']) {
    it(`${scenario}: the APIs answer exactly what the same envelopes answer when POSTed over HTTP to a fresh sdk tracker`, async () => {
      const clock = manualClock(T0);
      const sent: { projectId: number; body: Buffer }[] = [];
      const keys = { 'shop-web': 'a'.repeat(32), 'shop-api': 'b'.repeat(32) };
      const t = await startLocalTracker({ scenario, clock: clock.now, dsnKeys: keys, onScenarioEnvelope: (e) => sent.push(e) });
      open.push(t);
      const projects = t.scenario.projectSlugs;
      await call(t, 'POST', 'releases/', { body: { version: VERSION, projects } });
      await call(t, 'POST', `releases/${encodeURIComponent(VERSION)}/deploys/`, {
        body: { environment: 'production', dateFinished: new Date(T0).toISOString() },
      });

      // Twice, so that the second read sends only what became visible since the first.
      clock.advance(6 * MIN + 17_000);
      await reads(t);
      clock.advance(4 * MIN + 5_500);
      const scenarioAnswers = await reads(t);
      expect(sent.length).toBeGreaterThan(0);
      expect(scenarioAnswers.sessions[0].groups[0].totals['sum(session)']).toBeGreaterThan(0);

      const sdk = await startLocalTracker({ scenario: 'sdk', clock: clock.now, dsnKeys: keys, projects });
      open.push(sdk);
      for (const { projectId, body } of sent) {
        const res = await fetch(`${sdk.url}/api/${projectId}/envelope/`, {
          method: 'POST',
          headers: {
            'x-sentry-auth': `Sentry sentry_key=${sdk.ingest.keys.get(projectId)}, sentry_version=7`,
            'content-type': 'application/x-sentry-envelope',
          },
          body,
        });
        expect(res.status, await res.text()).toBe(200);
      }
      const sdkAnswers = await reads(sdk);
      expect(sdkAnswers).toEqual(scenarioAnswers);
      expect(sdk.ingest.stats).toEqual(t.ingest.stats);

      // What the scenario tracker counted, it counted in its envelope parser: the envelopes and sessions it stored.
      expect(t.ingest.stats.envelopes).toBe(sent.length);
      expect(t.ingest.stats.rejected).toBe(0);
      expect(t.ingest.stats.items.sessions).toBeGreaterThan(0);
      const everything = await call(t, 'GET', 'sessions/', {
        query: { ...WIDE, end: new Date(t.now()).toISOString(), field: 'sum(session)', includeSeries: 0 },
      });
      expect(t.ingest.stats.sessions.sessions).toBe(everything.body.groups[0].totals['sum(session)']);
      const events = scenarioAnswers.issues.reduce((n: number, i: { count: string }) => n + Number(i.count), 0);
      expect(t.ingest.stats.items.event ?? 0).toBe(events);
      if (scenario === 'new-issue') expect(events).toBeGreaterThan(0);
    });
  }
});
