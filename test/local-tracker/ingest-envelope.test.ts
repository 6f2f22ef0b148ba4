import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { parseEnvelope } from '../../src/local-tracker/ingest/envelope';
import { SERIES_CAP, SessionStore } from '../../src/local-tracker/ingest/sessions-ingest';
import { call } from './client';

const open: LocalTracker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function tracker() {
  const t = await startLocalTracker({ scenario: 'sdk', dsnKeys: { 'shop-web': 'a'.repeat(32) } });
  open.push(t);
  return t;
}

const KEY = 'a'.repeat(32);
const now = () => new Date().toISOString();
const session = (sid: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    sid,
    init: true,
    started: now(),
    status: 'exited',
    errors: 0,
    did: 'u1',
    attrs: { release: 'shop-web@2.0.0', environment: 'production' },
    ...over,
  });
const envelope = (...items: [Record<string, unknown>, string][]) =>
  [JSON.stringify({ sent_at: now() }), ...items.flatMap(([h, p]) => [JSON.stringify(h), p])].join('\n') + '\n';

async function post(
  t: LocalTracker,
  body: string | Buffer,
  opts: { key?: string | null; query?: string; headers?: Record<string, string>; project?: number } = {},
) {
  const key = opts.key === undefined ? KEY : opts.key;
  const res = await fetch(`${t.url}/api/${opts.project ?? t.projectId('shop-web')}/envelope/${opts.query ?? ''}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-sentry-envelope',
      ...(key === null ? {} : { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${key}, sentry_client=test/1` }),
      ...opts.headers,
    },
    body,
  });
  return { status: res.status, body: JSON.parse(await res.text()) as { detail?: string; causes?: string[]; id?: string } };
}

const sessionCount = async (t: LocalTracker) =>
  (await call(t, 'GET', 'sessions/', { query: { field: 'sum(session)', query: 'release:"shop-web@2.0.0"', statsPeriod: '1h', interval: '1h' } })).body.groups[0]
    .totals['sum(session)'];

