import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient, type HttpClientOptions } from '../../src/http/client';
import { HttpError, NetworkError, RateLimitedError, ResponseShapeError, ResponseTooLargeError, UnreachableError } from '../../src/http/errors';
import { json, type Responder, tinyServer } from './http-server';

const TOKEN = 'sntryu_unit_secret_token_ABCDEF0123';
const schema = z.object({ ok: z.boolean() });

type Ctx = { onTestFinished: (fn: () => Promise<void>) => void };

/** A server answering with `respond`, and a client for it; both closed when the test ends. */
async function setup(ctx: Ctx, respond: Responder, opts: Partial<HttpClientOptions> = {}) {
  const server = await tinyServer(respond);
  const retries: { attempt: number; waitMs: number; message: string }[] = [];
  const client = createHttpClient({
    baseUrl: `${server.url}/api/0`,
    token: TOKEN,
    userAgent: 'rhg-test',
    retries: 4,
    minRetryDelayMs: 10,
    maxRetryDelayMs: 40,
    maxRetryTimeMs: 10_000,
    requestTimeoutMs: 5_000,
    onRetry: ({ attempt, waitMs, error }) => retries.push({ attempt, waitMs, message: error.message }),
    ...opts,
  });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  return { client, retries, hits: server.hits };
}

const get = (client: ReturnType<typeof createHttpClient>, signal?: AbortSignal) =>
  client.call('GET', '/organizations/acme/sessions/', { schema, ...(signal ? { signal } : {}) });

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

