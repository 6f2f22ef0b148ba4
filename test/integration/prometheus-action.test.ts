import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action';
import { SHOP_CHECKS, type ShopState, startPrometheus, startShop } from './prometheus-harness';

// The bundled action, gating on a real Prometheus (Debian's) that scrapes a prom-client
// shop every second. Prometheus-only: no Sentry input at all. Real time: windows of 20-30 s.
let shop: Awaited<ReturnType<typeof startShop>>;
let prom: Awaited<ReturnType<typeof startPrometheus>>;
const HEALTHY: ShopState = { rate: 100, errorShare: 0.005, slowShare: 0.01, probe: 1 };

beforeAll(async () => {
  shop = await startShop(HEALTHY);
  prom = await startPrometheus(shop.port);
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await shop?.close();
});

async function gate(state: Partial<ShopState>, window = '20s') {
  Object.assign(shop.state, HEALTHY, state);
  try {
    const run = await runAction({
      inputs: {
        'prometheus-url': prom.url,
        'prometheus-headers': 'X-Scope-OrgID: shop-tenant-secret-1234',
        checks: SHOP_CHECKS,
        window,
        interval: '4s',
        'initial-delay': '4s',
        settle: '0s',
      },
      timeoutMs: 90_000,
    });
    const checks = JSON.parse(run.outputs.checks ?? '{}') as Record<string, { verdict: string; observed: number | null; limit: number }>;
    return { run, checks };
  } finally {
    Object.assign(shop.state, HEALTHY);
  }
}

describe('a Prometheus-only gate, bundled action against a real Prometheus', () => {
  it('passes a healthy shop', async () => {
    const { run, checks } = await gate({});
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(Object.keys(checks)).toEqual(['5xx rate', 'p95 latency under 3 s', 'uptime probe']);
    expect(checks['5xx rate']).toMatchObject({ verdict: 'pass', limit: 0.02 });
    expect(checks['5xx rate']?.observed).toBeLessThan(0.02);
    expect(run.summary).toContain('5xx rate');
    // The header value is a secret: masked and never shown.
    expect(run.masked).toContain('shop-tenant-secret-1234');
    expect(run.everything).not.toContain('tenant-secret');
  }, 90_000);

  it('fails a 5xx spike on the 5xx rate', async () => {
    const { run, checks } = await gate({ errorShare: 0.3 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/^5xx rate/);
    expect(checks['5xx rate']?.verdict).toBe('fail');
    expect(checks['5xx rate']?.observed).toBeGreaterThan(0.2);
  }, 90_000);

  it('fails slow responses on the latency check, naming the bucket used', async () => {
    const { run, checks } = await gate({ slowShare: 0.5 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.reason).toMatch(/p95 latency under 3 s/);
    expect(checks['p95 latency under 3 s']?.verdict).toBe('fail');
    expect(run.summary).toContain('le=5s');
  }, 90_000);

  it('fails a probe that stays down for its `for`, saying it has no statistical guarantee', async () => {
    const { run, checks } = await gate({ probe: 0 }, '30s');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.reason).toMatch(/uptime probe/);
    expect(checks['uptime probe']).toMatchObject({ verdict: 'fail', observed: 0, limit: 1 });
    expect(run.summary).toMatch(/no statistical guarantee/);
  }, 90_000);

  it('ends at the first poll with one error naming the check and quoting Prometheus when a query does not parse', async () => {
    Object.assign(shop.state, HEALTHY);
    const run = await runAction({
      inputs: {
        'prometheus-url': prom.url,
        checks: '- {name: broken, source: prometheus, query: "sum(rate(http_requests_total[1m])", max: 1, for: 10s}',
        window: '20s',
        interval: '4s',
        'initial-delay': '2s',
        settle: '0s',
      },
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^Check "broken" \(query\): Prometheus refused the query \(HTTP 400: bad_data: .*parse error/);
    expect(run.durationMs).toBeLessThan(15_000);
  }, 60_000);
});
