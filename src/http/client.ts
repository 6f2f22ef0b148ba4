import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import type { Dispatcher } from 'undici';
// Not the package root: importing it loads fetch, WebSocket, the cache and mock
// layers and their Node modules, megabytes of the action's peak memory for code
// it never runs. These two files are what this client uses.
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import dispatchRequest from 'undici/lib/api/api-request.js';
import type { z } from 'zod';
import { redact, redactDeep } from '../util/redact';
import { oneLine } from '../util/text';
import { HttpError, NetworkError, NotJsonError, RateLimitedError, ResponseShapeError, ResponseTooLargeError, UnreachableError, neverSentCode } from './errors';
import { errorMessage } from '../util/errors';

export interface HttpClientOptions {
  /** Origin plus path prefix, e.g. https://sentry.io/api/0 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`; '' sends none (a webhook whose URL is the secret, or a source that authenticates by `headers`). */
  token: string;
  /** Headers on every request (a Prometheus tenant, Datadog's keys, an Alertmanager's auth, Bugsnag's `X-Version: 2`); their values are redacted like the token (short ones, as any short secret, are not). */
  headers?: Readonly<Record<string, string>>;
  userAgent: string;
  /**
   * How the token is sent: the header and the word before it. Default
   * `Authorization: Bearer …` (Sentry); Bugsnag's Data Access API wants
   * `Authorization: token …`, Rollbar `X-Rollbar-Access-Token: …`; null sends
   * none (Bugsnag's Build API takes the key in the body).
   */
  auth?: { header: string; scheme?: string } | null;
  /** Defaults to an agent that honours HTTP(S)_PROXY and NO_PROXY, as self-hosted runners often need. */
  dispatcher?: Dispatcher;
  /** Cuts a request that has not completed (headers and body) in this time. */
  requestTimeoutMs?: number;
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Bound on the time one call spends retrying, waits for rate limits included. */
  maxRetryTimeMs?: number;
  now?: () => number;
  /** Cancels every call of this client (the job was cancelled), on top of each call's own signal. */
  signal?: AbortSignal;
  /** Stop reading an answer past this many bytes (default 8 MiB): it is a fault, like an outage. */
  maxResponseBytes?: number;
  /** Other secrets to redact from answers besides `token` (e.g. the GitHub token). */
  secrets?: readonly string[];
  onRetry?: (info: { path: string; attempt: number; error: Error; waitMs: number }) => void;
}

export interface CallOptions<T> {
  query?: Record<string, string | number | readonly (string | number)[] | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  signal?: AbortSignal;
  /** Statuses that count as success besides 2xx (none by default). */
  okStatuses?: readonly number[];
  /** The answer is text, not JSON (Slack's webhook answers "ok"): `schema` validates the string. */
  text?: boolean;
}

export interface JsonResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The largest Sentry answer the gate asks for (a sessions series of up to 1000
 * buckets for a few projects and statuses, a page of 100 issues) is well under
 * a megabyte; past 8 MiB an answer is broken or hostile, and reading on only
 * costs memory.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Server text shown in an error: one line, short. It is already redacted (see `readBody`). */
const SHOWN_MAX = 300;

/** Drops an answer unread. Destroying the body emits an error: unheard, it would crash the process. */
function discard(res: Dispatcher.ResponseData): void {
  res.body.on('error', () => {});
  res.body.destroy();
}

/**
 * Reads the body as text, at most `max` bytes, and redacts it whole before
 * anything else sees it: slicing, parsing or escaping first could cut a
 * secret into pieces that slip past, or decode one that was escaped.
 */
async function readBody(res: Dispatcher.ResponseData, max: number, secrets: readonly string[]): Promise<string> {
  const declared = Number(res.headers['content-length']);
  const tooLarge = () => {
    discard(res);
    return new ResponseTooLargeError(`the answer is larger than the ${Math.round(max / 1024 / 1024)} MiB this client reads`);
  };
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return redact(Buffer.concat(chunks, size).toString('utf8'), secrets);
}

/** Where and what, never the value: a key or value quoted from the answer could hold anything. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? String(p) : typeof p === 'string' && /^[\w.()-]{1,40}$/.test(p) ? p : '?')).join('.');
  // A custom issue's message is the schema's own words; zod's others can quote keys or values.
  const what =
    issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code === 'custom' ? oneLine(issue.message, 60) : issue.code.replace(/_/g, ' ');
  return `${path || '(body)'}: ${what}`;
}

/**
 * Sentry sends the reset as epoch seconds (and no Retry-After); Bugsnag and
 * proxies send Retry-After; Rollbar sends X-Rate-Limit-Reset (epoch seconds)
 * and X-Rate-Limit-Remaining-Seconds.
 */
