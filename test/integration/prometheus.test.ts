import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChecks, type MetricCheck } from '../../src/config/checks';
import { connectPrometheus } from '../../src/sources/prometheus';
import type { HealthSource, RatioObservation, ValueObservation } from '../../src/sources/types';
import { TrackerSetupError } from '../../src/sources/errors';
import { SHOP_CHECKS, startPrometheus, startShop } from './prometheus-harness';

// Prometheus comes from Debian (the prometheus package), not from the npm registry:
// `npm run test:integration` installs it, and this file fails, never skips, without it.
let shop: Awaited<ReturnType<typeof startShop>>;
let prom: Awaited<ReturnType<typeof startPrometheus>>;
let source: HealthSource;
let checks: MetricCheck[];
let close: () => Promise<void>;

beforeAll(async () => {
  shop = await startShop({ rate: 100, errorShare: 0.005, slowShare: 0.01, probe: 1 });
  prom = await startPrometheus(shop.port);
  checks = parseChecks(SHOP_CHECKS);
  ({ source, close } = connectPrometheus({ url: prom.url, headers: { 'x-scope-orgid': 'tenant-1' }, checks, secrets: [], intervalMs: 5_000 }));
}, 60_000);

afterAll(async () => {
  await close?.();
  await prom?.stop();
  await shop?.close();
});

const named = (name: string) => checks.filter((c) => c.id === name);
/** A source of its own for each phase: each is another deploy, whose counts start again. */
async function phase<T>(run: (s: HealthSource) => Promise<T>): Promise<T> {
  const own = connectPrometheus({ url: prom.url, headers: {}, checks, secrets: [], intervalMs: 5_000 });
  try {
    return await run(own.source);
  } finally {
    await own.close();
  }
}
const ratioOf = (o: unknown) => {
  const { n, k } = (o as RatioObservation).counts;
  return { n, k, rate: k / n };
};

describe('the Prometheus source against a real Prometheus scraping a prom-client app', () => {
  it('reads a healthy shop as healthy, then a 5xx spike, slow requests and a probe going down as they happen', async () => {
    const deploy = Date.now();
    await sleep(8_000);
    const healthy = await source.poll(checks, { since: deploy, until: Date.now(), settled: true });
    const fivexx = ratioOf(healthy.observations['5xx rate']);
    // 100 requests a second for 8 s; increase() extrapolates, so about, not exactly.
    expect(fivexx.n).toBeGreaterThan(400);
    expect(fivexx.n).toBeLessThan(1_200);
    expect(Number.isInteger(fivexx.n) && Number.isInteger(fivexx.k)).toBe(true);
    expect(fivexx.rate).toBeLessThan(0.02);
    expect(ratioOf(healthy.observations['p95 latency under 3 s']).rate).toBeLessThan(0.05);
    expect(healthy.observations['uptime probe']).toEqual({ kind: 'value', value: 1 });
    expect(healthy.missing).toEqual({});

    shop.state.errorShare = 0.3;
    const spike = Date.now();
    await sleep(6_000);
    const spiking = await phase((s) => s.poll(named('5xx rate'), { since: spike, until: Date.now(), settled: true, recentSince: Date.now() - 3_000 }));
    expect(ratioOf(spiking.observations['5xx rate']).rate).toBeGreaterThan(0.2);
    expect(ratioOf(spiking.recent?.['5xx rate']).rate).toBeGreaterThan(0.2);
    shop.state.errorShare = 0.005;

    shop.state.slowShare = 0.5;
    const slow = Date.now();
    await sleep(6_000);
    const slowing = await phase((s) => s.poll(named('p95 latency under 3 s'), { since: slow, until: Date.now(), settled: true }));
    expect(ratioOf(slowing.observations['p95 latency under 3 s']).rate).toBeGreaterThan(0.3);
    // 3 s falls between the buckets 2.5 and 5: requests above 5 s are counted, and the label says so.
    expect(named('p95 latency under 3 s')[0]?.label).toBe('p95 latency under 3 s (counted above le=5s, the bucket at or above 3s)');
    shop.state.slowShare = 0.01;

    shop.state.probe = 0;
    await sleep(2_500);
    const down = await source.poll(named('uptime probe'), { since: deploy, until: Date.now(), settled: true });
    expect((down.observations['uptime probe'] as ValueObservation).value).toBe(0);
    shop.state.probe = 1;
  }, 60_000);

  it('says no data for a metric that does not exist, never zero traffic', async () => {
    const [ghost] = parseChecks(
      '- {name: ghost, source: prometheus, bad: "sum(increase(nope_total{code=\\"500\\"}[$__range]))", total: "sum(increase(nope_total[$__range]))", max: 1%}',
    );
    const { source: s, close: c } = connectPrometheus({ url: prom.url, headers: {}, checks: [ghost as MetricCheck], secrets: [], intervalMs: 5_000 });
    try {
      const poll = await s.poll([ghost as MetricCheck], { since: Date.now() - 5_000, until: Date.now(), settled: true });
      expect(poll.observations).toEqual({});
      expect(poll.missing).toEqual({ ghost: 'no data (the query returned no series)' });
    } finally {
      await c();
    }
  });

  it("ends the run on a query Prometheus cannot parse, quoting Prometheus's error", async () => {
    const [broken] = parseChecks('- {name: broken, source: prometheus, query: "sum(rate(http_requests_total[1m])", max: 1, for: 1m}');
    const { source: s, close: c } = connectPrometheus({ url: prom.url, headers: {}, checks: [broken as MetricCheck], secrets: [], intervalMs: 5_000 });
    try {
      const error = await s.poll([broken as MetricCheck], { since: Date.now() - 5_000, until: Date.now(), settled: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrackerSetupError);
      expect((error as Error).message).toMatch(/^Check "broken" \(query\): Prometheus refused the query \(HTTP 400: bad_data: .*parse error.*\)$/);
    } finally {
      await c();
    }
  });
});
