import { afterEach, describe, expect, it } from 'vitest';
import { parseChecks } from '../../../src/config/checks';
import { createHttpClient } from '../../../src/http/client';
import { connectDatadog, createDatadogSource } from '../../../src/sources/datadog';
import { TrackerSetupError } from '../../../src/sources/errors';
import { scalarRequestProblems, scalarResponseProblems } from '../../helpers/datadog-openapi';
import { type DatadogStubOptions, startDatadogStub } from '../../helpers/datadog-stub';

const CHECKS = parseChecks(`
- name: checkout failures
  source: datadog
  bad: sum:checkout.failed{env:production}.as_count()
  total: sum:checkout.attempted{env:production}.as_count()
  max: 5%
- name: queue depth
  source: datadog
  query: max:queue.depth{env:production}
  max: 100
  for: 2m
`);
const API_KEY = 'ddapi0123456789abcdef0123456789ab';
const APP_KEY = 'ddapp0123456789abcdef0123456789abcdef01';
const SINCE = 1_700_000_000_000;
const UNTIL = SINCE + 600_000;
const window = { since: SINCE, until: UNTIL, settled: true };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(answer: DatadogStubOptions['answer'], fault?: DatadogStubOptions['fault'], keys = { api: API_KEY, app: APP_KEY }) {
  const stub = await startDatadogStub({ apiKey: API_KEY, appKey: APP_KEY, answer, fault });
  const { source, close } = connectDatadog({ apiBase: stub.url, apiKey: keys.api, appKey: keys.app, checks: CHECKS, secrets: [], intervalMs: 5_000 });
  closers.push(close, () => stub.close());
  return { stub, source };
}

const byName = (name: string) => CHECKS.filter((c) => c.id === name);

