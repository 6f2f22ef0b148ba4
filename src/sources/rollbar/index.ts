import { createHttpClient, type HttpClientOptions } from '../../http/client';
import type { HealthSource, Registrar } from '../types';
import { rollbarApi } from './api';
import { createRollbarHealth } from './health';
import { createRollbarRegistrar } from './registrar';

export interface RollbarSettings {
  token: string;
  url: string;
  version: string;
  environment: string;
}

/** Rollbar's registrar and health source over one HTTP client; close it when done. */
export function connectRollbar(
  s: RollbarSettings,
  http: Omit<HttpClientOptions, 'baseUrl' | 'token'>,
): { registrar: Registrar; health: HealthSource; close(): Promise<void> } {
  const client = createHttpClient({ ...http, baseUrl: `${s.url.replace(/\/+$/, '')}/api/1`, token: s.token, auth: { header: 'x-rollbar-access-token' } });
  const api = rollbarApi(client);
  return {
    registrar: createRollbarRegistrar(api),
    health: createRollbarHealth({ api, version: s.version, environment: s.environment }),
    close: () => client.close(),
  };
}
