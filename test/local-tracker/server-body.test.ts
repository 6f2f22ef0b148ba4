/** The tracker's API reads bodies as its ingest does: up to a cap, past which it answers 413 and keeps nothing. */
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { LIMITS } from '../../src/local-tracker/ingest';

/** POSTs `size` bytes in 1 MiB chunks, without a Content-Length (chunked), so only the bytes read can tell. */
function postChunked(url: string, token: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

it('answers a body past the cap with 413, keeps none of it, and goes on serving', async () => {
  const t = await startLocalTracker({ token: 't' });
  try {
    const releases = `${t.url}/api/0/organizations/acme/releases/`;
    const big = await postChunked(releases, 't', LIMITS.envelopeBytes + 4 * 1024 * 1024);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ detail: `Request body too large (the local tracker accepts ${LIMITS.envelopeBytes} bytes)` });
    expect(t.requests.at(-1)?.body).toBeUndefined();
    const ok = await fetch(releases, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: 'shop-web@2.0.0', projects: ['shop-web'] }),
    });
    expect(ok.status).toBe(201);
  } finally {
    await t.close();
  }
}, 30_000);