function rateLimitWaitMs(headers: JsonResponse<unknown>['headers'], now: number): number | null {
  const reset = Number(headers['x-sentry-rate-limit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  // Datadog sends the seconds left until its limit resets (docs.datadoghq.com/api/latest/rate-limits).
  const left = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(left) && left >= 0 && left < 86_400) return left * 1000;
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter === 'string') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const remaining = Number(headers['x-rate-limit-remaining-seconds']);
  if (typeof headers['x-rate-limit-remaining-seconds'] === 'string' && Number.isFinite(remaining) && remaining >= 0) return remaining * 1000;
  const rollbarReset = Number(headers['x-rate-limit-reset']);
  if (Number.isFinite(rollbarReset) && rollbarReset > 0) return Math.max(0, rollbarReset * 1000 - now);
  return null;
}

function buildUrl(baseUrl: string, path: string, query: CallOptions<unknown>['query']): string {
  // A base URL's query (a service that takes its token as `?token=…`) goes on every request, after the path rather than before it.
  const base = new URL(baseUrl);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of base.searchParams) url.searchParams.append(key, value);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
  }
  return url.toString();
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface HttpClient {
  call<T>(method: HttpMethod, path: string, options: CallOptions<T>): Promise<JsonResponse<T>>;
  /** Requests sent so far, retries included: the benchmark and tests count them. */
  readonly requestCount: number;
  close(): Promise<void>;
}

/** A final failure that says the tracker is down or broken, rather than refusing this request. */
const isOutage = (error: unknown) =>
  error instanceof NetworkError || error instanceof ResponseShapeError || (error instanceof HttpError && RETRYABLE.has(error.status));

const errorCode = (error: unknown) => (error instanceof Error ? String((error as { code?: unknown }).code ?? '') : '');

function unreachableReason(error: unknown): UnreachableError['reason'] | null {
  return neverSentCode(errorCode(error)) ? 'connect' : null;
}

/** A header undici will not send (config validation refuses such tokens first): no retry can send it either. */
const refusedHeader = (error: unknown) => errorCode(error) === 'UND_ERR_INVALID_ARG' && /header/i.test((error as Error).message);

/** Where a redirect points, as its origin only (the rest is the server's text), or nothing. */
function redirectTarget(location: unknown, from: string): string {
  try {
    const to = new URL(String(location), from);
    return to.protocol === 'https:' || to.protocol === 'http:' ? ` to ${to.origin.slice(0, 100)}` : '';
  } catch {
    return '';
  }
}

