import { fillRange } from '../../../src/sources/prometheus/range';
import { afterEach, describe, expect, it } from 'vitest';
import { parseChecks, type MetricCheck } from '../../../src/config/checks';
import { createHttpClient } from '../../../src/http/client';
import { createPrometheusSource, prometheusApiBase } from '../../../src/sources/prometheus';
import { TrackerSetupError } from '../../../src/sources/errors';
import { empty, fakePrometheus, one, vector, type PromAnswer } from './fake-prometheus';

const CHECKS = `
- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total[$__range]))
  max: 2%
- name: p95 latency under 3 s
  source: prometheus
  histogram: http_request_duration_seconds_bucket{job="shop"}
  quantile: 0.95
  below: 3s
- name: uptime probe
  source: prometheus
  query: min(probe_success)
  min: 1
  for: 2m
`;

const SINCE = 1_700_000_000_000;
const UNTIL = SINCE + 753_200;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(answer: PromAnswer, opts: { headers?: Record<string, string>; checks?: string } = {}) {
  const prom = await fakePrometheus(answer);
  const headers = opts.headers ?? {};
  const http = createHttpClient({
    baseUrl: prom.url,
    token: '',
    headers,
    secrets: Object.values(headers),
    userAgent: 'test',
    retries: 1,
    minRetryDelayMs: 10,
    maxRetryDelayMs: 20,
    maxRetryTimeMs: 2_000,
  });
  closers.push(
    () => http.close(),
    () => prom.close(),
  );
  const checks = parseChecks(opts.checks ?? CHECKS);
  const source = createPrometheusSource({ http, url: prom.url, checks });
  return { prom, source, checks, byName: (name: string) => checks.find((c) => c.id === name) as MetricCheck };
}

const only = (checks: MetricCheck[], name: string) => checks.filter((c) => c.id === name);

