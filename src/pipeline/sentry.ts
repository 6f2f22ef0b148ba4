import { notifySecrets } from '../config/notify-inputs';
import { trackerSecrets } from '../config/tracker-inputs';
import type { Inputs } from '../config/schema';
import { createHttpClient, type HttpClientOptions } from '../http/client';
import { createSentryTracker } from '../sources/sentry/adapter';
import { apiBase } from '../sources/sentry/urls';
import type { Tracker } from '../sources/sentry/types';
import { USER_AGENT } from '../version';
import { metricsSecrets } from '../config/metrics-inputs';
import { urlInputSecrets } from '../config/url-secrets';

/** The secrets of a configuration: what no output may contain. */
export function secretsOf(inputs: Inputs): string[] {
  return [
    inputs['sentry-auth-token'],
    inputs['github-token'] ?? '',
    ...notifySecrets(inputs),
    ...metricsSecrets(inputs),
    ...trackerSecrets(inputs),
    ...urlInputSecrets(inputs),
  ].filter(Boolean);
}

/**
 * The Sentry tracker the action and the CLI watch with, and its HTTP client
 * (close it when done). Retries and request timeouts scale with the interval,
 * so a poll's retries end before the next poll is due.
 */
export function connectSentry(inputs: Inputs, extra: Pick<HttpClientOptions, 'signal' | 'onRetry'> = {}): { tracker: Tracker; close(): Promise<void> } {
  const http = createHttpClient({
    baseUrl: apiBase(inputs['sentry-url']),
    token: inputs['sentry-auth-token'],
    secrets: secretsOf(inputs),
    userAgent: USER_AGENT,
    maxRetryTimeMs: Math.min(60_000, Math.max(5_000, inputs.interval)),
    requestTimeoutMs: Math.min(30_000, Math.max(5_000, inputs.interval)),
    ...extra,
  });
  const tracker = createSentryTracker({ http, sentryUrl: inputs['sentry-url'], org: inputs['sentry-org'], projects: inputs['sentry-projects'] });
  return { tracker, close: () => http.close() };
}
