/**
 * A Prometheus-compatible instant query endpoint (`GET /api/v1/query`) for scenarios with request
 * traffic, so the demo can show a symptom check without a real Prometheus (the integration tests
 * run the real one). It answers only the demo's two queries, the 5xx and all requests of a job
 * over `[<range>]`, from a deterministic model of HTTP requests; any other expression is a 400
 * `bad_data`, as Prometheus answers a query it cannot parse.
 *
 * Shapes follow prometheus/prometheus docs/querying/api.md ("Format overview", "Instant
 * queries", "Instant vectors"): `{status: "success", data: {resultType: "vector", result:
 * [{metric: {}, value: [<unix seconds>, "<value>"]}]}}`, and `{status: "error", errorType,
 * error}` with 400 when parameters are missing or incorrect.
 */
import { type Query, one, parsePeriod } from './http';
import { streamFor } from './random';
import { type TrackerState, anchorOf } from './store';

/** 5xx ratio of the watched release from `fromMinute` after its deploy until the next phase. */
export interface RequestPhase {
  fromMinute: number;
  errorRatio: number;
}

/** HTTP requests of the scenario's app, as a `http_requests_total{job, code}` counter counts them. */
export interface RequestTraffic {
  /** The `job` label the queries select. */
  job: string;
  perMinute: number;
  /** 5xx ratio before the watched release is deployed (the previous release's). */
  previous: number;
  phases: RequestPhase[];
}

export interface PromReply {
  status: number;
  body: unknown;
}

/** Requests of one wall-clock minute: offsets (ms) and the uniform draw that decides a 5xx. */
interface MinuteRequests {
  offsetMs: Float64Array;
  draw: Float64Array;
}

const CACHE_LIMIT = 10_000;

const badData = (error: string): PromReply => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error } });

/**
 * The query handler. Requests are drawn per wall-clock minute from a seeded stream; whether one
 * is a 5xx is decided at query time from the deploy the tracker has recorded, so the ratio
 * jumps at the deploy whenever it happens.
 */
export function createMetrics(traffic: RequestTraffic, seed: number, state: TrackerState, clock: () => number, minuteMs = 60_000) {
  const cache = new Map<number, MinuteRequests>();

  function minute(m: number): MinuteRequests {
    let hit = cache.get(m);
    if (!hit) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      const next = streamFor(seed, 'requests', m);
      const n = Math.round(traffic.perMinute);
      hit = { offsetMs: new Float64Array(n), draw: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        hit.offsetMs[i] = next() * minuteMs;
        hit.draw[i] = next();
      }
      cache.set(m, hit);
    }
    return hit;
  }

  /** Deploy time of the newest watched (not seeded) release in the environment, if any. */
  function deployedAt(): number | undefined {
    let best: number | undefined;
    for (const r of state.releases.values()) {
      if (r.role !== 'current' || !r.deploys.some((d) => d.environment === state.environment)) continue;
      const at = anchorOf(r, state.environment);
      if (best === undefined || at > best) best = at;
    }
    return best;
  }

  function ratioAt(t: number, deploy: number | undefined): number {
    if (deploy === undefined || t < deploy) return traffic.previous;
    const since = (t - deploy) / minuteMs;
    let ratio = traffic.phases[0]?.errorRatio ?? traffic.previous;
    for (const p of traffic.phases) if (p.fromMinute <= since) ratio = p.errorRatio;
    return ratio;
  }

  /** Requests (all, or 5xx only) in (from, to]: what `increase(counter[range])` evaluated at `to` counts. */
  function count(from: number, to: number, only5xx: boolean): number {
    const deploy = deployedAt();
    let n = 0;
    for (let m = Math.floor(from / minuteMs); m * minuteMs < to; m++) {
      const reqs = minute(m);
      for (let i = 0; i < reqs.offsetMs.length; i++) {
        const t = m * minuteMs + reqs.offsetMs[i]!;
        if (t <= from || t > to) continue;
        if (!only5xx || reqs.draw[i]! < ratioAt(t, deploy)) n++;
      }
    }
    return n;
  }

  /** `sum(increase(http_requests_total{job="<job>"[,code=~"5.."]}[<range>]))`, whitespace aside. */
  const pattern = new RegExp(`^sum\\(increase\\(http_requests_total\\{job="${traffic.job.replace(/[^\w-]/g, '')}"(,code=~"5\\.\\.")?\\}\\[(\\w+)\\]\\)\\)$`);

  return {
    /** `GET /api/v1/query?query=...&time=...`. */
    query(method: string, q: Query): PromReply {
      if (method !== 'GET')
        return { status: 405, body: { status: 'error', errorType: 'bad_data', error: `method ${method} not allowed: the local tracker answers GET` } };
      const expr = one(q, 'query');
      if (expr === undefined || expr === '') return badData('invalid parameter "query": empty query expression');
      const now = clock();
      const timeText = one(q, 'time');
      const at = timeText === undefined ? now : parseTime(timeText);
      if (at === undefined) return badData(`invalid parameter "time": cannot parse "${timeText}" to a valid timestamp`);
      const match = pattern.exec(expr.replace(/\s+/g, ''));
      const rangeSec = match ? parsePeriod(match[2]) : undefined;
      if (!match || rangeSec === undefined || rangeSec === 0) {
        return badData(
          `the local tracker answers only sum(increase(http_requests_total{job="${traffic.job}"}[<range>])) and the same with code=~"5..": not ${JSON.stringify(expr.slice(0, 200))}`,
        );
      }
      // Nothing has been scraped after now: a later evaluation time sees what exists so far.
      const to = Math.min(at, now);
      const value = count(at - rangeSec * 1000, to, match[1] !== undefined);
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [at / 1000, String(value)] }] } } };
    },
  };
}

/** Prometheus's `time`: unix seconds (fractions allowed) or RFC 3339. */
function parseTime(text: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d\d-\d\dT/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
