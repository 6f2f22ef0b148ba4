/**
 * `npm run bench -- ingest`: how fast the local tracker ingests SDK envelopes, and its memory
 * after a million events.
 *
 * 1. HTTP: envelopes shaped like @sentry/node's (an event with a 12-frame stack trace, about
 *    3 KB; a session update) POSTed to the envelope endpoint over keep-alive connections, 32 at
 *    a time, by a client in the same process (so the figure is for one core doing both sides).
 * 2. Memory: a million event envelopes (and a million sessions) through the same handler, no
 *    HTTP, from 20,000 users into 50 issues; heap and RSS after a full GC.
 */
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { startLocalTracker } from '../src/local-tracker';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { envelopes: { type: 'string', default: '20000' }, events: { type: 'string', default: '1000000' } },
});
const httpCount = Number(values.envelopes);
const memoryEvents = Number(values.events);

const frames = Array.from({ length: 12 }, (_, i) => ({
  filename: `/srv/app/src/module${i}.js`,
  module: `src:module${i}`,
  function: `handler${i}`,
  lineno: 10 + i,
  colno: 5,
  in_app: i > 3,
  context_line: '    const total = cart.items.map((item) => item.price);',
}));
function eventEnvelope(i: number): string {
  const id = i.toString(16).padStart(32, '0');
  const event = {
    event_id: id,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    release: 'shop-web@2.0.0',
    environment: 'production',
    user: { id: `user-${i % 20_000}` },
    tags: { route: '/checkout' },
    breadcrumbs: [{ category: 'checkout', message: 'checkout submitted', timestamp: Date.now() / 1000 }],
    exception: {
      values: [
        {
          type: 'TypeError',
          value: `Cannot read properties of undefined (reading 'map') #${i % 50}`,
          stacktrace: { frames: i % 50 === 0 ? frames : frames.map((f) => ({ ...f, function: `${f.function}_${i % 50}` })) },
          mechanism: { type: 'generic', handled: true },
        },
      ],
    },
  };
  return `${JSON.stringify({ event_id: id, sent_at: new Date().toISOString(), sdk: { name: 'sentry.javascript.node', version: '11.12.0' } })}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
}
function sessionEnvelope(i: number): string {
  const s = {
    sid: i.toString(16).padStart(32, '0'),
    init: true,
    started: new Date().toISOString(),
    status: i % 100 === 0 ? 'crashed' : 'exited',
    errors: 0,
    did: `user-${i % 20_000}`,
    attrs: { release: 'shop-web@2.0.0', environment: 'production' },
  };
  return `${JSON.stringify({ sent_at: new Date().toISOString() })}\n{"type":"session"}\n${JSON.stringify(s)}\n`;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function httpPhase() {
  const t = await startLocalTracker({ scenario: 'sdk' });
  const dsn = new URL(t.dsns[0]!.dsn);
  const url = `${t.url}/api/${t.dsns[0]!.id}/envelope/?sentry_key=${dsn.username}&sentry_version=7`;
  const dispatcher = new Agent({ connections: 32, pipelining: 1 });
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < httpCount) {
        const i = next++;
        const body = i % 2 === 0 ? eventEnvelope(i) : sessionEnvelope(i);
        const res = await request(url, { method: 'POST', body, dispatcher, headers: { 'content-type': 'application/x-sentry-envelope' } });
        await res.body.text();
        if (res.statusCode !== 200) failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.close();
  await t.close();
  return { seconds, rate: httpCount / seconds, failed };
}

async function memoryPhase() {
  const t = await startLocalTracker({ scenario: 'sdk' });
  const dsn = new URL(t.dsns[0]!.dsn);
  const url = new URL(`${t.url}/api/${t.dsns[0]!.id}/envelope/?sentry_key=${dsn.username}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  for (let i = 0; i < memoryEvents; i++) {
    for (const body of [eventEnvelope(i), sessionEnvelope(i)]) {
      const r = t.ingest.handle({ method: 'POST', url, headers: {}, raw: Buffer.from(body), tooLarge: false, now: Date.now() });
      if (r.status !== 200) throw new Error(`envelope ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  gc?.();
  const after = process.memoryUsage();
  const issues = [...t.ingest.issues.all()].length;
  await t.close();
  return { seconds, heap: after.heapUsed - before.heapUsed, buffers: after.arrayBuffers - before.arrayBuffers, rss: after.rss, issues, gc: gc !== undefined };
}

const h = await httpPhase();
process.stdout.write(
  `HTTP: ${httpCount} envelopes (half events, half sessions) in ${h.seconds.toFixed(1)} s: ${Math.round(h.rate)} envelopes/s, ${h.failed} not 200\n`,
);
const m = await memoryPhase();
process.stdout.write(
  `Memory: ${memoryEvents} events + ${memoryEvents} sessions through the handler in ${m.seconds.toFixed(1)} s (${Math.round((2 * memoryEvents) / m.seconds)} envelopes/s without HTTP); ` +
    `${m.issues} issues; heap grew ${mb(m.heap)}, array buffers ${mb(m.buffers)}, RSS ${mb(m.rss)}${m.gc ? ' (after a full GC)' : ' (no --expose-gc: not collected first)'}\n`,
);