describe('the Prometheus source', () => {
  it('asks one instant query per query at the poll time, $__range the time since the deploy, and rounds increase()', async () => {
    const { prom, source, checks } = await setup((q) => (q.includes('5..') ? one('41.98') : one('1000.4')), { headers: { 'x-scope-orgid': 'tenant-1' } });
    const poll = await source.poll(only(checks, '5xx rate'), { since: SINCE, until: UNTIL, settled: true });
    expect(prom.hits.map((h) => h.query).sort()).toEqual(['sum(increase(http_requests_total[753s]))', 'sum(increase(http_requests_total{code=~"5.."}[753s]))']);
    expect(prom.hits.every((h) => h.time === UNTIL / 1000)).toBe(true);
    expect(prom.hits[0]?.headers['x-scope-orgid']).toBe('tenant-1');
    expect(prom.hits[0]?.headers.authorization).toBeUndefined();
    expect(poll).toEqual({ at: UNTIL, observations: { '5xx rate': { kind: 'ratio', counts: { n: 1000, k: 42 } } }, missing: {} });
    expect(source.requests()).toBe(2);
  });

  it('never reaches before the deploy: $__range is the time since it rounded down (the previous release is not counted)', () => {
    expect(fillRange('increase(x[$__range])', 753_999)).toBe('increase(x[753s])');
    expect(fillRange('increase(x[${__range}]) $__range_s $__range_ms', 4_999)).toBe('increase(x[4s]) 4 4000');
    expect(fillRange('increase(x[$__range])', 300)).toBe('increase(x[1s])');
  });

  it('asks for the recent span as its own queries, not a difference', async () => {
    const { prom, source, checks } = await setup((q) =>
      q.includes('[753s]') ? (q.includes('5..') ? one(40) : one(1000)) : q.includes('5..') ? one(30) : one(400),
    );
    const poll = await source.poll(only(checks, '5xx rate'), { since: SINCE, until: UNTIL, settled: true, recentSince: UNTIL - 376_000 });
    expect(prom.hits.map((h) => h.query)).toContain('sum(increase(http_requests_total[376s]))');
    expect(poll.recent).toEqual({ '5xx rate': { kind: 'ratio', counts: { n: 400, k: 30 } } });
    expect(poll.observations['5xx rate']).toEqual({ kind: 'ratio', counts: { n: 1000, k: 40 } });
  });

  it('reports no data for an empty or NaN total, never zero traffic; no bad series with traffic is zero bad', async () => {
    let total: [number, unknown] = empty();
    const { source, checks } = await setup((q) => (q.includes('5..') ? empty() : total));
    const window = { since: SINCE, until: UNTIL, settled: true };
    const a = await source.poll(only(checks, '5xx rate'), window);
    expect(a.observations).toEqual({});
    expect(a.missing).toEqual({ '5xx rate': 'no data (the query returned no series)' });
    total = one('NaN');
    expect((await source.poll(only(checks, '5xx rate'), window)).missing).toEqual({ '5xx rate': 'no data (the query returned NaN)' });
    total = one('0');
    expect((await source.poll(only(checks, '5xx rate'), window)).missing).toEqual({ '5xx rate': 'no data (no events in the range)' });
    total = one('250');
    expect((await source.poll(only(checks, '5xx rate'), window)).observations['5xx rate']).toEqual({ kind: 'ratio', counts: { n: 250, k: 0 } });
  });

  it('skips and records counts that go backwards, keeping the last good counts as the reference', async () => {
    const totals = ['1000', '900', '1100'];
    let poll = 0;
    const { source, checks } = await setup((q) => (q.includes('5..') ? one(10) : one(totals[poll] as string)));
    const results = [];
    for (; poll < 3; poll += 1) results.push(await source.poll(only(checks, '5xx rate'), { since: SINCE, until: UNTIL + poll * 60_000, settled: true }));
    // The last good counts stand as the observation: the check is still judged on them.
    expect(results[1]?.observations).toEqual({ '5xx rate': { kind: 'ratio', counts: { n: 1000, k: 10 } } });
    expect(results[1]?.missing).toEqual({ '5xx rate': 'skipped: the counts went backwards since the last poll (events 1000 → 900)' });
    expect(results[2]?.observations['5xx rate']).toEqual({ kind: 'ratio', counts: { n: 1100, k: 10 } });
  });

  it('turns a latency quantile into a ratio over the le bucket at or above `below`, naming the bucket in the label', async () => {
    const buckets = vector([{ le: '0.5' }, '700'], [{ le: '1' }, '900'], [{ le: '2.5' }, '950'], [{ le: '5' }, '980'], [{ le: '+Inf' }, '1000']);
    const { prom, source, checks, byName } = await setup(() => buckets);
    const poll = await source.poll(only(checks, 'p95 latency under 3 s'), { since: SINCE, until: UNTIL, settled: true });
    expect(prom.hits[0]?.query).toBe('sum by (le) (increase(http_request_duration_seconds_bucket{job="shop"}[753s]))');
    expect(poll.observations['p95 latency under 3 s']).toEqual({ kind: 'ratio', counts: { n: 1000, k: 20 } });
    const check = byName('p95 latency under 3 s');
    expect(check.label).toBe('p95 latency under 3 s (counted above le=5s, the bucket at or above 3s)');
    expect(check.kind === 'ratio' && check.maxBadRate).toBe(0.05);
  });

  it('keeps the label when `below` is a bucket boundary', async () => {
    const checks = '- {name: fast, source: prometheus, histogram: h_bucket, quantile: 0.9, below: 2500ms}';
    const { source, byName } = await setup(() => vector([{ le: '2.5' }, '95'], [{ le: '+Inf' }, '100']), { checks });
    const poll = await source.poll([byName('fast')], { since: SINCE, until: UNTIL, settled: true });
    expect(poll.observations.fast).toEqual({ kind: 'ratio', counts: { n: 100, k: 5 } });
    expect(byName('fast').label).toBe('fast');
  });

  it('reads a threshold check as one value at the poll time, null when there is no data', async () => {
    let answer = one(0);
    const { source, checks } = await setup(() => answer);
    const window = { since: SINCE, until: UNTIL, settled: true };
    expect((await source.poll(only(checks, 'uptime probe'), window)).observations).toEqual({ 'uptime probe': { kind: 'value', value: 0 } });
    answer = empty();
    const poll = await source.poll(only(checks, 'uptime probe'), window);
    expect(poll.observations).toEqual({ 'uptime probe': { kind: 'value', value: null } });
    expect(poll.missing).toEqual({ 'uptime probe': 'no data (the query returned no series)' });
  });

  it('ends the run on a query Prometheus refuses (400/422), naming the check and quoting Prometheus, with secrets redacted', async () => {
    const secret = 'Bearer-SuperSecretToken-123456';
    const { source, checks } = await setup(
      (q) =>
        q.includes('5..')
          ? one(1)
          : [400, { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": 1:9: parse error: unexpected "}" near ${secret}\nsecond line` }],
      { headers: { authorization: secret } },
    );
    const error = await source.poll(only(checks, '5xx rate'), { since: SINCE, until: UNTIL, settled: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toMatch(
      /^Check "5xx rate" \(total\): Prometheus refused the query \(HTTP 400: bad_data: invalid parameter "query": 1:9: parse error: unexpected "}" near \*\*\* second line\)$/,
    );
    expect((error as Error).message).not.toContain('SuperSecret');

    const exec = await setup(() => [422, { status: 'error', errorType: 'execution', error: 'vector cannot contain metrics with the same labelset' }]);
    const e2 = await exec.source.poll(only(exec.checks, 'uptime probe'), { since: SINCE, until: UNTIL, settled: true }).catch((e: unknown) => e);
    expect((e2 as Error).message).toBe(
      'Check "uptime probe" (query): Prometheus refused the query (HTTP 422: execution: vector cannot contain metrics with the same labelset)',
    );
  });

  it('ends the run on an answer a check cannot use: several series, a range vector', async () => {
    const { source, checks } = await setup(() => vector([{ instance: 'a' }, '1'], [{ instance: 'b' }, '0']));
    const error = await source.poll(only(checks, 'uptime probe'), { since: SINCE, until: UNTIL, settled: true }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Check "uptime probe" (query): the query returned 2 series: aggregate it to one, such as sum(...) or min(...)');
  });

  it('treats 503 (a query timed out) as an outage: the poll throws, not a setup error', async () => {
    const { prom, source, checks } = await setup(() => [503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }]);
    const error = await source.poll(only(checks, 'uptime probe'), { since: SINCE, until: UNTIL, settled: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrackerSetupError);
    expect(prom.hits.length).toBe(2);
  });

  it('names prometheus-url when nothing answers there, or no query API is there', async () => {
    const gone = await fakePrometheus(() => one(1));
    await gone.close();
    const http = createHttpClient({ baseUrl: gone.url, token: '', userAgent: 'test', retries: 0 });
    closers.push(() => http.close());
    const source = createPrometheusSource({ http, url: gone.url, checks: parseChecks(CHECKS) });
    const error = await source.poll(parseChecks(CHECKS), { since: SINCE, until: UNTIL, settled: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toMatch(/^Input prometheus-url \("http:\/\/127\.0\.0\.1:\d+"\): no Prometheus query API could be reached there/);
    expect(prometheusApiBase('https://mimir.example/prometheus/api/v1/')).toBe('https://mimir.example/prometheus');
  });
});
