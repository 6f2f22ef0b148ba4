/**
 * The pipeline asks the tracker's health source for the baseline
 * (HealthSource.baseline) and nothing else: a source that offers none gets
 * one warning line and the absolute limits, never a silent fallback.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import { createHttpClient } from '../../src/http/client';
import { simClock, startLocalTracker } from '../../src/local-tracker';
import type { Log } from '../../src/pipeline/log';
import { runPipeline } from '../../src/pipeline/run';
import { buildSources } from '../../src/sources';
import { createSentryTracker } from '../../src/sources/sentry/adapter';
import { apiBase } from '../../src/sources/sentry/urls';
import type { HealthSource, RatioCounts } from '../../src/sources/types';

const TOKEN = 'sntryu_baseline_port_test_token_0123456789';

async function run(reshape: (health: HealthSource) => HealthSource) {
  const clock = simClock({ timeScale: 600 });
  const tracker = await startLocalTracker({ scenario: 'healthy', token: TOKEN, clock: clock.now, repos: [] });
  const http = createHttpClient({ baseUrl: apiBase(tracker.url), token: TOKEN, userAgent: 'release-health-gate-test', retries: 0 });
  const raw: Partial<Record<InputName, string>> = {
    'sentry-url': tracker.url,
    'sentry-auth-token': TOKEN,
    'sentry-org': 'acme',
    'sentry-projects': 'shop-web',
    release: 'shop-web@2.0.0',
    window: '10m',
    interval: '1m',
    'initial-delay': '1m',
    settle: '0s',
    'set-commits': 'skip',
    'min-crash-free-users': '0.95',
    baseline: 'previous-release',
  };
  const config = loadConfig((name) => raw[name], {});
  const warnings: string[] = [];
  const log: Log = { info() {}, notice() {}, warning: (m) => warnings.push(m), group: (_t, fn) => fn() };
  try {
    const result = await runPipeline(config, {
      tracker: createSentryTracker({ http, sentryUrl: tracker.url, org: 'acme', projects: ['shop-web'] }),
      github: { listCommits: null, pushBefore: null, dispatchRollback: null },
      clock,
      log,
      sources: (cfg, deps) => {
        const built = buildSources(cfg, deps);
        return { ...built, health: built.health.map(reshape) };
      },
    });
    return { report: result.report!, warnings };
  } finally {
    await http.close();
    await tracker.close();
  }
}

describe('baseline: previous-release through HealthSource.baseline', () => {
  it('a tracker source without a baseline: one warning line, absolute limits, no baseline in the report', async () => {
    const { report, warnings } = await run(({ baseline: _none, ...source }) => source);
    expect(warnings.filter((w) => w.startsWith('baseline:'))).toEqual([
      'baseline: Sentry offers no previous-release baseline here; the absolute limits apply.',
    ]);
    expect(report.baseline).toBeNull();
  });

  it("the source's counts, over the window before the deploy, move the limit; the pipeline asks nothing else", async () => {
    const asked: { previous: string; since: number; until: number }[] = [];
    const { report, warnings } = await run((source) => ({
      ...source,
      async baseline(_checks, window): Promise<Record<string, RatioCounts>> {
        asked.push({ previous: window.previous, since: window.since, until: window.until });
        return { 'crash-free-users': { n: 10_000, k: 100 } };
      },
    }));
    expect(warnings.filter((w) => w.startsWith('baseline:'))).toEqual([]);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.until - asked[0]!.since).toBe(10 * 60_000);
    expect(asked[0]!.until).toBe(report.deployFinishedAt);
    expect(report.baseline).toMatchObject({ release: report.previousRelease, checks: [{ id: 'crash-free-users', n: 10_000, k: 100, note: null }] });
    expect(report.baseline!.checks[0]!.effectiveMaxBadRate).toBeLessThan(0.05);
  });
});