// Each test has its own server and client, and most wait on real timers: run them at once.
describe.concurrent('createHttpClient against a loopback server', () => {
  it('retries a burst of 500, 502 and 503 and returns the answer that follows', async (ctx) => {
    const statuses = [500, 502, 503];
    const { client, retries, hits } = await setup(ctx, (n, _req, res) => (n < 3 ? json(res, statuses[n]!, { detail: 'x' }) : json(res, 200, { ok: true })));
    const res = await get(client);
    expect(res.data).toEqual({ ok: true });
    expect(hits).toHaveLength(4);
    expect(client.requestCount).toBe(4);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(retries.map((r) => r.message)).toEqual([
      expect.stringContaining('HTTP 500'),
      expect.stringContaining('HTTP 502'),
      expect.stringContaining('HTTP 503'),
    ]);
    expect(hits[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('gives up after `retries` retries of a persistent 5xx: retries + 1 requests, an HttpError with the status', async (ctx) => {
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 503, { detail: 'down' }), { retries: 2 });
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    expect(hits).toHaveLength(3);
  });

  it('retries 408 and 504 too', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, _req, res) => (n === 0 ? json(res, 408, {}) : n === 1 ? json(res, 504, {}) : json(res, 200, { ok: true })));
    expect((await get(client)).data.ok).toBe(true);
    expect(hits).toHaveLength(3);
  });

  it.for([400, 401, 403, 404, 405, 409, 422])('does not retry %i: one request, the HttpError itself (not p-retry AbortError)', async (status, ctx) => {
    const { client, hits, retries } = await setup(ctx, (_n, _req, res) => json(res, status, { detail: 'no' }));
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).name).toBe('HttpError');
    expect((error as HttpError).status).toBe(status);
    expect(hits).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('waits for X-Sentry-Rate-Limit-Reset (epoch seconds) on 429, not for the short backoff', async (ctx) => {
    let reset = 0;
    const { client, hits } = await setup(ctx, (n, _req, res) => {
      if (n > 0) return json(res, 200, { ok: true });
      reset = Math.ceil(Date.now() / 1000) + 1;
      json(res, 429, { detail: 'slow down' }, { 'X-Sentry-Rate-Limit-Reset': String(reset), 'X-Sentry-Rate-Limit-Remaining': '0' });
    });
    const sentAt = Date.now();
    await get(client);
    const secondAt = Date.now();
    expect(hits).toHaveLength(2);
    // min backoff is 10 ms; the reset is at least 1 s away
    expect(secondAt).toBeGreaterThanOrEqual(reset * 1000 - 20);
    expect(secondAt - sentAt).toBeGreaterThan(900);
    expect(secondAt - sentAt).toBeLessThan(2_600);
  });

  it('honours Retry-After in seconds, and on a 503 as well as a 429', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, _req, res) => (n === 0 ? json(res, 503, {}, { 'Retry-After': '1' }) : json(res, 200, { ok: true })));
    await get(client);
    expect(hits).toHaveLength(2);
    const gap = hits[1]!.at - hits[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(2_000);
  });

  it('honours Retry-After as an HTTP date', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, _req, res) =>
      n === 0 ? json(res, 429, {}, { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() }) : json(res, 200, { ok: true }),
    );
    await get(client);
    // an HTTP date has whole seconds: between 1 and 2 s from now
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(990);
  });

  for (const [what, headers] of [
    ['a reset already past (clock skew)', () => ({ 'X-Sentry-Rate-Limit-Reset': String(Math.floor(Date.now() / 1000) - 5) })],
    ['Retry-After: 0', () => ({ 'Retry-After': '0' })],
  ] as const) {
    it(`a rate limit with ${what} uses up retries and backs off exponentially, never below the backoff`, async (ctx) => {
      const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 429, {}, headers()), {
        retries: 3,
        minRetryDelayMs: 100,
        maxRetryDelayMs: 10_000,
      });
      const { error } = await timed(get(client));
      expect(error).toBeInstanceOf(RateLimitedError);
      // retries + 1 requests, not one every 250 ms until maxRetryTime
      expect(hits).toHaveLength(4);
      const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
      // randomized backoff: 100-200, 200-400, 400-800 ms
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 5));
    });
  }

  it('a 429 without a reset header backs off and uses up retries like a 5xx (a proxy that says nothing more)', async (ctx) => {
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 429, { detail: 'Too Many Requests' }), { retries: 2, maxRetryTimeMs: 10_000 });
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(HttpError);
    expect(error).not.toBeInstanceOf(RateLimitedError);
    expect(hits).toHaveLength(3);
  });

  it('maxRetryTime bounds a far-away rate-limit reset: gives up at the bound instead of waiting a minute', async (ctx) => {
    const { client, hits } = await setup(
      ctx,
      (_n, _req, res) => json(res, 429, {}, { 'X-Sentry-Rate-Limit-Reset': String(Math.ceil(Date.now() / 1000) + 60) }),
      {
        maxRetryTimeMs: 800,
      },
    );
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(1_500);
    expect(hits.length).toBeLessThanOrEqual(2);
  });

  it('maxRetryTime bounds a persistent 5xx even with many retries left', async (ctx) => {
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 500, {}), {
      retries: 1000,
      minRetryDelayMs: 50,
      maxRetryDelayMs: 50,
      maxRetryTimeMs: 600,
    });
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(HttpError);
    // Without the bound, 1,000 retries 50 ms apart: 50 s. Slack for a loaded machine.
    expect(ms).toBeLessThan(3_000);
    // ~50 ms apart over 600 ms
    expect(hits.length).toBeGreaterThan(3);
    expect(hits.length).toBeLessThan(20);
  });

  it('a request whose answer never comes is cut by requestTimeoutMs, and retried', async (ctx) => {
    const { client, hits } = await setup(ctx, () => undefined, { requestTimeoutMs: 300, retries: 1 });
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/GET \/organizations\/acme\/sessions\/ failed/);
    expect(hits).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(1_500);
  });

  it('a body that stops half way is cut by requestTimeoutMs', async (ctx) => {
    const { client, hits } = await setup(
      ctx,
      (_n, _req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":');
      },
      { requestTimeoutMs: 300, retries: 0 },
    );
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(NetworkError);
    expect(hits).toHaveLength(1);
    expect(ms).toBeLessThan(1_000);
  });

  it('an AbortSignal cancels a hanging request at once, with the signal reason, and nothing is retried', async (ctx) => {
    const { client, hits } = await setup(ctx, () => undefined, { requestTimeoutMs: 10_000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('cancelled')), 100);
    const { ms, error } = await timed(get(client, abort.signal));
    expect((error as Error).message).toBe('cancelled');
    // A request timeout of 10 s would show here; the slack is for a loaded machine.
    expect(ms).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(hits).toHaveLength(1);
  });

  const cancellableWaits: [string, (res: Parameters<Responder>[2]) => void, Partial<HttpClientOptions>][] = [
    ['the backoff wait between retries', (res) => json(res, 503, {}), { minRetryDelayMs: 5_000, maxRetryDelayMs: 5_000 }],
    ['the wait for a rate-limit reset', (res) => json(res, 429, {}, { 'X-Sentry-Rate-Limit-Reset': String(Math.ceil(Date.now() / 1000) + 30) }), {}],
  ];
  for (const [what, respond, opts] of cancellableWaits) {
    it(`an AbortSignal cancels ${what}`, async (ctx) => {
      const { client, hits } = await setup(ctx, (_n, _req, res) => respond(res), opts);
      const abort = new AbortController();
      setTimeout(() => abort.abort(new Error('cancelled')), 150);
      const { ms, error } = await timed(get(client, abort.signal));
      expect((error as Error).message).toBe('cancelled');
      // The waits are 5 s and 30 s; the slack is for a loaded machine.
      expect(ms).toBeLessThan(2_000);
      expect(hits).toHaveLength(1);
    });
  }

  it('an already-aborted signal sends nothing', async (ctx) => {
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 200, { ok: true }));
    const { error } = await timed(get(client, AbortSignal.abort(new Error('cancelled'))));
    expect((error as Error).message).toBe('cancelled');
    expect(hits.length).toBe(0);
  });

  it('retries a connection reset', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, req, res) => (n < 2 ? req.socket.destroy() : json(res, 200, { ok: true })));
    expect((await get(client)).data.ok).toBe(true);
    expect(hits).toHaveLength(3);
  });

  it('retries an HTML error page served with 200, then gives up with a one-line ResponseShapeError', async (ctx) => {
    const html = '<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>';
    // The tracker has answered JSON once: pages after that are an outage.
    const { client, hits } = await setup(ctx, (n, _req, res) => (n === 0 ? json(res, 200, { ok: true }) : json(res, 200, html)), { retries: 2 });
    await get(client);
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as Error).message).toMatch(/^GET \/organizations\/acme\/sessions\/ returned HTTP 200 but not JSON: <!DOCTYPE html>/);
    expect((error as Error).message).not.toContain('\n');
    expect(hits).toHaveLength(4);
  });

  it('pages instead of JSON before any JSON answer, after every retry: an UnreachableError (a wrong URL), as a refused connection is', async (ctx) => {
    const html = '<!doctype html><title>Sentry</title><div id="app"></div>';
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, 200, html), { retries: 2 });
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).reason).toBe('not-api');
    expect((error as Error).message).toMatch(/^GET \/organizations\/acme\/sessions\/ returned HTTP 200 but not JSON: <!doctype html>/);
    expect(hits).toHaveLength(3);
  });

  it('retries truncated JSON (connection cut mid-body) and a 200 missing expected fields', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, req, res) => {
      if (n === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' });
        res.write('{"ok":tr');
        setImmediate(() => req.socket.destroy());
        return;
      }
      if (n === 1) return json(res, 200, '{"ok":tr');
      if (n === 2) return json(res, 200, { groups: [] });
      json(res, 200, { ok: true });
    });
    expect((await get(client)).data.ok).toBe(true);
    expect(hits).toHaveLength(4);
  });

  it('names the missing fields when a 200 has the wrong shape', async (ctx) => {
    const { client } = await setup(ctx, (_n, _req, res) => json(res, 200, { groups: [] }), { retries: 0 });
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as Error).message).toMatch(/unexpected response \(ok: /);
  });

  it.for([400, 500])('never puts the token in an error message, even when the server echoes it back (%i)', async (status, ctx) => {
    const { client } = await setup(ctx, (_n, req, res) => json(res, status, { detail: `bad header Authorization: ${req.headers.authorization}` }), {
      retries: 1,
    });
    const { error } = await timed(get(client));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toContain('Authorization: Bearer ***');
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as HttpError).body).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('redacts the whole body before cutting it: a token across the 300-character cut leaves no piece', async (ctx) => {
    const detail = `${'x'.repeat(300 - 11 - 20)}${TOKEN}`;
    const { client } = await setup(ctx, (_n, _req, res) => json(res, 400, { detail }), { retries: 0 });
    const { error } = await timed(get(client));
    const shown = JSON.stringify({ message: (error as Error).message, body: (error as HttpError).body });
    for (let i = 0; i + 8 <= TOKEN.length; i += 1) expect(shown).not.toContain(TOKEN.slice(i, i + 8));
    expect(shown).toContain('x***');
  });

  it('redacts a token the body spells with JSON escapes, once parsed', async (ctx) => {
    const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const { client } = await setup(ctx, (_n, _req, res) => json(res, 200, `{"ok":true,"note":"${escaped}"}`));
    const res = await client.call('GET', '/x/', { schema: z.object({ ok: z.boolean(), note: z.string() }) });
    expect(res.data.note).toBe('***');
  });

  it('a validation error names where, never quotes a key or value from the answer', async (ctx) => {
    const { client } = await setup(ctx, (_n, _req, res) => json(res, 200, { ok: true, totals: { [`evil\n::error::${TOKEN}`]: 'x' } }), { retries: 0 });
    const { error } = await timed(client.call('GET', '/x/', { schema: z.object({ ok: z.boolean(), totals: z.record(z.string(), z.number()) }) }));
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect((error as Error).message).toBe('GET /x/ returned an unexpected response (totals.?: expected number)');
  });

  for (const [what, chunked] of [
    ['declared with Content-Length', false],
    ['streamed without a length', true],
  ] as const) {
    it(`stops reading an answer past maxResponseBytes (${what}): a ResponseTooLargeError, retried like an outage`, async (ctx) => {
      const written: number[] = [];
      const { client, hits } = await setup(
        ctx,
        (n, _req, res) => {
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const total = 24 * 1024 * 1024;
          written[n] = 0;
          let closed = false;
          res.on('close', () => (closed = true));
          res.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(total) }) });
          const pump = () => {
            while (!closed && written[n]! < total) {
              written[n]! += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            if (!closed) res.end();
          };
          pump();
        },
        { maxResponseBytes: 256 * 1024, retries: 1 },
      );
      const { error } = await timed(get(client));
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as Error).message).toMatch(/returned HTTP 200, but the answer is larger than/);
      expect(hits).toHaveLength(2);
      // the client hung up: the server got nowhere near the 24 MB it meant to send (socket buffers take some)
      for (const n of written) expect(n).toBeLessThan(12 * 1024 * 1024);
    });
  }

  it('maxRetryTime bounds the whole call: the last attempt is cut to the budget left, not given a full request timeout', async (ctx) => {
    const { client, hits } = await setup(ctx, () => undefined, { requestTimeoutMs: 5_000, maxRetryTimeMs: 1_500 });
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(NetworkError);
    expect(hits).toHaveLength(1);
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(2_500);
  });

  it('a client-wide signal (the job was cancelled) stops every call, with or without a call signal', async (ctx) => {
    const cancel = new AbortController();
    const { client, hits } = await setup(ctx, () => undefined, { signal: cancel.signal });
    setTimeout(() => cancel.abort(new Error('cancelled')), 100);
    const [a, b] = await Promise.all([timed(get(client)), timed(get(client, new AbortController().signal))]);
    expect((a.error as Error).message).toBe('cancelled');
    expect((b.error as Error).message).toBe('cancelled');
    expect(Math.max(a.ms, b.ms)).toBeLessThan(2_000);
    expect(hits).toHaveLength(2);
  });

  it('once a call ran out of retries on an outage, later calls try once until the tracker answers again', async (ctx) => {
    let up = false;
    const { client, hits } = await setup(ctx, (_n, _req, res) => (up ? json(res, 200, { ok: true }) : json(res, 503, {})), { retries: 3 });
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    expect(hits).toHaveLength(4);
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    expect(hits).toHaveLength(6);
    up = true;
    expect((await get(client)).data.ok).toBe(true);
    expect(hits).toHaveLength(7);
    // answered again: full retries for the next hiccup
    up = false;
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    expect(hits).toHaveLength(11);
  });

  it('a 4xx answer also shows the tracker is up again', async (ctx) => {
    let mode: 503 | 404 = 503;
    const { client, hits } = await setup(ctx, (_n, _req, res) => json(res, mode, {}), { retries: 2 });
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    expect(hits).toHaveLength(3);
    mode = 404;
    await expect(get(client)).rejects.toMatchObject({ status: 404 });
    mode = 503;
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    expect(hits).toHaveLength(7);
  });

  it('a cancelled call does not mark the tracker as down', async (ctx) => {
    const { client, hits } = await setup(ctx, (n, _req, res) => (n === 0 ? undefined : n < 3 ? json(res, 503, {}) : json(res, 200, { ok: true })));
    await timed(get(client, AbortSignal.timeout(100)));
    expect((await get(client)).data.ok).toBe(true);
    expect(hits).toHaveLength(4);
  });

  it('trying once while the tracker is down, a 429 fails at once instead of waiting for the reset', async (ctx) => {
    const { client, hits } = await setup(
      ctx,
      (n, _req, res) => (n === 0 ? json(res, 503, {}) : json(res, 429, {}, { 'X-Sentry-Rate-Limit-Reset': String(Math.ceil(Date.now() / 1000) + 30) })),
      { retries: 0 },
    );
    await expect(get(client)).rejects.toBeInstanceOf(HttpError);
    const { ms, error } = await timed(get(client));
    expect(error).toBeInstanceOf(RateLimitedError);
    // Waiting for the reset would take 30 s.
    expect(ms).toBeLessThan(2_000);
    expect(hits).toHaveLength(2);
  });
});
