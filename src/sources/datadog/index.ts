import type { MetricCheck } from '../../config/checks';
import type { Config } from '../../config/load';
import { metricsSecrets } from '../../config/metrics-inputs';
import { createHttpClient, type HttpClientOptions } from '../../http/client';
import { USER_AGENT } from '../../version';
import type { HealthSource } from '../types';
import { createDatadogSource } from './source';

export { createDatadogSource } from './source';

export interface DatadogInputs {
  /** The API base from datadog-site (https://api.datadoghq.eu, or a full URL). */
  apiBase: string;
  apiKey: string;
  appKey: string;
  checks: readonly MetricCheck[];
  secrets: readonly string[];
  intervalMs: number;
}

/** The Datadog source and its HTTP client (close it when done); the keys go in Datadog's own headers. */
export function connectDatadog(
  inputs: DatadogInputs,
  extra: Pick<HttpClientOptions, 'signal' | 'onRetry'> = {},
): { source: HealthSource; close(): Promise<void> } {
  const http = createHttpClient({
    baseUrl: inputs.apiBase,
    token: '',
    headers: { 'dd-api-key': inputs.apiKey, 'dd-application-key': inputs.appKey },
    secrets: [...inputs.secrets, inputs.apiKey, inputs.appKey],
    userAgent: USER_AGENT,
    maxRetryTimeMs: Math.min(60_000, Math.max(5_000, inputs.intervalMs)),
    requestTimeoutMs: Math.min(30_000, Math.max(5_000, inputs.intervalMs)),
    ...extra,
  });
  const close = () => http.close();
  const source = { ...createDatadogSource({ http, apiBase: inputs.apiBase, checks: inputs.checks.filter((c) => c.source === 'datadog') }), close };
  return { source, close };
}

/** The Datadog source the configuration asks for (a check with source: datadog), or null. */
export function datadogSource({ inputs }: Config): HealthSource | null {
  const [apiKey, appKey] = [inputs['datadog-api-key'], inputs['datadog-app-key']];
  if (apiKey === null || appKey === null || !inputs.checks.some((c) => c.source === 'datadog')) return null;
  const secrets = [inputs['sentry-auth-token'], inputs['github-token'] ?? '', ...metricsSecrets(inputs)].filter(Boolean);
  return connectDatadog({ apiBase: inputs['datadog-site'], apiKey, appKey, checks: inputs.checks, secrets, intervalMs: inputs.interval }).source;
}
