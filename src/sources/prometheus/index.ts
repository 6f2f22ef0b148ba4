import type { MetricCheck } from '../../config/checks';
import type { Config } from '../../config/load';
import { metricsSecrets } from '../../config/metrics-inputs';
import { createHttpClient, type HttpClientOptions } from '../../http/client';
import { USER_AGENT } from '../../version';
import type { HealthSource } from '../types';
import { createPrometheusSource, prometheusApiBase } from './source';

export { createPrometheusSource, prometheusApiBase } from './source';

export interface PrometheusInputs {
  url: string;
  headers: Readonly<Record<string, string>>;
  checks: readonly MetricCheck[];
  /** Every secret of the run (header values among them): redacted from anything Prometheus sends back. */
  secrets: readonly string[];
  intervalMs: number;
}

/**
 * The Prometheus source and its HTTP client (close it when done). Retries and
 * timeouts scale with the interval, as Sentry's do, so a poll's retries end
 * before the next poll is due.
 */
export function connectPrometheus(
  inputs: PrometheusInputs,
  extra: Pick<HttpClientOptions, 'signal' | 'onRetry'> = {},
): { source: HealthSource; close(): Promise<void> } {
  const http = createHttpClient({
    baseUrl: prometheusApiBase(inputs.url),
    token: '',
    headers: inputs.headers,
    secrets: [...inputs.secrets, ...Object.values(inputs.headers)],
    userAgent: USER_AGENT,
    maxRetryTimeMs: Math.min(60_000, Math.max(5_000, inputs.intervalMs)),
    requestTimeoutMs: Math.min(30_000, Math.max(5_000, inputs.intervalMs)),
    ...extra,
  });
  const close = () => http.close();
  const source = { ...createPrometheusSource({ http, url: inputs.url, checks: inputs.checks.filter((c) => c.source === 'prometheus') }), close };
  return { source, close };
}

/** The Prometheus source the configuration asks for (a check with source: prometheus), or null. */
export function prometheusSource({ inputs }: Config): HealthSource | null {
  const url = inputs['prometheus-url'];
  if (url === null || !inputs.checks.some((c) => c.source === 'prometheus')) return null;
  const secrets = [inputs['sentry-auth-token'], inputs['github-token'] ?? '', ...metricsSecrets(inputs)].filter(Boolean);
  return connectPrometheus({ url, headers: inputs['prometheus-headers'], checks: inputs.checks, secrets, intervalMs: inputs.interval }).source;
}