/** Shortest attempt the retry budget may cut a request to: a working tracker answers well within it. */
const MIN_ATTEMPT_MS = 1_000;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const ownsDispatcher = !options.dispatcher;
  const dispatcher = options.dispatcher ?? new EnvHttpProxyAgent({ connect: { timeout: 10_000 } });
  const now = options.now ?? Date.now;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const secrets = [options.token, ...Object.values(options.headers ?? {}), ...(options.secrets ?? [])].filter(Boolean);
  const auth = options.auth === undefined ? { header: 'authorization', scheme: 'Bearer' } : options.auth;
  // No token, no auth header: a webhook whose URL is the secret, a source that authenticates by `headers`.
  const authHeader: Record<string, string> =
    auth && options.token ? { [auth.header.toLowerCase()]: auth.scheme ? `${auth.scheme} ${options.token}` : options.token } : {};
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  let requestCount = 0;
  // Set when a call ran out of retries on an outage: later calls try once, so
  // an outage costs one request per call instead of a full retry budget each,
  // until an answer comes back.
  let trackerDown = false;
  // Until the tracker has answered once, a failure to connect is a wrong URL, not an outage.
  let answered = false;
  // Until the tracker has answered JSON once, pages instead of JSON (after every retry) are a wrong URL too.
  let understood = false;

  async function attempt<T>(method: string, path: string, url: string, opts: CallOptions<T>, attemptTimeoutMs: number): Promise<JsonResponse<T>> {
    requestCount += 1;
    const signals = [AbortSignal.timeout(attemptTimeoutMs), ...(opts.signal ? [opts.signal] : [])];
    const { origin, pathname, search } = new URL(url);
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatchRequest.call(dispatcher, {
        origin,
        path: pathname + search,
        method: method as Dispatcher.HttpMethod,
        signal: AbortSignal.any(signals),
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
        headers: {
          ...authHeader,
          ...options.headers,
          accept: 'application/json',
          'user-agent': options.userAgent,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (error) {
      if (opts.signal?.aborted) throw new AbortError(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('cancelled'));
      const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const shownCause = oneLine(redact(`${method} ${path} failed: ${cause}`, secrets), 500);
      const unreachable = answered ? null : unreachableReason(error);
      if (unreachable) throw new AbortError(new UnreachableError(shownCause, unreachable));
      if (refusedHeader(error)) throw new AbortError(new Error(shownCause));
      throw new NetworkError(shownCause);
    }
    // Sentry's API answers, it does not redirect: before any answer a redirect is
    // a wrong sentry-url (http:// for https://, a login page), which would
    // otherwise watch nothing for the whole window and end green.
    if (!answered && res.statusCode >= 300 && res.statusCode < 400) {
      discard(res);
      throw new AbortError(
        new UnreachableError(`${method} ${path} was redirected (HTTP ${res.statusCode}${redirectTarget(res.headers.location, url)})`, 'redirect'),
      );
    }
    answered = true;
    let text: string;
    try {
      text = await readBody(res, maxBytes, secrets);
    } catch (error) {
      if (opts.signal?.aborted) throw new AbortError(new Error('cancelled'));
      if (error instanceof ResponseTooLargeError) throw new ResponseTooLargeError(`${method} ${path} returned HTTP ${res.statusCode}, but ${error.message}`);
      throw new NetworkError(oneLine(redact(`${method} ${path}: the response body was cut off (${errorMessage(error)})`, secrets), 500));
    }
    const headers = res.headers;
    const shown = oneLine(text, SHOWN_MAX).replace(/\s+/g, ' ');
    const ok = (res.statusCode >= 200 && res.statusCode < 300) || (opts.okStatuses ?? []).includes(res.statusCode);
    if (!ok) {
      const message = `${method} ${path} returned HTTP ${res.statusCode}${shown ? `: ${shown}` : ''}`;
      const wait = rateLimitWaitMs(headers, now());
      // Only a 429 or 503 that says when to come back waits for it; a bare one
      // (proxies send those) backs off and uses up retries like any 5xx.
      if ((res.statusCode === 429 || res.statusCode === 503) && wait !== null) {
        throw new RateLimitedError(message, res.statusCode, path, shown, wait);
      }
      const err = new HttpError(message, res.statusCode, path, shown);
      throw RETRYABLE.has(res.statusCode) ? err : new AbortError(err);
    }
    let json: unknown;
    if (opts.text) json = text;
    else
      try {
        // Redacted again once parsed: JSON escapes the text pass could not see through still decode to nothing secret.
        json = text === '' ? null : redactDeep(JSON.parse(text), secrets);
      } catch {
        // An HTML error page or a truncated body from a proxy is transient: retry it.
        throw new NotJsonError(`${method} ${path} returned HTTP ${res.statusCode} but not JSON: ${oneLine(shown, 120)}`);
      }
    understood = true;
    const parsed = opts.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 3).map(describeIssue).join('; ');
      throw new ResponseShapeError(`${method} ${path} returned an unexpected response (${where})`);
    }
    return { status: res.statusCode, data: parsed.data, headers };
  }

  return {
    get requestCount() {
      return requestCount;
    },
    async call<T>(method: HttpMethod, path: string, callOpts: CallOptions<T>) {
      const signals = [callOpts.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
      const opts = { ...callOpts, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] };
      const url = buildUrl(options.baseUrl, path, opts.query);
      const maxRetryTime = options.maxRetryTimeMs ?? 60_000;
      const started = now();
      // p-retry checks its budget only between attempts; cutting the last attempt
      // to what is left makes maxRetryTime bound the whole call.
      const attemptTimeout = () => Math.min(timeoutMs, Math.max(MIN_ATTEMPT_MS, maxRetryTime - (now() - started)));
      const run = pRetry(() => attempt(method, path, url, opts, attemptTimeout()), {
        retries: trackerDown ? 0 : (options.retries ?? 4),
        minTimeout: options.minRetryDelayMs ?? 1_000,
        maxTimeout: options.maxRetryDelayMs ?? 15_000,
        randomize: true,
        maxRetryTime,
        signal: opts.signal,
        // Every retry uses up the budget and backs off exponentially; a rate limit
        // may ask for longer, never for less: a reset already past (clock skew)
        // or a Retry-After of 0 must not turn the retries into a request storm.
        onFailedAttempt: async ({ error, attemptNumber, retryDelay, retriesLeft }) => {
          const remaining = Math.max(0, maxRetryTime - (now() - started));
          const asked = error instanceof RateLimitedError ? Math.min(error.waitMs + 250, remaining) : 0;
          const waitMs = Math.max(retryDelay, asked);
          options.onRetry?.({ path, attempt: attemptNumber, error, waitMs });
          // p-retry waits retryDelay after this; the rest of a longer reset is waited here.
          // Rejects with the caller's abort reason, as p-retry's own waits do, not a generic AbortError.
          // No wait when no attempt follows (out of retries, or trying once while the tracker is down).
          if (asked > retryDelay && remaining > 0 && retriesLeft > 0) {
            await sleep(asked - retryDelay, undefined, { signal: opts.signal }).catch((e: unknown) => {
              throw opts.signal?.aborted ? opts.signal.reason : e;
            });
          }
        },
        shouldRetry: ({ error }) => !(error instanceof RateLimitedError) || maxRetryTime - (now() - started) > 0,
      });
      try {
        const result = await run;
        trackerDown = false;
        return result;
      } catch (error) {
        if (!understood && error instanceof NotJsonError && !opts.signal?.aborted) throw new UnreachableError(error.message, 'not-api');
        // Any other answer (a 4xx) shows the tracker is up.
        if (!opts.signal?.aborted) trackerDown = isOutage(error);
        throw error;
      }
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
