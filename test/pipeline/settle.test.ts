import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import { createHttpClient } from '../../src/http/client';
import { startLocalTracker } from '../../src/local-tracker';
import { silentLog } from '../../src/pipeline/log';
import { runPipeline } from '../../src/pipeline/run';
import { createSentryTracker } from '../../src/sources/sentry/adapter';
import { apiBase } from '../../src/sources/sentry/urls';
import { fakeClock } from './fake-clock';

const TOKEN = 'sntryu_settle_test_token_0123456789';
const MIN = 60_000;
/** Not on a minute boundary, so the settled cut must be aligned to land on one. */
const DEPLOY = Date.parse('2026-06-03T02:00:17.250Z');

/**
 * The whole pipeline against the local tracker, on virtual time: sleeps move
 * the clock at once, so polls land exactly where the schedule puts them.
 */
async function run(scenario: string, inputs: Partial<Record<InputName, string>>) {
  const clock = fakeClock(DEPLOY);
  const tracker = await startLocalTracker({ scenario, token: TOKEN, clock: clock.now });
  const http = createHttpClient({ baseUrl: apiBase(tracker.url), token: TOKEN, userAgent: 'release-health-gate-test', retries: 0 });
  const raw: Partial<Record<InputName, string>> = {
    'sentry-url': tracker.url,
    'sentry-auth-token': TOKEN,
    'sentry-org': 'acme',
    'sentry-projects': 'shop-web',
    release: 'shop-web@2.0.0',
    'set-commits': 'skip',
    window: '10m',
    interval: '1m',
    'min-crash-free-users': 'off',
    'min-crash-free-sessions': '99%',
    ...inputs,
  };
  const config = loadConfig((name) => raw[name], {});
  const sentry = createSentryTracker({ http, sentryUrl: tracker.url, org: 'acme', projects: ['shop-web'] });
  try {
    const result = await runPipeline(config, {
      tracker: sentry,
      github: { pushBefore: null, listCommits: null, dispatchRollback: null },
      clock,
      log: silentLog,
    });
    const sessions = tracker.requests.filter((r) => r.path.endsWith('/sessions/'));
    const report = result.report!;
    // What the tracker answers for the last poll's range once everything has arrived.
    clock.advance(10 * MIN);
    const last = report.polls.at(-1)!.sample!;
    const later = await sentry.sample({
      version: 'shop-web@2.0.0',
      projects: ['shop-web'],
      environment: 'production',
      since: report.deployFinishedAt,
      until: last.at,
      settled: true,
    });
    return { report, sessions, later };
  } finally {
    await http.close();
    await tracker.close();
  }
}

// crash-first-at-limit: 30,000 sessions a minute, 1% crash, 99% limit.
// Crashes arrive at once, healthy sessions up to a minute later (Sentry's server SDKs).
describe('settle: only settled data is judged', () => {
  it('without it, a release exactly at the limit is failed on the unsettled last minute', async () => {
    const { report } = await run('crash-first-at-limit', { settle: '0s' });
    expect(report.verdict.outcome).toBe('fail');
    expect(report.verdict.check).toBe('crash-free-sessions');
    // the first poll already: a quarter of its healthy sessions had not arrived
    expect(report.verdict.decidedAt - report.deployFinishedAt).toBeLessThanOrEqual(2 * MIN + 1000);
  });

  it('with the default settle (60s), the same release passes, judged on the whole window', async () => {
    const { report, sessions, later } = await run('crash-first-at-limit', {});
    expect(report.verdict.outcome).toBe('pass');
    // every query ends on a minute boundary at least a minute before it was sent, so Sentry's rounding moves nothing
    for (const r of sessions) {
      const end = Date.parse(String(r.query.end));
      expect(end % MIN).toBe(0);
      expect(Date.parse(String(r.query.start)) % MIN).toBe(0);
    }
    // settling costs no request: one sessions query per poll, as without it
    expect(sessions).toHaveLength(report.polls.length);
    expect(report.polls).toHaveLength(10);
    const ats = report.polls.map((p) => p.at);
    for (const at of ats) expect(at % MIN).toBe(0);
    // the last look judges the window up to its end (rounded down to the minute), polled a settle time after it
    const windowEnd = report.deployFinishedAt + 10 * MIN;
    expect(ats.at(-1)).toBe(Math.floor(windowEnd / MIN) * MIN);
    // default initial-delay 2m: the first poll sees one settled minute
    expect(ats[0]).toBe(Math.floor((report.deployFinishedAt + MIN) / MIN) * MIN);
    const last = report.polls.at(-1)!.sample!;
    expect(last.sessions).toBeGreaterThan(9 * 30_000);
    // all of it had arrived: ten minutes later the tracker counts the same range the same
    expect({ sessions: last.sessions, crashed: last.crashedSessions }).toEqual({ sessions: later.sessions, crashed: later.crashedSessions });
  });

  it('a poll with nothing settled yet asks nothing and counts nothing', async () => {
    // initial-delay 30s, settle 60s, deploy at 02:00:17: the first two polls' cuts (01:59:47, 02:00:47)
    // have no whole minute after the deploy's minute
    const { report, sessions } = await run('crash-first-at-limit', { 'initial-delay': '30s' });
    expect(report.polls.slice(0, 3).map((p) => p.sample?.sessions === 0)).toEqual([true, true, false]);
    for (const p of report.polls) expect(p.at).toBeGreaterThanOrEqual(report.deployFinishedAt);
    expect(sessions).toHaveLength(report.polls.length - 2);
    expect(report.verdict.outcome).toBe('pass');
  });
});
