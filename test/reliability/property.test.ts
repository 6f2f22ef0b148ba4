/**
 * The bundled action against a tracker whose answers a seeded generator makes
 * hostile at random (bodies, headers, statuses, sizes), many seeds at once,
 * checking what must hold whatever a server sends: no piece of a secret
 * anywhere a user can see, in any reading; no workflow command the action did
 * not write; no `fail` verdict (the traffic is healthy, so a fail could only
 * come from a broken answer); bounded requests and wall time; no crash.
 *
 * PROPERTY_SEEDS=n runs n seeds (default 16), PROPERTY_SEED=s only seed s.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { runAction } from '../helpers/action';
import { HTML_PAGE } from './faults';
import { GITHUB_TOKEN, SENTRY_TOKEN, STACK_FRAME } from './harness';
import { type Answer, hostileProxy, type Upstream } from './hostile-proxy';
import { forgedCommands, longestLeak } from './leaks';
import { mulberry32, type Rng } from '../../src/sim/simulate';

vi.setConfig({ maxConcurrency: 50 });

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** A secret, whole or a piece of it, written the ways a server or a renderer might write it. */
function secretForm(rng: Rng): string {
  const secret = rng() < 0.85 ? SENTRY_TOKEN : GITHUB_TOKEN;
  const from = rng() < 0.5 ? 0 : int(rng, 0, secret.length - 8);
  const s = secret.slice(from, rng() < 0.5 ? secret.length : int(rng, from + 8, secret.length));
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
  return pick(rng, [
    () => s,
    () => `Bearer ${s}`,
    () => [...s].map((c) => `\\u00${hex(c)}`).join(''),
    () => s.replace(/[_*]/g, '\\$&'),
    () => [...s].map((c) => `%${hex(c).toUpperCase()}`).join(''),
    () => encodeURIComponent(s),
    () => [...s].join('\u200b'),
    () => [...s].join('\\u0000'),
    () => [...s].map((c) => `&#${c.charCodeAt(0)};`).join(''),
    () => s.split('').join('\\b'),
    // forms that render as the token: invisible characters between its letters, look-alike letters
    () => [...s].join(pick(rng, ['\ufe0f', '\u{e0001}', '\u0301', '\u180b', '\u2800'])),
    () => Array.from(s, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''),
    () => s.toUpperCase(),
    () => Array.from(s, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join(''),
  ])();
}

const FORGERIES = [
  '\n::error title=FORGED::ROLL BACK NOW',
  '\r\n::add-mask::FORGED',
  '\n::stop-commands::FORGED\n',
  '\n  ::warning::FORGED',
  '##[error]FORGED',
  '\n::set-output name=verdict::fail',
  '\u001b[2J\u001b[31mFORGED',
  '\u2028::error::FORGED',
  '\u202eFORGED',
  ' ##vso[task.prependpath]FORGED',
  " ##teamcity[buildStatus status='SUCCESS']FORGED",
];

/** Text a hostile server might put anywhere: secrets, forged commands, padding that moves them across cuts. */
function hostileText(rng: Rng): string {
  const parts: string[] = [];
  for (let i = int(rng, 1, 4); i > 0; i -= 1) {
    parts.push(pick(rng, [() => 'x'.repeat(int(rng, 0, 400)), () => secretForm(rng), () => pick(rng, FORGERIES), () => '2026-11-26T10:00:00Z'])());
  }
  return parts.join('');
}

/** Parsed JSON with some strings (and keys) replaced by hostile text, and some numbers by the wrong type. */
function mutate(value: unknown, rng: Rng): unknown {
  if (typeof value === 'string') return rng() < 0.3 ? hostileText(rng) : value;
  if (typeof value === 'number') return rng() < 0.05 ? pick(rng, ['12', null, {}, [], true]) : value;
  if (Array.isArray(value)) return value.map((v) => mutate(v, rng));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [rng() < 0.05 ? hostileText(rng) : k, mutate(v, rng)] as const);
    if (rng() < 0.1) entries.push([hostileText(rng), hostileText(rng)]);
    return Object.fromEntries(entries);
  }
  return value;
}

