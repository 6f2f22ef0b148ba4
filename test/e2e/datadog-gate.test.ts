import { describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action';
import { startDatadogStub } from '../helpers/datadog-stub';

const API_KEY = 'ddapi_e2e_0123456789abcdef01234567';
const APP_KEY = 'ddapp_e2e_0123456789abcdef0123456789abcd';
const CHECKS = `
- name: checkout failures
  source: datadog
  bad: sum:checkout.failed{env:production}.as_count()
  total: sum:checkout.attempted{env:production}.as_count()
  max: 5%
`;

/** A Datadog-only gate (no Sentry input at all) against the loopback stub built from Datadog's schema. */
async function gate(badShare: number) {
  // 50 checkouts a second since the deploy, badShare of them failed.
  const stub = await startDatadogStub({
    apiKey: API_KEY,
    appKey: APP_KEY,
    answer: (query, _aggregator, from, to) => {
      const attempts = Math.max(0, Math.floor(((to - from) / 1000) * 50));
      return [query.includes('failed') ? Math.round(attempts * badShare) : attempts];
    },
  });
  try {
    const run = await runAction({
      inputs: { 'datadog-site': stub.url, checks: CHECKS, window: '20s', interval: '4s', 'initial-delay': '4s', settle: '0s' },
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY },
    });
    return { run, stub };
  } finally {
    await stub.close();
  }
}

describe.concurrent('a Datadog-only gate, bundled action against a Datadog stub', () => {
  it('passes healthy checkouts with no Sentry input, registering nothing', async () => {
    const { run, stub } = await gate(0.01);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    const checks = JSON.parse(run.outputs.checks ?? '{}') as Record<string, { verdict: string; observed: number; limit: number }>;
    expect(checks['checkout failures']?.verdict).toBe('pass');
    expect(checks['checkout failures']?.limit).toBe(0.05);
    expect(checks['checkout failures']?.observed).toBeCloseTo(0.01, 2);
    expect(run.summary).toContain('checkout failures');
    expect(stub.problems).toEqual([]);
    expect(stub.hits.length).toBeGreaterThanOrEqual(4);
    // The keys are secrets: masked, and nowhere in what the user sees.
    expect(run.masked).toEqual(expect.arrayContaining([API_KEY, APP_KEY]));
    expect(run.everything).not.toContain(API_KEY.slice(4, 16));
    expect(run.everything).not.toContain(APP_KEY.slice(4, 16));
  });

  it('fails when checkouts fail past the limit, naming the check', async () => {
    const { run, stub } = await gate(0.2);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.reason).toMatch(/checkout failures/);
    const checks = JSON.parse(run.outputs.checks ?? '{}') as Record<string, { verdict: string; observed: number }>;
    expect(checks['checkout failures']?.verdict).toBe('fail');
    expect(checks['checkout failures']?.observed).toBeCloseTo(0.2, 2);
    expect(run.durationMs).toBeLessThan(18_000);
    expect(stub.problems).toEqual([]);
  });
});