describe('local tracker: the envelope endpoint', () => {
  it('parses envelopes as Relay does: explicit lengths (with newlines inside), implicit lengths, no final newline', () => {
    const text =
      '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"attachment","length":9}\nhello\nabc\n{"type":"event"}\n{"message":"hi"}\n{"type":"attachment"}';
    const e = parseEnvelope(Buffer.from(text));
    expect(e.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['attachment', 'hello\nabc'],
      ['event', '{"message":"hi"}'],
      ['attachment', ''],
    ]);
  });

  it('takes the key from X-Sentry-Auth or ?sentry_key=, plain or gzip, and answers the event id', async () => {
    const t = await tracker();
    const event = JSON.stringify({ event_id: 'e'.repeat(32), message: 'hello', release: 'shop-web@2.0.0' });
    expect(await post(t, envelope([{ type: 'event' }, event]))).toEqual({ status: 200, body: { id: 'e'.repeat(32) } });
    expect(await post(t, envelope([{ type: 'session' }, session('s1')]), { key: null, query: `?sentry_key=${KEY}&sentry_version=7` })).toEqual({
      status: 200,
      body: {},
    });
    const gz = gzipSync(envelope([{ type: 'session', length: Buffer.byteLength(session('s2')) }, session('s2')]));
    expect(await post(t, gz, { headers: { 'Content-Encoding': 'gzip' } })).toEqual({ status: 200, body: {} });
    // transactions, client reports and the like are accepted and ignored
    expect(
      (await post(t, envelope([{ type: 'client_report' }, '{"discarded_events":[]}'], [{ type: 'transaction' }, '{}'], [{ type: '__proto__' }, '{}']))).status,
    ).toBe(200);
    expect(t.ingest.stats.items.__proto__).toBe(1);
    // the legacy store endpoint (sentry-python 1.x): one gzip JSON event
    const stored = await fetch(`${t.url}/api/${t.projectId('shop-web')}/store/`, {
      method: 'POST',
      headers: { 'X-Sentry-Auth': `Sentry sentry_key=${KEY}, sentry_version=7`, 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' },
      body: gzipSync(JSON.stringify({ event_id: 'f'.repeat(32), message: 'from store' })),
    });
    expect(await stored.json()).toEqual({ id: 'f'.repeat(32) });
    expect(await sessionCount(t)).toBe(2);
    expect(t.ingest.issues.events).toBe(2);
  });

  it("refuses a request without the key, with another project's key or a bad auth header, as Relay does", async () => {
    const t = await tracker();
    const body = envelope([{ type: 'session' }, session('s1')]);
    expect(await post(t, body, { key: null })).toEqual({ status: 401, body: { detail: 'missing authorization information' } });
    expect(await post(t, body, { key: 'b'.repeat(32) })).toEqual({ status: 403, body: { detail: 'event submission rejected with_reason: ProjectId' } });
    expect(await post(t, body, { project: 9999 })).toMatchObject({ status: 403 });
    expect(await post(t, body, { key: null, headers: { 'X-Sentry-Auth': 'Bearer xyz' } })).toEqual({
      status: 401,
      body: { detail: 'bad x-sentry-auth header' },
    });
    expect((await fetch(`${t.url}/api/${t.projectId('shop-web')}/envelope/?sentry_key=${KEY}`)).status).toBe(405);
    expect(await sessionCount(t)).toBe(0);
  });

  it('counts a session once, at init, under its worst status; later updates only make it worse; no release, no session', async () => {
    const t = await tracker();
    await post(t, envelope([{ type: 'session' }, session('s1', { status: 'ok' })]));
    await post(t, envelope([{ type: 'session' }, session('s1', { init: false, status: 'ok', errors: 2 })]));
    await post(t, envelope([{ type: 'session' }, session('s1', { init: false, status: 'exited', errors: 2 })]));
    await post(t, envelope([{ type: 'session' }, session('s1', { init: false, status: 'crashed' })])); // after exited: ignored
    await post(t, envelope([{ type: 'session' }, session('s2', { init: false, status: 'crashed' })])); // never started
    await post(t, envelope([{ type: 'session' }, session('s3', { attrs: { environment: 'production' } })])); // no release
    const q = { field: 'sum(session)', groupBy: 'session.status', query: 'release:"shop-web@2.0.0"', statsPeriod: '1h', interval: '1h' };
    const groups = (await call(t, 'GET', 'sessions/', { query: q })).body.groups;
    const counts = Object.fromEntries(
      groups.map((g: { by: Record<string, string>; totals: Record<string, number> }) => [g.by['session.status'], g.totals['sum(session)']]),
    );
    expect(counts).toEqual({ abnormal: 0, crashed: 0, errored: 1, healthy: 0, unhandled: 0 });
    expect(t.ingest.stats.sessions).toEqual({ accepted: 3, dropped: 3, refused: 0, sessions: 1 });

    // Relay's `unhandled` (an unhandled error that did not crash): worse than errored, better than a crash.
    await post(t, envelope([{ type: 'session' }, session('s4', { status: 'ok', errors: 1 })]));
    await post(t, envelope([{ type: 'session' }, session('s4', { init: false, status: 'unhandled' })]));
    await post(t, envelope([{ type: 'session' }, session('s4', { init: false, status: 'errored' })])); // not better again
    const after = (await call(t, 'GET', 'sessions/', { query: q })).body.groups;
    expect(after.find((g: { by: Record<string, string> }) => g.by['session.status'] === 'unhandled').totals['sum(session)']).toBe(1);
    // A self-hosted Sentry on the sessions dataset has no such status: it is errored there.
    t.state.backend = 'sessions';
    const old = (await call(t, 'GET', 'sessions/', { query: q })).body.groups;
    expect(old.find((g: { by: Record<string, string> }) => g.by['session.status'] === 'errored').totals['sum(session)']).toBe(2);
  });

  it("answers every malformed envelope with a 400 in Relay's words and changes nothing", async () => {
    const t = await tracker();
    const ok = session('s1');
    const cases: [string, string | Buffer, string][] = [
      ['empty body', '', 'empty request body'],
      ['header not JSON', '{"sent_at":\n', 'invalid envelope header'],
      ['header not an object', '[1,2]\n', 'invalid envelope header'],
      ['item header not JSON', '{}\n{"type":"session"\n' + ok, 'invalid item header'],
      ['item without a type', '{}\n{"length":2}\n{}\n', 'invalid item header'],
      ['negative length', '{}\n{"type":"session","length":-1}\n' + ok, 'invalid item header'],
      ['length past the end (truncated)', '{}\n{"type":"session","length":9999}\n' + ok, 'unexpected end of file'],
      ['length too short', `{}\n{"type":"session","length":${ok.length - 3}}\n${ok}\n`, 'missing newline after header or payload'],
      ['session not JSON', '{}\n{"type":"session"}\n{"sid":\n', 'invalid JSON data in session item'],
      ['event not JSON', '{}\n{"type":"event"}\n{oops}\n', 'invalid JSON data in event item'],
      ['event not an object', '{}\n{"type":"event"}\n[1]\n', 'invalid JSON data in event item: not an object'],
      ['good item, then a truncated one', `{}\n{"type":"session"}\n${ok}\n{"type":"event","length":50}\n{}`, 'unexpected end of file'],
      ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x7b]), 'invalid envelope header'],
    ];
    for (const [what, body, cause] of cases) {
      const r = await post(t, body);
      expect(r.status, what).toBe(400);
      expect(`${r.body.detail} ${r.body.causes?.join(' ') ?? ''}`, what).toContain(cause);
    }
    const gzipBad = await post(t, Buffer.from('not gzip at all'), { headers: { 'Content-Encoding': 'gzip' } });
    expect(gzipBad.status).toBe(400);
    expect(gzipBad.body.detail).toBe('invalid request body');
    expect(await sessionCount(t)).toBe(0);
    expect(t.ingest.stats.rejected).toBe(cases.length + 1);
  });

  it('answers 413 for a body or a gzip bomb past 20 MiB, 400 for an event over 1 MiB, and keeps serving', async () => {
    const t = await tracker();
    const huge = Buffer.alloc(21 * 1024 * 1024, 0x61);
    expect((await post(t, huge)).status).toBe(413);
    const bomb = gzipSync(Buffer.concat([Buffer.from('{}\n{"type":"attachment"}\n'), Buffer.alloc(64 * 1024 * 1024, 0x61)]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect((await post(t, bomb, { headers: { 'Content-Encoding': 'gzip' } })).status).toBe(413);
    const bigEvent = JSON.stringify({ message: 'x'.repeat(1024 * 1024 + 10) });
    const r = await post(t, envelope([{ type: 'event' }, bigEvent]));
    expect(r).toEqual({
      status: 400,
      body: { detail: "envelope exceeded size limits for type 'event' (https://develop.sentry.dev/sdk/envelopes/#size-limits)" },
    });
    expect((await post(t, envelope([{ type: 'session' }, session('s1')]))).status).toBe(200);
    expect(await sessionCount(t)).toBe(1);
  });

  it('fuzz: random cuts, flips and lengths of valid envelopes never crash the server, and valid ones still count', async () => {
    const t = await tracker();
    let seed = 18;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const event = JSON.stringify({
      exception: { values: [{ type: 'TypeError', value: 'x', stacktrace: { frames: [{ function: 'f', module: 'm' }] } }] },
      user: { id: 'u' },
    });
    const valid = envelope([{ type: 'session', length: Buffer.byteLength(session('s')) }, session('s')], [{ type: 'event' }, event]);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(valid);
      const kind = i % 4;
      let body: Buffer;
      if (kind === 0) body = bytes.subarray(0, Math.floor(rand() * bytes.length));
      else if (kind === 1) {
        for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        body = bytes;
      } else if (kind === 2) body = Buffer.from(valid.replace(/"length":\d+/, `"length":${Math.floor(rand() * 400) - 50}`));
      else
        body = Buffer.concat([
          bytes,
          Buffer.from(JSON.stringify({ type: ['event', 'session', 'sessions', 'x'][Math.floor(rand() * 4)] }) + '\n' + '{'.repeat(Math.floor(rand() * 5000))),
        ]);
      const r = await post(t, body);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect([200, 400], `case ${i}`).toContain(r.status);
    }
    expect(statuses.get(400)).toBeGreaterThan(100);
    // still serving, and a valid envelope still counts
    const before = t.ingest.issues.events;
    expect((await post(t, valid)).status).toBe(200);
    expect(t.ingest.issues.events).toBe(before + 1);
    expect((await call(t, 'GET', 'issues/', { query: { query: 'is:unresolved' } })).status).toBe(200);
  });

  it('bounds memory against a sender inventing releases: past SERIES_CAP series, new ones are refused, known ones still count', () => {
    const store = new SessionStore();
    const out = { accepted: 0, dropped: 0, refused: 0, sessions: 0 };
    const s = (sid: string, release: string) => ({ sid, init: true, started: now(), status: 'exited', attrs: { release } });
    for (let i = 0; i < SERIES_CAP + 5; i++) store.update(1001, s(`s${i}`, `r${i}`), out);
    expect(out).toEqual({ accepted: SERIES_CAP, dropped: 0, refused: 5, sessions: SERIES_CAP });
    store.update(1001, s('again', 'r0'), out);
    expect(out.accepted).toBe(SERIES_CAP + 1);
    expect([...store.all()].length).toBe(SERIES_CAP);
  });

  it('keeps environments apart (groupBy environment, the environment filter of sessions and issues) and counts aggregate users by did', async () => {
    const t = await tracker();
    const agg = (environment: string, did: string | null, exited: number, crashed: number) =>
      JSON.stringify({ aggregates: [{ started: now(), ...(did ? { did } : {}), exited, crashed }], attrs: { release: 'shop-web@2.0.0', environment } });
    await post(
      t,
      envelope(
        [{ type: 'sessions' }, agg('production', 'u1', 3, 1)],
        [{ type: 'sessions' }, agg('production', 'u2', 4, 0)],
        [{ type: 'sessions' }, agg('staging', null, 5, 5)],
      ),
    );
    const event = (environment: string, message: string) => JSON.stringify({ message, environment, release: 'shop-web@2.0.0', user: { id: 'u1' } });
    await post(t, envelope([{ type: 'event' }, event('staging', 'only in staging')]));
    await post(t, envelope([{ type: 'event' }, event('production', 'only in production')]));
    const q = {
      field: ['sum(session)', 'count_unique(user)', 'crash_free_rate(user)'],
      groupBy: 'environment',
      query: 'release:"shop-web@2.0.0"',
      statsPeriod: '1h',
      interval: '1h',
    };
    const groups = (await call(t, 'GET', 'sessions/', { query: q })).body.groups;
    const byEnv = Object.fromEntries(groups.map((g: { by: Record<string, string>; totals: Record<string, number> }) => [g.by.environment, g.totals]));
    expect(byEnv).toEqual({
      production: { 'sum(session)': 8, 'count_unique(user)': 2, 'crash_free_rate(user)': 0.5 },
      staging: { 'sum(session)': 10, 'count_unique(user)': 0, 'crash_free_rate(user)': null },
    });
    const staging = (await call(t, 'GET', 'sessions/', { query: { field: 'sum(session)', environment: 'staging', statsPeriod: '1h', interval: '1h' } })).body;
    expect(staging.groups[0].totals['sum(session)']).toBe(10);
    const issues = async (environment: string) =>
      (await call(t, 'GET', 'issues/', { query: { query: 'is:unresolved', environment } })).body.map((i: { title: string }) => i.title);
    expect(await issues('staging')).toEqual(['only in staging']);
    expect(await issues('production')).toEqual(['only in production']);
  });
});
