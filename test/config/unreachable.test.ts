import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import * as z from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenProblem } from '../../src/config/fields';
import { ConfigError, unreachableConfigError } from '../../src/config/load';
import { createHttpClient } from '../../src/http/client';
import { NetworkError, UnreachableError } from '../../src/http/errors';

// A resolver that knows no names: what a mistyped host gets, without asking any DNS server.
const noDns = new Agent({
  connect: {
    lookup: (hostname: string, _opts: unknown, callback: (error: Error) => void) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })),
  } as never,
});
afterAll(() => noDns.close());

const client = (baseUrl: string, dispatcher?: Agent) =>
  createHttpClient({
    baseUrl,
    token: 'sntrys_unreachable_test',
    userAgent: 'test',
    retries: 4,
    minRetryDelayMs: 200,
    maxRetryTimeMs: 10_000,
    ...(dispatcher ? { dispatcher } : {}),
  });

describe('the first request cannot reach the tracker', () => {
  it('a name that does not resolve: UnreachableError at once, one attempt, no retries', async () => {
    const http = client('https://sentry.exmaple.com/api/0', noDns);
    const started = Date.now();
    const error = await http.call('POST', '/organizations/acme/releases/', { schema: z.unknown(), body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).reason).toBe('connect');
    expect((error as Error).message).toMatch(/ENOTFOUND sentry\.exmaple\.com/);
    expect(http.requestCount).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    const config = unreachableConfigError('connect', (error as Error).message, 'https://sentry.exmaple.com');
    expect(config).toBeInstanceOf(ConfigError);
    expect(config.message).toMatch(
      /^Input sentry-url \("https:\/\/sentry\.exmaple\.com"\): Sentry could not be reached there \(.*ENOTFOUND.*\): expected the base URL of Sentry/,
    );
    expect(config.message.split('\n')).toHaveLength(1);
  });

  it('after one answer, the same failure is an outage (a NetworkError that is retried), not a configuration error', async () => {
    let up = true;
    const server = createServer((req, res) => {
      if (!up) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const http = client(`http://127.0.0.1:${port}/api/0`);
    await http.call('GET', '/ok/', { schema: z.unknown() });
    up = false;
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    const error = await http.call('GET', '/ok/', { schema: z.unknown() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(http.requestCount).toBeGreaterThan(2);
    await http.close();
  });

  it('a token the HTTP layer will not put in a header fails the one request, unretried, never naming the token (config validation refuses such a token first)', async () => {
    const token = 'sntrys_first\nsntrys_second';
    expect(tokenProblem(token)).toMatch(/a token cannot have/);
    const http = createHttpClient({ baseUrl: 'http://127.0.0.1:9/api/0', token, userAgent: 'test', maxRetryTimeMs: 5_000 });
    const error = await http.call('GET', '/organizations/acme/', { schema: z.unknown() }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/invalid authorization header/);
    expect((error as Error).message).not.toMatch(/sntrys_/);
    expect(http.requestCount).toBe(1);
  });
});
