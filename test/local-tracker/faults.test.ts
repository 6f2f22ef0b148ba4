import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, simClock, startLocalTracker } from '../../src/local-tracker';
import { call } from './client';

const open: LocalTracker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
async function tracker(scenario = 'healthy') {
  const t = await startLocalTracker({ scenario });
  open.push(t);
  return t;
}
const get = (t: LocalTracker, path = 'repos/', init: RequestInit = {}) =>
  fetch(`${t.url}/api/0/organizations/acme/${path}`, { ...init, headers: { Authorization: `Bearer ${t.token}` } });

describe('local tracker: fault injection', () => {
  it('answers 429 with Sentry rate-limit headers for `times` requests, then recovers', async () => {
    const t = await tracker();
    t.faults.add({ path: /\/sessions\//, status: 429, times: 2 });
    const before = Math.floor(Date.now() / 1000);
    const r1 = await get(t, 'sessions/?field=sum(session)');
    expect(r1.status).toBe(429);
    expect(Number(r1.headers.get('x-sentry-rate-limit-reset'))).toBeGreaterThan(before);
    expect(r1.headers.get('x-sentry-rate-limit-remaining')).toBe('0');
    expect(r1.headers.get('retry-after')).toBeNull();
    expect(((await r1.json()) as { detail: string }).detail).toMatch(/too frequently/);
    expect((await get(t)).status).toBe(200); // other paths unaffected
    expect((await get(t, 'sessions/?field=sum(session)')).status).toBe(429);
    expect((await get(t, 'sessions/?field=sum(session)')).status).toBe(200);
    expect(t.faults.list).toEqual([]);
    expect(t.requests.filter((r) => r.fault).map((r) => r.status)).toEqual([429, 429]);
  });

  it('resets, truncates, delays and hangs', async () => {
    const t = await tracker();
    t.faults.add({ method: 'GET', reset: true });
    await expect(get(t)).rejects.toThrow();

    t.faults.add({ truncate: true });
    const res = await get(t, 'projects/');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();

    t.faults.add({ delayMs: 150 });
    const started = Date.now();
    expect((await get(t)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    t.faults.add({ hang: true });
    await expect(get(t, 'repos/', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await get(t)).status).toBe(200);
  });

  it('echoes the bearer token in an error body (to test redaction), and custom bodies/headers', async () => {
    const t = await tracker();
    t.faults.add({ echoToken: true, status: 400 });
    const res = await get(t);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`Bearer ${t.token}`);

    t.faults.add({ status: 502, body: '<html>bad gateway</html>', headers: { 'Content-Type': 'text/html' } });
    const html = await get(t);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html>bad gateway</html>');

    t.faults.add({ status: 500, times: Infinity });
    t.faults.clear();
    expect((await get(t)).status).toBe(200);
  });

  it('outage scenario: every request answers 503 until cleared', async () => {
    const t = await tracker('outage');
    for (const path of ['repos/', 'sessions/?field=sum(session)', 'releases/']) {
      const res = await get(t, path);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ detail: 'Service Unavailable' });
    }
    t.faults.clear();
    expect((await call(t, 'GET', 'repos/')).status).toBe(200);
  });

  it('compresses time: timeScale 600 makes 50 ms of real time five simulated minutes', async () => {
    const c = simClock({ timeScale: 600, start: Date.parse('2026-06-03T02:00:00Z') });
    const t = await startLocalTracker({ clock: c.now });
    open.push(t);
    await call(t, 'POST', 'releases/', { body: { version: 'v9', projects: ['shop-web'] } });
    const t0 = c.now();
    await c.sleep(5 * 60_000);
    // Node may fire a timer up to 1 ms early by Date.now(); 1 ms real is 600 ms here.
    expect(c.now() - t0).toBeGreaterThanOrEqual(5 * 60_000 - 600);
    expect(c.now() - t0).toBeLessThan(8 * 60_000);
    const res = await call(t, 'GET', 'sessions/', {
      query: { field: 'sum(session)', query: 'release:v9', start: new Date(t0).toISOString(), end: new Date(c.now()).toISOString(), interval: '10s' },
    });
    // 120 sessions/min for ~5 simulated minutes, less the 30 s ingestion delay and start rounding.
    expect(res.body.groups[0].totals['sum(session)']).toBeGreaterThan(400);
  });
});