describe('the Datadog source', () => {
  it('asks bad and total in one scalar query since the deploy, summed, and rounds the counts', async () => {
    const { stub, source } = await setup((q) => (q.includes('failed') ? [12.4] : [400.2]));
    const poll = await source.poll(byName('checkout failures'), window);
    expect(poll.observations).toEqual({ 'checkout failures': { kind: 'ratio', counts: { n: 400, k: 12 } } });
    expect(stub.hits).toHaveLength(1);
    expect(stub.hits[0]?.body).toEqual({
      data: {
        type: 'scalar_request',
        attributes: {
          from: SINCE,
          to: UNTIL,
          queries: [
            { data_source: 'metrics', name: 'a', query: 'sum:checkout.failed{env:production}.as_count()', aggregator: 'sum' },
            { data_source: 'metrics', name: 'b', query: 'sum:checkout.attempted{env:production}.as_count()', aggregator: 'sum' },
          ],
          formulas: [
            { formula: 'a', limit: { count: 2, order: 'desc' } },
            { formula: 'b', limit: { count: 2, order: 'desc' } },
          ],
        },
      },
    });
    expect(stub.problems).toEqual([]);
  });

  it('asks the recent span in a request of its own', async () => {
    const { stub, source } = await setup((q, _agg, from) => (from === SINCE ? (q.includes('failed') ? [10] : [1000]) : q.includes('failed') ? [9] : [300]));
    const poll = await source.poll(byName('checkout failures'), { ...window, recentSince: UNTIL - 300_000 });
    expect(poll.recent).toEqual({ 'checkout failures': { kind: 'ratio', counts: { n: 300, k: 9 } } });
    expect(stub.hits.map((h) => (h.body as { data: { attributes: { from: number } } }).data.attributes.from).sort()).toEqual([SINCE, UNTIL - 300_000]);
  });

  it('reports no data when the total has no points, and zero bad when only the failures have none', async () => {
    let total: number[] = [];
    const { source } = await setup((q) => (q.includes('failed') ? [] : total));
    expect((await source.poll(byName('checkout failures'), window)).missing).toEqual({ 'checkout failures': 'no data (the query matched no points)' });
    total = [250];
    expect((await source.poll(byName('checkout failures'), window)).observations).toEqual({ 'checkout failures': { kind: 'ratio', counts: { n: 250, k: 0 } } });
  });

  it('reads a threshold check as the last point, and refuses a grouped query', async () => {
    let values = [42];
    const { stub, source } = await setup(() => values);
    expect((await source.poll(byName('queue depth'), window)).observations).toEqual({ 'queue depth': { kind: 'value', value: 42 } });
    expect((stub.hits[0]?.body as { data: { attributes: { queries: { aggregator: string }[] } } }).data.attributes.queries[0]?.aggregator).toBe('last');
    values = [1, 2];
    const error = await source.poll(byName('queue depth'), window).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Check "queue depth" (query): the query returned 2 groups: aggregate it to one, without "by {...}"');
  });

  it('waits for X-RateLimit-Reset on a 429, then asks again', async () => {
    const { stub, source } = await setup(
      (q) => (q.includes('failed') ? [1] : [100]),
      (n) =>
        n === 0
          ? {
              status: 429,
              headers: { 'x-ratelimit-reset': '1', 'x-ratelimit-limit': '100', 'x-ratelimit-period': '60' },
              body: { errors: ['Too many requests'] },
            }
          : null,
    );
    const started = Date.now();
    const poll = await source.poll(byName('checkout failures'), window);
    expect(poll.observations['checkout failures']).toEqual({ kind: 'ratio', counts: { n: 100, k: 1 } });
    expect(stub.hits.map((h) => h.status)).toEqual([429, 200]);
    expect((stub.hits[1]?.at ?? 0) - (stub.hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends the run on a query Datadog refuses, naming the check and quoting Datadog; on refused keys naming the inputs, never the keys', async () => {
    const { source } = await setup(
      () => [1],
      () => ({ status: 400, body: { errors: [`Error parsing query: unexpected token near ${API_KEY}`] } }),
    );
    const error = await source.poll(byName('checkout failures'), window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toBe('Check "checkout failures": Datadog refused the query (HTTP 400: Error parsing query: unexpected token near ***)');

    const wrong = await setup(() => [1], undefined, { api: 'wrong_key_0000000000', app: APP_KEY });
    const e2 = await wrong.source.poll(byName('checkout failures'), window).catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(
      /^Check "checkout failures": Datadog refused the keys \(HTTP 403\): check datadog-api-key \(DD_API_KEY\) and datadog-app-key \(DD_APP_KEY\)/,
    );
    expect((e2 as Error).message).not.toContain('wrong_key');
  });

  it('treats a 500 after retries as an outage, not a setup error', async () => {
    const stub = await startDatadogStub({
      apiKey: API_KEY,
      appKey: APP_KEY,
      answer: () => [1],
      fault: () => ({ status: 500, body: { errors: ['Internal Server Error'] } }),
    });
    const http = createHttpClient({
      baseUrl: stub.url,
      token: '',
      headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY },
      userAgent: 't',
      retries: 1,
      minRetryDelayMs: 10,
      maxRetryDelayMs: 20,
    });
    closers.push(
      () => http.close(),
      () => stub.close(),
    );
    const source = createDatadogSource({ http, apiBase: stub.url, checks: CHECKS });
    const error = await source.poll(byName('checkout failures'), window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrackerSetupError);
    expect(stub.hits).toHaveLength(2);
  });
});

describe('the Datadog contract (vendored schema subset)', () => {
  it('accepts what the source sends and refuses what it must not', () => {
    const good = {
      data: {
        type: 'scalar_request',
        attributes: {
          from: 1,
          to: 2,
          queries: [{ data_source: 'metrics', name: 'a', query: 'sum:x{*}', aggregator: 'sum' }],
          formulas: [{ formula: 'a', limit: { count: 2, order: 'desc' } }],
        },
      },
    };
    expect(scalarRequestProblems(good)).toEqual([]);
    const badAggregator = structuredClone(good);
    (badAggregator.data.attributes.queries[0] as { aggregator: string }).aggregator = 'total';
    expect(scalarRequestProblems(badAggregator)).not.toEqual([]);
    const extra = structuredClone(good) as unknown as { data: { attributes: Record<string, unknown> } };
    extra.data.attributes.interval = 60;
    expect(scalarRequestProblems(extra)).not.toEqual([]);
    const noFrom = structuredClone(good) as unknown as { data: { attributes: Record<string, unknown> } };
    delete noFrom.data.attributes.from;
    expect(scalarRequestProblems(noFrom)).not.toEqual([]);
  });

  it('accepts the recorded answer of the endpoint and the error envelope', () => {
    // datadog-api-client-typescript, cassettes/v2/Metrics_2046978582/Scalar-cross-product-query-returns-OK-response_2265152344
    const recorded = {
      data: {
        type: 'scalar_response',
        attributes: {
          columns: [
            {
              values: [6.368151928283307],
              name: 'a',
              meta: { unit: [{ short_name: '%', id: 17, plural: 'percent', name: 'percent', family: 'percentage', scale_factor: 1.0 }, null] },
              type: 'number',
            },
          ],
        },
      },
    };
    expect(scalarResponseProblems(200, recorded)).toEqual([]);
    expect(scalarResponseProblems(400, { errors: ['Queries ending outside the retention date are invalid'] })).toEqual([]);
    expect(scalarResponseProblems(400, { error: 'x' })).not.toEqual([]);
  });
});
