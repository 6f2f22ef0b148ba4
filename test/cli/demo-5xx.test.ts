/**
 * `npm run demo -- 5xx-spike`: the embedded tracker answers the demo's Prometheus queries from
 * simulated requests (5xx 0.5% before the deploy, 8% after), and the gate's 5xx rate check, next
 * to Sentry's, fails the release while crash-free users and the error rate are fine.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { errorResponseSchema, queryResponseSchema } from '../../src/sources/prometheus/schemas';
import { runCli } from './run-cli';

interface Evaluation {
  check: string;
  status: string;
  n: number;
  k: number;
  observedBadRate: number;
}

describe.concurrent('demo 5xx-spike', () => {
  for (const args of [
    ['demo', '5xx-spike'],
    ['demo', '--scenario', '5xx-spike'],
  ]) {
    it(`${args.join(' ')}: the 5xx rate from Prometheus fails it; Sentry's checks do not`, async () => {
      const run = await runCli(args, {}, 60_000);
      expect(run.stderr).toBe('');
      // The demo ran as it should: a failing verdict is what it shows, not an error of its own.
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Demo: scenario "5xx-spike": /m);
      expect(run.stdout).toMatch(/^--prometheus-url http:\/\/127\.0\.0\.1:\d+ and this check next to Sentry's:$/m);
      expect(run.stdout).toMatch(/^ {2}- name: 5xx rate$/m);
      expect(run.stdout).toMatch(/^Verdict: FAIL: 5xx rate ([\d.]+)% \(interval [\d.]+–[\d.]+%, \d+ events, \d+ bad\) is above the 2% limit/m);
      expect(run.stdout).toMatch(/^\(demo\) POST \/repos\/acme\/shop\/actions\/workflows\/rollback\.yml\/dispatches .*"reason":"5xx rate /m);
      const queries = /^Requests the gate sent to the tracker: \d+ \((\d+) of them Prometheus queries\)$/m.exec(run.stdout);
      expect(queries, run.stdout).not.toBeNull();
      expect(Number(queries![1])).toBeGreaterThanOrEqual(2);

      const report = JSON.parse(readFileSync(/^JSON report: +(.+)$/m.exec(run.stdout)![1]!, 'utf8'));
      expect(report.verdict).toMatchObject({ outcome: 'fail', check: '5xx rate' });
      expect(report.action.kind).toBe('dispatched');
      const evaluations = report.verdict.evaluations as Evaluation[];
      const byCheck = new Map(evaluations.map((e) => [e.check, e]));
      expect([...byCheck.keys()].sort()).toEqual(['5xx rate', 'crash-free-users', 'error-rate']);
      const fivexx = byCheck.get('5xx rate')!;
      expect(fivexx.status).toBe('fail');
      // 600 requests a minute, 8% of them 5xx since the deploy.
      expect(fivexx.n).toBeGreaterThanOrEqual(300);
      expect(fivexx.observedBadRate).toBeGreaterThan(0.05);
      expect(fivexx.observedBadRate).toBeLessThan(0.12);
      expect(byCheck.get('crash-free-users')!.status).not.toBe('fail');
      expect(byCheck.get('error-rate')!.status).not.toBe('fail');
    }, 90_000);
  }
});

describe('the local tracker speaks Prometheus instant queries for 5xx-spike', () => {
  const open: LocalTracker[] = [];
  afterAll(() => Promise.all(open.map((t) => t.close())));
  const start = async (scenario: string) => {
    const t = await startLocalTracker({ scenario });
    open.push(t);
    return t;
  };
  const query = (t: LocalTracker, params: Record<string, string>, method = 'GET') => fetch(`${t.url}/api/v1/query?${new URLSearchParams(params)}`, { method });
  const BAD = 'sum(increase(http_requests_total{job="shop",code=~"5.."}[30m]))';
  const TOTAL = 'sum(increase(http_requests_total{job="shop"}[1800s]))';

  it('answers the known queries as a one-sample vector, 0.5% 5xx before any deploy', async () => {
    const t = await start('5xx-spike');
    const at = t.now() / 1000;
    const [bad, total] = await Promise.all(
      [BAD, TOTAL].map(async (q) => {
        const res = await query(t, { query: q, time: at.toFixed(3) });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json');
        const body = queryResponseSchema.parse(await res.json());
        expect(body.data.resultType).toBe('vector');
        const result = body.data.result as { metric: Record<string, string>; value: [number, string] }[];
        expect(result).toHaveLength(1);
        expect(result[0]!.metric).toEqual({});
        expect(result[0]!.value[0]).toBeCloseTo(at, 3);
        return Number(result[0]!.value[1]);
      }),
    );
    // 600 a minute over 30 minutes; the requests of the two partial minutes fall where they fall.
    expect(total).toBeGreaterThan(17_500);
    expect(total).toBeLessThan(18_500);
    expect(bad! / total!).toBeGreaterThan(0.003);
    expect(bad! / total!).toBeLessThan(0.008);
    // Whitespace is PromQL's own business; an RFC 3339 time is as good as unix seconds.
    const spaced = await query(t, { query: 'sum( increase( http_requests_total{job="shop", code=~"5.."}[30m] ) )', time: new Date(at * 1000).toISOString() });
    expect(spaced.status).toBe(200);
  });

  it('anything else is a Prometheus-style 400 bad_data', async () => {
    const t = await start('5xx-spike');
    for (const params of <Record<string, string>[]>[
      { query: 'up' },
      { query: 'sum(increase(http_requests_total{job="cart"}[5m]))' },
      { query: 'sum(rate(http_requests_total{job="shop"}[5m]))' },
      { query: '' },
      { query: TOTAL, time: 'yesterday' },
    ]) {
      const res = await query(t, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      const body = errorResponseSchema.parse(await res.json());
      expect(body.errorType).toBe('bad_data');
    }
    expect((await query(t, { query: TOTAL }, 'DELETE')).status).toBe(405);
  });

  it('a scenario without request traffic has no query API: it is a Sentry path without credentials (401, as before)', async () => {
    const t = await start('healthy');
    const res = await query(t, { query: TOTAL });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});
