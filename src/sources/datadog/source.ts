import type { MetricCheck } from '../../config/checks';
import type { HttpClient } from '../../http/client';
import { HttpError, UnreachableError } from '../../http/errors';
import { InputSetupError, TrackerSetupError } from '../errors';
import { oneLine } from '../../util/text';
import { CountsLedger, pollMetricChecks, toCounts } from '../counts';
import type { Check, HealthPoll, HealthSource, PollWindow, RatioCounts } from '../types';
import { type ScalarQuery, type ScalarRequest, type ScalarResponse, scalarResponseSchema } from './schemas';

export interface DatadogSourceOptions {
  http: HttpClient;
  /** The API base (from datadog-site), for error lines. */
  apiBase: string;
  checks: readonly MetricCheck[];
}

/** A gauge is read as its last point; one that reports every few minutes needs that much range behind the poll. */
const VALUE_LOOKBACK_MS = 5 * 60_000;

/** `["Queries ending outside the retention date are invalid"]` from `{errors: [...]}`, or the body's start. */
function quoteErrors(body: string): string {
  const first = /"errors"\s*:\s*\[\s*"((?:[^"\\]|\\.)*)/.exec(body)?.[1];
  return oneLine(first === undefined ? body : first.replace(/\\(["\\/])/g, '$1').replace(/\\[nrt]/g, ' '), 240);
}

function explain(check: MetricCheck, error: unknown, apiBase: string): unknown {
  const site = `Input datadog-site ("${oneLine(apiBase, 120)}")`;
  if (error instanceof UnreachableError)
    return new InputSetupError('datadog-site', `${site}: Datadog's API could not be reached there (${oneLine(error.message, 200)})`);
  if (!(error instanceof HttpError)) return error;
  const quoted = error.body ? `: ${quoteErrors(error.body)}` : '';
  if (error.status === 400 || error.status === 422)
    return new InputSetupError('checks', `Check "${check.id}": Datadog refused the query (HTTP ${error.status}${quoted})`);
  if (error.status === 401 || error.status === 403) {
    return new TrackerSetupError(
      `Check "${check.id}": Datadog refused the keys (HTTP ${error.status}): check datadog-api-key (DD_API_KEY) and datadog-app-key (DD_APP_KEY); the application key needs the timeseries_query scope`,
    );
  }
  if (error.status === 404) return new InputSetupError('datadog-site', `${site}: no Datadog query API there (HTTP 404 for /api/v2/query/scalar)`);
  return error;
}

type Reading = { value: number } | { value: null; why: string };

/** The one number of column `name`: several (a `by {...}` query) is a setup error, none is no data. */
function columnValue(check: MetricCheck, res: ScalarResponse, name: string, field: string): Reading {
  const column = res.data?.attributes?.columns?.find((c) => c.type === 'number' && c.name === name);
  const values = column && column.type === 'number' ? column.values : [];
  if (values.length > 1)
    throw new TrackerSetupError(`Check "${check.id}" (${field}): the query returned ${values.length} groups: aggregate it to one, without "by {...}"`);
  const value = values[0];
  if (value === undefined || value === null) {
    const why = res.errors ? `no data (Datadog: ${oneLine(res.errors, 160)})` : 'no data (the query matched no points)';
    return { value: null, why };
  }
  if (!Number.isFinite(value)) return { value: null, why: 'no data (not a number)' };
  return { value };
}

/**
 * A health source for Datadog: the v2 scalar query, which reduces each query
 * over [from, to] to one number server-side. A ratio check's bad and total go
 * in one request (queries a and b, aggregated by sum: the counts since the
 * deploy); the timeseries query would return rollup buckets to add up, with
 * edges to get wrong, for the same number. The recent span is its own request.
 */
export function createDatadogSource(opts: DatadogSourceOptions): HealthSource {
  const { http } = opts;
  const byId = new Map(opts.checks.map((c) => [c.id, c]));
  const ledger = new CountsLedger();

  async function scalar(check: MetricCheck, from: number, to: number, queries: ScalarQuery[], signal?: AbortSignal): Promise<ScalarResponse> {
    const body: ScalarRequest = {
      data: {
        type: 'scalar_request',
        // Two groups are enough to tell a grouped query from one number.
        attributes: { from, to: Math.max(to, from + 1000), queries, formulas: queries.map((q) => ({ formula: q.name, limit: { count: 2, order: 'desc' } })) },
      },
    };
    try {
      return (await http.call('POST', '/api/v2/query/scalar', { body, schema: scalarResponseSchema, signal })).data;
    } catch (error) {
      throw explain(check, error, opts.apiBase);
    }
  }

  async function ratioCounts(check: MetricCheck, from: number, to: number, signal?: AbortSignal): Promise<{ counts: RatioCounts } | { why: string }> {
    if (check.query.kind !== 'ratio') throw new Error(`check ${check.id} is not a Datadog ratio`);
    const res = await scalar(
      check,
      from,
      to,
      [
        { data_source: 'metrics', name: 'a', query: check.query.bad, aggregator: 'sum' },
        { data_source: 'metrics', name: 'b', query: check.query.total, aggregator: 'sum' },
      ],
      signal,
    );
    const bad = columnValue(check, res, 'a', 'bad');
    const total = columnValue(check, res, 'b', 'total');
    if (total.value === null) return { why: total.why };
    // A failure counter that has not fired yet has no points: zero bad, once the total shows traffic.
    return toCounts(check, bad.value ?? 0, total.value);
  }

  return {
    name: 'datadog',
    requests: () => http.requestCount,
    poll(checks: readonly Check[], window: PollWindow): Promise<HealthPoll> {
      return pollMetricChecks(checks, byId, window, ledger, {
        value: async (check, query, w, at) =>
          columnValue(
            check,
            await scalar(check, Math.min(w.since, at - VALUE_LOOKBACK_MS), at, [{ data_source: 'metrics', name: 'a', query, aggregator: 'last' }], w.signal),
            'a',
            'query',
          ),
        ratio: ratioCounts,
      });
    },
  };
}
