import type { MetricCheck } from '../../config/checks';
import type { HttpClient } from '../../http/client';
import { HttpError, UnreachableError } from '../../http/errors';
import { InputSetupError, TrackerSetupError } from '../errors';
import { oneLine } from '../../util/text';
import type { Check, HealthPoll, HealthSource, PollWindow, RatioCounts } from '../types';
import { fillRange } from './range';
import { readBuckets, readOne, type Reading } from './read';
import { type QueryData, queryResponseSchema } from './schemas';
import { CountsLedger, pollMetricChecks, toCounts } from '../counts';

export interface PrometheusSourceOptions {
  http: HttpClient;
  /** The base URL as given (for error lines); the client already points at it. */
  url: string;
  /** The checks of `checks` this source serves (source: prometheus). */
  checks: readonly MetricCheck[];
}

/** prometheus-url without a trailing slash or /api/v1: every request adds /api/v1/query itself. */
export function prometheusApiBase(url: string): string {
  return url
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '')
    .replace(/\/+$/, '');
}

/** A query Prometheus cannot run, or a server that is not Prometheus: retrying cannot fix it. */
function setupError(check: MetricCheck, field: string, error: unknown, url: string): unknown {
  const where = `Check "${check.id}" (${field})`;
  if (error instanceof UnreachableError) {
    return new InputSetupError(
      'prometheus-url',
      `Input prometheus-url ("${oneLine(url, 120)}"): no Prometheus query API could be reached there (${oneLine(error.message, 200)}): expected the base URL, such as http://prometheus:9090 (queries go to <url>/api/v1/query)`,
    );
  }
  if (!(error instanceof HttpError)) return error;
  if (error.status === 400 || error.status === 422) {
    // Prometheus says what is wrong with the query in its error envelope; the body is already redacted and one line.
    const quoted = quoteError(error.body);
    return new InputSetupError('checks', `${where}: Prometheus refused the query (HTTP ${error.status}${quoted ? `: ${quoted}` : ''})`);
  }
  if (error.status === 401 || error.status === 403)
    return new TrackerSetupError(
      `${where}: Prometheus at prometheus-url refused the request (HTTP ${error.status}): check the credentials in prometheus-headers`,
    );
  if (error.status === 404)
    return new InputSetupError(
      'prometheus-url',
      `Input prometheus-url ("${oneLine(url, 120)}"): no Prometheus query API there (HTTP 404 for /api/v1/query): expected the base URL, such as http://prometheus:9090`,
    );
  return error;
}

/** `bad_data: 1:5: parse error: ...` from Prometheus's `{errorType, error}`, or the body's start. */
function quoteError(body: string): string {
  const type = /"errorType"\s*:\s*"((?:[^"\\]|\\.){0,40})"/.exec(body)?.[1];
  const message = /"error"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(body)?.[1];
  if (message === undefined) return oneLine(body, 200);
  const text = message.replace(/\\(["\\/])/g, '$1').replace(/\\[nrt]/g, ' ');
  return oneLine(`${type ? `${type}: ` : ''}${text}`, 240);
}

/**
 * A health source for Prometheus and what speaks its query API. One instant
 * query per query per poll, evaluated at the poll's `until`, with `$__range`
 * covering the time since the deploy; the recent span is asked for as its own
 * query. See the README's "Symptom checks" for what each answer means.
 */
export function createPrometheusSource(opts: PrometheusSourceOptions): HealthSource {
  const { http } = opts;
  const byId = new Map(opts.checks.map((c) => [c.id, c]));
  const ledger = new CountsLedger();

  async function query(check: MetricCheck, field: string, promql: string, at: number, signal?: AbortSignal): Promise<QueryData> {
    try {
      const res = await http.call('GET', '/api/v1/query', { query: { query: promql, time: (at / 1000).toFixed(3) }, schema: queryResponseSchema, signal });
      return res.data.data;
    } catch (error) {
      throw setupError(check, field, error, opts.url);
    }
  }

  const unusable = (check: MetricCheck, field: string, why: string) => new TrackerSetupError(`Check "${check.id}" (${field}): the query ${why}`);

  /** bad and total over [from, at], rounded; null with the reason when there is no data. */
  async function ratioCounts(check: MetricCheck, spanMs: number, at: number, signal?: AbortSignal): Promise<{ counts: RatioCounts } | { why: string }> {
    const q = check.query;
    if (q.kind === 'ratio') {
      const [bad, total] = await Promise.all([
        query(check, 'bad', fillRange(q.bad, spanMs), at, signal),
        query(check, 'total', fillRange(q.total, spanMs), at, signal),
      ]);
      const b = settle(check, 'bad', readOne(bad));
      const t = settle(check, 'total', readOne(total));
      if (t.value === null) return { why: t.why };
      // No bad series at all (no 5xx yet) is zero bad, once the total says there was traffic.
      return toCounts(check, b.value ?? 0, t.value);
    }
    if (q.kind === 'latency') {
      const data = await query(check, 'histogram', `sum by (le) (increase(${q.histogram}[${fillRange('$__range', spanMs)}]))`, at, signal);
      const read = readBuckets(data);
      if ('unusable' in read) throw unusable(check, 'histogram', read.unusable);
      if ('why' in read) return { why: read.why };
      const bound = boundaryFor(check, read.buckets, q.below);
      const total = read.buckets.get(Infinity) as number;
      const within = read.buckets.get(bound) ?? 0;
      return toCounts(check, total - within, total);
    }
    throw new Error(`check ${check.id} is not a ratio`);
  }

  function settle(check: MetricCheck, field: string, reading: Reading): { value: number } | { value: null; why: string } {
    if ('unusable' in reading) throw unusable(check, field, reading.unusable);
    return reading;
  }

  /** The `le` at or just above `below`; the label says which when it is not `below` itself. */
  function boundaryFor(check: MetricCheck, buckets: Map<number, number>, below: number): number {
    const finite = [...buckets.keys()].filter((le) => Number.isFinite(le)).sort((a, b) => a - b);
    // 1e-9 relative: le="0.3" and a below of 300ms are the same boundary.
    const bound = finite.find((le) => le >= below * (1 - 1e-9));
    if (bound === undefined) {
      throw unusable(
        check,
        'below',
        `has no bucket at or above ${below}s (the largest is le="${finite.at(-1) ?? 'none'}"), so slower requests cannot be counted: lower below or add a bucket`,
      );
    }
    if (Math.abs(bound - below) > below * 1e-9 && !check.label.includes('(counted above')) {
      // The check is data the report reads: say which boundary counts as slow.
      check.label = `${check.label} (counted above le=${bound}s, the bucket at or above ${below}s)`;
      if (check.kind === 'ratio') check.units = { ...check.units, bad: `slower than ${bound}s` };
    }
    return bound;
  }

  return {
    name: 'prometheus',
    requests: () => http.requestCount,
    poll(checks: readonly Check[], window: PollWindow): Promise<HealthPoll> {
      return pollMetricChecks(checks, byId, window, ledger, {
        value: async (check, promql, w, at) => settle(check, 'query', readOne(await query(check, 'query', fillRange(promql, at - w.since), at, w.signal))),
        ratio: (check, from, at, signal) => ratioCounts(check, at - from, at, signal),
      });
    },
  };
}
