import { createHttpClient, type HttpClientOptions } from '../../http/client';
import type { HealthSource, Registrar } from '../types';
import { bugsnagApi } from './api';
import { createBugsnagHealth } from './health';
import { createBugsnagRegistrar } from './registrar';

export interface BugsnagSettings {
  apiKey: string | null;
  token: string | null;
  projectId: string | null;
  url: string;
  buildUrl: string;
  version: string;
  environment: string;
}

const base = (url: string) => url.replace(/\/+$/, '');

/** Bugsnag's registrar and health source over two HTTP clients (Build API, Data Access API); close both when done. */
export function connectBugsnag(
  s: BugsnagSettings,
  http: Omit<HttpClientOptions, 'baseUrl' | 'token'>,
): { registrar: Registrar; health: HealthSource | null; close(): Promise<void> } {
  const secrets = [s.apiKey, s.token, ...(http.secrets ?? [])].filter((x): x is string => Boolean(x));
  const build = createHttpClient({ ...http, baseUrl: base(s.buildUrl), token: s.apiKey ?? '', auth: null, secrets });
  const data =
    s.token && s.projectId
      ? createHttpClient({
          ...http,
          baseUrl: base(s.url),
          token: s.token,
          auth: { header: 'authorization', scheme: 'token' },
          headers: { 'x-version': '2' },
          secrets,
        })
      : null;
  const api = data && s.projectId ? bugsnagApi(data, { baseUrl: base(s.url), projectId: s.projectId }) : null;
  return {
    registrar: createBugsnagRegistrar({ build, apiKey: s.apiKey, api, buildUrl: s.buildUrl }),
    health: api ? createBugsnagHealth({ api, version: s.version, environment: s.environment }) : null,
    close: async () => {
      await build.close();
      await data?.close();
    },
  };
}
