import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../http/client';
import { HttpError, UnreachableError } from '../../http/errors';
import { oneLine } from '../../util/text';
import { USER_AGENT } from '../../version';

/** Why a notification was not delivered, naming the notifier and the HTTP status. */
export class NotifyError extends Error {
  override name = 'NotifyError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly requests: number,
  ) {
    super(message);
  }
}

/**
 * A client for one notification service. Retries 408, 429 and 5xx (what
 * PagerDuty's Events API asks for; Slack and Alertmanager answer the same
 * way), never another 4xx, and gives up within 20 s: paging is worth a wait,
 * but not holding the job for long.
 */
/**
 * The largest answer a notifier reads. PagerDuty and Slack answer a line;
 * Alertmanager's list of one environment's open gate alerts is a few KB each,
 * at most MAX_RESOLVED of them. Past this it is broken or hostile, and parsing
 * it costs the job memory for nothing.
 */
export const NOTIFY_MAX_RESPONSE_BYTES = 1024 * 1024;

export function notifyClient(
  baseUrl: string,
  opts: { headers?: Record<string, string>; secrets: readonly string[]; signal?: AbortSignal; onRetry?: HttpClientOptions['onRetry'] },
): HttpClient {
  return createHttpClient({
    baseUrl,
    token: '',
    userAgent: USER_AGENT,
    secrets: opts.secrets,
    retries: 3,
    minRetryDelayMs: 500,
    maxRetryDelayMs: 4_000,
    maxRetryTimeMs: 20_000,
    requestTimeoutMs: 10_000,
    maxResponseBytes: NOTIFY_MAX_RESPONSE_BYTES,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
  });
}

/**
 * The failure in a few words, never the request's path (Slack's holds its
 * secret): the HTTP status and the first of the service's own words.
 */
export function notifyError(notifier: string, error: unknown, requests: number): NotifyError {
  if (error instanceof HttpError) {
    const said = oneLine(error.body, 160);
    return new NotifyError(`${notifier} notification failed: HTTP ${error.status}${said ? ` (${said})` : ''}`, error.status, requests);
  }
  // Node's codes are words (ECONNRESET); a DOMException's is a number that says nothing.
  const raw = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const code = typeof raw === 'string' ? raw : '';
  const why =
    error instanceof UnreachableError ? 'could not connect' : error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : error.name) : 'error';
  return new NotifyError(`${notifier} notification failed: no answer (${why}${code ? ` ${code}` : ''})`, null, requests);
}