async function hostileAnswer(rng: Rng, upstream: () => Promise<Upstream>): Promise<Answer | undefined> {
  const kind = rng();
  const errorStatus = () => pick(rng, [500, 502, 503, 504, 429, 408, 500, 503, 400, 403, 404, 418]);
  if (kind < 0.25) {
    return { status: errorStatus(), body: pick(rng, [() => JSON.stringify({ detail: hostileText(rng) }), () => hostileText(rng)])() };
  }
  if (kind < 0.5) {
    const up = await upstream();
    let body: unknown;
    try {
      body = JSON.parse(up.body);
    } catch {
      return up;
    }
    return { ...up, body: JSON.stringify(mutate(body, rng)) };
  }
  if (kind < 0.6) {
    const reset = pick(rng, ['1700000000', '0', '-5', 'soon', '99999999999', String(Math.floor(Date.now() / 1000) + 1), '']);
    const retryAfter = pick(rng, ['0', '-1', 'abc', '1', '86400', new Date(Date.now() - 60_000).toUTCString(), '']);
    return {
      status: pick(rng, [429, 503]),
      headers: { 'X-Sentry-Rate-Limit-Reset': reset, 'Retry-After': retryAfter },
      body: JSON.stringify({ detail: hostileText(rng) }),
    };
  }
  if (kind < 0.68) {
    const up = await upstream();
    return { ...up, status: 200, body: up.body.slice(0, int(rng, 0, up.body.length)) };
  }
  if (kind < 0.74) return { status: pick(rng, [200, 502]), headers: { 'content-type': 'text/html' }, body: HTML_PAGE + hostileText(rng) };
  if (kind < 0.78) return { status: 200, body: `${'['.repeat(200_000)}${']'.repeat(200_000)}` };
  if (kind < 0.82) return { status: pick(rng, [200, 204, 301, 302, 418]), body: pick(rng, ['', 'null', '{}', '[]', '"x"', '0']) };
  if (kind < 0.85) return { ...(await upstream()), padBytes: int(rng, 9, 12) * 1024 * 1024 };
  return undefined;
}

const SEEDS = process.env.PROPERTY_SEED
  ? [Number(process.env.PROPERTY_SEED)]
  : Array.from({ length: Number(process.env.PROPERTY_SEEDS ?? 16) }, (_, i) => 1000 + i);

const WINDOW_S = 5;

describe.concurrent('randomized hostile answers: the invariants hold for every seed', () => {
  // The invariants say what never happens; this says the runs got far enough for that to mean
  // something: some seeds must reach a verdict, not all die at registration.
  let verdicts = 0;
  afterAll(() => {
    expect(verdicts, 'no seed reached a verdict: the invariants were checked on runs that never watched').toBeGreaterThan(0);
  });
  it.each(SEEDS)('seed %i', async (seed) => {
    const rng = mulberry32(seed);
    // Half the seeds tamper rarely (the run gets through registration to the watch), half often.
    const rate = seed % 2 === 0 ? 0.2 : 0.5;
    const scenario = pick(rng, ['healthy', 'new-issue-small', 'low-traffic']);
    const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
    const proxy = await hostileProxy(tracker.url, (_req, upstream) => (rng() < rate ? hostileAnswer(rng, upstream) : undefined));
    try {
      const run = await runAction({
        inputs: {
          'sentry-url': proxy.url,
          'sentry-org': 'acme',
          'sentry-projects': 'shop-web',
          release: 'shop-web@2.0.0',
          'set-commits': 'skip',
          'github-token': GITHUB_TOKEN,
          window: `${WINDOW_S}s`,
          interval: '1s',
          'initial-delay': '1s',
          // Scenario minutes last a real second here; a settle time cuts queries at whole real minutes.
          settle: '0s',
        },
        env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, RUNNER_DEBUG: '1' },
        timeoutMs: 60_000,
      });
      const context = `seed ${seed} (${scenario}), exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-1000)}`;
      expect([0, 1], context).toContain(run.code);
      expect(run.stderr, context).not.toMatch(STACK_FRAME);
      for (const secret of [SENTRY_TOKEN, GITHUB_TOKEN]) expect(longestLeak(run.everything, secret), `${context}\na piece of a secret leaked`).toBeLessThan(8);
      expect(forgedCommands(`${run.stdout}\n${run.stderr}`, [SENTRY_TOKEN, GITHUB_TOKEN]), context).toEqual([]);
      expect(run.outputs.verdict, context).not.toBe('fail');
      if (run.outputs.verdict === 'pass' || run.outputs.verdict === 'inconclusive') verdicts += 1;
      if (run.outputs.reason !== undefined) expect(run.outputs.reason, context).not.toMatch(/[\n\r]/);
      // a retry budget of 5 s per call and one try per call while the tracker is down
      expect(proxy.requests.length, context).toBeLessThanOrEqual(60);
      expect(run.durationMs, context).toBeLessThan((WINDOW_S + 30) * 1000);
    } finally {
      await proxy.close();
      await tracker.close();
    }
  });
});
