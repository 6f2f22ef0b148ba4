/**
 * Adding a source: a toy health source serving one ratio check ("5xx rate"),
 * written here and nowhere else, joined to the run through the one seam the
 * wiring has (buildSources' result). The core, the watch and the report are
 * not touched: the pipeline judges its counts like Sentry's.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import { createHttpClient } from '../../src/http/client';
import { simClock, startLocalTracker } from '../../src/local-tracker';
import { silentLog } from '../../src/pipeline/log';
import { runPipeline } from '../../src/pipeline/run';
import { buildSources } from '../../src/sources';
import { createSentryTracker } from '../../src/sources/sentry/adapter';
import { apiBase } from '../../src/sources/sentry/urls';
import type { HealthSource, RatioCheck } from '../../src/sources/types';

const TOKEN = 'sntryu_toy_source_test_token_0123456789';

const FIVE_XX: RatioCheck = {
  kind: 'ratio',
  id: 'toy-5xx-rate',
  label: '5xx rate',
  source: 'toy',
  maxBadRate: 0.01,
  absoluteMaxBadRate: 0.01,
  limitSource: 'absolute',
  units: { trials: 'requests', bad: '5xx' },
  display: 'bad',
};

/** A load balancer's request counter: `perMinute` requests a minute since `since`, a `badShare` of them 5xx. */
function toySource(perMinute: number, badShare: number): HealthSource & { polls: number } {
  const source = {
    name: 'toy',
    polls: 0,
    requests: () => source.polls,
    async poll(checks: readonly { id: string; source: string }[], window: { since: number; until: number }) {
      source.polls += 1;
      const n = Math.round((perMinute * Math.max(0, window.until - window.since)) / 60_000);
      const served = checks.filter((c) => c.source === 'toy');
      return {
        at: window.until,
        observations: Object.fromEntries(served.map((c) => [c.id, { kind: 'ratio' as const, counts: { n, k: Math.round(n * badShare) } }])),
      };
    },
  };
  return source;
}

async function run(toy: HealthSource) {
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
  };
  const config = loadConfig((name) => raw[name], {});
  try {
    const result = await runPipeline(config, {
      tracker: createSentryTracker({ http, sentryUrl: tracker.url, org: 'acme', projects: ['shop-web'] }),
      github: { listCommits: null, pushBefore: null, dispatchRollback: null },
      clock,
      log: silentLog,
      // The wiring's one line for a new source: its health source and the check it serves.
      sources: (cfg, deps) => {
        const built = buildSources(cfg, deps);
        return { ...built, health: [...built.health, toy], checks: [FIVE_XX] };
      },
    });
    return result.report!;
  } finally {
    await http.close();
    await tracker.close();
  }
}

describe('a toy health source added beside Sentry', () => {
  it('passes a release whose 5xx rate is well within its limit', async () => {
    const toy = toySource(2000, 0.002);
    const report = await run(toy);
    expect(report.verdict.outcome).toBe('pass');
    expect(toy.polls).toBeGreaterThanOrEqual(5);
    const judged = report.verdict.evaluations.find((e) => e.id === 'toy-5xx-rate');
    expect(judged).toMatchObject({ label: '5xx rate', status: 'watching' });
    expect(judged!.n).toBeGreaterThan(10_000);
  });

  it('fails a release serving 5% 5xx, naming the check and its counts, while Sentry says healthy', async () => {
    const report = await run(toySource(2000, 0.05));
    expect(report.verdict.outcome).toBe('fail');
    expect(report.verdict.check).toBe('toy-5xx-rate');
    expect(report.verdict.reason).toMatch(/^5xx rate 5% \(interval [\d.–]+%, [\d,]+ requests, [\d,]+ 5xx\) is above the 1% limit \(e-value .+\)$/);
    // Sentry's checks were judged too, and passed
    expect(report.verdict.evaluations.find((e) => e.id === 'crash-free-sessions')?.status).not.toBe('fail');
  });
});
