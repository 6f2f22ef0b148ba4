import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/http/client';
import { getScenario, type Scenario, startLocalTracker } from '../../src/local-tracker';
import { CLI_TOKEN, gateFlags, runCli } from '../cli/run-cli';
import { record, skippedPolls } from './faults';
import { GITHUB_TOKEN, SENTRY_TOKEN, gate, type Gate, type GateOptions, STACK_FRAME } from './harness';
import { type HostileProxy, hostileProxy, type Tamper } from './hostile-proxy';
import { forgedCommands, longestLeak } from './leaks';

/** Nothing a user can see holds 8 characters in a row of either token, however it is read. */
function expectNoLeak(run: { everything: string }, secrets = [SENTRY_TOKEN, GITHUB_TOKEN]) {
  for (const secret of secrets) expect(longestLeak(run.everything, secret), `a piece of ${secret.slice(0, 6)}… leaked`).toBeLessThan(8);
}

function expectNoForgery(run: { stdout: string; stderr: string }) {
  expect(forgedCommands(run.stdout, [SENTRY_TOKEN, GITHUB_TOKEN])).toEqual([]);
  expect(forgedCommands(run.stderr, [SENTRY_TOKEN, GITHUB_TOKEN])).toEqual([]);
}

/** The bundled action against the local tracker behind a hostile proxy. */
async function gateVia(scenario: string | Scenario, tamper: Tamper, opts: GateOptions = {}): Promise<Gate & { proxy: HostileProxy }> {
  const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
  const proxy = await hostileProxy(tracker.url, tamper);
  try {
    const name = typeof scenario === 'string' ? scenario : scenario.name;
    const g = await gate(name, { ...opts, tracker, inputs: { 'sentry-url': proxy.url, ...opts.inputs } });
    return { ...g, proxy };
  } finally {
    await proxy.close();
    await tracker.close();
  }
}

const isSessions = (path: string) => path.endsWith('/sessions/');

/** The tracker's sessions answer with `key: value` added to the first group's totals. */
const withTotalsKey =
  (key: string, value: unknown): Tamper =>
  async (req, upstream) => {
    if (!isSessions(req.path)) return undefined;
    const up = await upstream();
    const body = JSON.parse(up.body) as { groups: { totals: Record<string, unknown> }[] };
    if (body.groups[0]) body.groups[0].totals[key] = value;
    return { ...up, body: JSON.stringify(body) };
  };

/**
 * A padded answer the client must stop reading at the cap. What the proxy manages to write before the
 * client closes is the cap plus whatever loopback's socket buffers absorb meanwhile: on a loaded machine
 * the receive buffer grows towards its maximum (tcp_rmem, 32 MiB here), so a fixed bound (it was 16 MiB
 * for a 32 MB answer) raced with the load. The bound is the cap plus both buffers' maxima plus a write
 * chunk, and the answer is longer than that: a client that read on to the end would cross it.
 */
const PAST_CAP = (() => {
  const max = (file: string, fallback: number) => {
    try {
      return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]) || fallback;
    } catch {
      return fallback;
    }
  };
  const buffers = max('/proc/sys/net/ipv4/tcp_rmem', 32 * 1024 * 1024) + max('/proc/sys/net/ipv4/tcp_wmem', 32 * 1024 * 1024);
  const mostSent = MAX_RESPONSE_BYTES + buffers + 64 * 1024;
  return { mostSent, padBytes: mostSent + 8 * 1024 * 1024 };
})();

const FORGED = '2026-11-26T10:00:00Z\n::error title=FORGED::ROLL BACK NOW\n::add-mask::FORGED\n::stop-commands::FORGED\n##[error]FORGED';

describe.concurrent('wire safety: secrets, forged commands, bounded work (hostile tracker)', () => {
  it('#1 a 400 whose body holds the token across the 300-character cut: not one piece of it anywhere', async () => {
    // 41 of the token's 42 characters fall before the cut (the JSON wrapper is 11 characters)
    const body = JSON.stringify({ detail: `${'x'.repeat(300 - 11 - 41)}${SENTRY_TOKEN}` });
    expect(body.indexOf(SENTRY_TOKEN)).toBe(300 - 41);
    const g = await gate('healthy', {
      inputs: { window: '4s' },
      before: (t) => t.faults.add({ path: '/sessions/', status: 400, body, times: Infinity }),
    });
    record('400 with the token across the cut', 'healthy', g);
    expect(g.run.code).toBe(1);
    expect(g.run.annotations.filter((a) => a.level === 'error')[0]?.message).toMatch(/^Sentry refused reading release health \(HTTP 400\): .*x\*\*\*/);
    expectNoLeak(g.run);
  });

  it('#1 #2 an issue title holding the token across the 80-character cut: reason, annotation, summary and report stay clean', async () => {
    const scenario = getScenario('new-issue');
    const issue = scenario.issues.find((i) => i.release !== 'previous')!;
    issue.title = `TypeError: ${'y'.repeat(50)} ${SENTRY_TOKEN}`;
    const g = await gateVia(scenario, () => undefined, { inputs: { 'max-new-issue-users': '5', window: '6s' } });
    expect(g.run.outputs.verdict).toBe('fail');
    expect(g.run.outputs.reason).toMatch(/TypeError: y+ \*\*\*/);
    expect(g.run.summary).toMatch(/TypeError: y+ \\?\*\\?\*\\?\*/);
    expectNoLeak(g.run);
  });

  it('#2 a JSON key holding the token in a malformed answer: the validation error does not quote it, the summary has no escaped token', async () => {
    const g = await gateVia('healthy', withTotalsKey(SENTRY_TOKEN, 'not a number'), { inputs: { window: '4s' } });
    record('malformed answer quoting the token as a key', 'healthy', g);
    expect(g.run.outputs.verdict).toBe('inconclusive');
    expect(g.report && skippedPolls(g.report).length).toBeGreaterThan(0);
    expect(g.report!.polls[0]!.error).toMatch(/unexpected response \(groups\.0\.totals\.\?: expected number/);
    expectNoLeak(g.run);
  });

  it('#3 a deploy whose dateFinished carries workflow commands: the date is re-printed, no command is forged', async () => {
    const g = await gateVia(
      'healthy',
      async (req, upstream) => {
        if (req.method !== 'POST' || !req.path.endsWith('/deploys/')) return undefined;
        const up = await upstream();
        return { ...up, body: JSON.stringify({ ...JSON.parse(up.body), dateFinished: FORGED }) };
      },
      { inputs: { window: '3s' } },
    );
    // the time sent is printed, not the answer's
    expect(g.run.stdout).toMatch(/^Deploy to production: recorded at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);
    expect(g.run.stdout).not.toMatch(/ROLL BACK NOW/);
    expectNoForgery(g.run);
    expect(g.run.outputs.verdict).toBe('pass');
  });

  it('#3 the deploy a re-run finds carries workflow commands in its date: re-printed, no command forged', async () => {
    const g = await gateVia(
      'healthy',
      (req) => {
        if (req.method !== 'GET' || !req.path.endsWith('/deploys/')) return undefined;
        const url = 'https://github.example/acme/shop/actions/runs/4242/attempts/1';
        return { status: 200, body: JSON.stringify([{ environment: 'production', dateStarted: null, dateFinished: FORGED, url }]) };
      },
      { inputs: { window: '3s' }, env: { GITHUB_RUN_ATTEMPT: '2' } },
    );
    expect(g.run.stdout).toMatch(/^Deploy to production: already recorded by this run at an unreadable time$/m);
    expectNoForgery(g.run);
    // an unreadable deploy time is not a reason to skip every poll: the window starts now
    expect(g.run.outputs.verdict).toBe('pass');
  });

  const NEWLINE_KEY = 'x\n::error title=FORGED::ROLL BACK NOW\n::stop-commands::FORGED';
  it('#3 a malformed answer whose key spans lines: the reason output is one line and no command is forged', async () => {
    const g = await gateVia('healthy', withTotalsKey(NEWLINE_KEY, 'x'), { inputs: { window: '4s' } });
    expect(g.run.outputs.verdict).toBe('inconclusive');
    expect(g.run.outputs.reason).toMatch(/^no health data/);
    expect(g.run.outputs.reason).not.toMatch(/[\n\r]/);
    expectNoForgery(g.run);
  });

  it('#3 the CLI prints the same inconclusive reason on one line, with no forged command', async () => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: CLI_TOKEN, minuteMs: 1000 });
    const proxy = await hostileProxy(tracker.url, withTotalsKey(NEWLINE_KEY, 'x'));
    try {
      const run = await runCli(['gate', ...gateFlags(proxy.url), '--window', '4s', '--interval', '1s', '--initial-delay', '1s'], {
        SENTRY_AUTH_TOKEN: CLI_TOKEN,
      });
      expect(run.stdout).toMatch(/^WARNING: Release health inconclusive: no health data/m);
      expect(forgedCommands(run.stdout, [])).toEqual([]);
      expect(forgedCommands(run.stderr, [])).toEqual([]);
      expect(run.stdout).not.toMatch(/^\s*ROLL BACK NOW/m);
    } finally {
      await proxy.close();
      await tracker.close();
    }
  });

  for (const [what, headers] of [
    ['X-Sentry-Rate-Limit-Reset in the past (clock skew)', { 'X-Sentry-Rate-Limit-Reset': '1700000000' }],
    ['Retry-After: 0', { 'Retry-After': '0', 'X-Sentry-Rate-Limit-Reset': '' }],
  ] as const) {
    it(`#8 429s with ${what} through the whole window: every retry counts and backs off, no request storm`, async () => {
      const g = await gate('healthy', {
        before: (t) => {
          t.faults.add({ path: '/sessions/', status: 429, headers, times: Infinity });
          t.faults.add({ path: '/issues/', status: 429, headers, times: Infinity });
        },
      });
      record(`429 storm (${what})`, 'healthy', g);
      const health = g.tracker.requests.filter((r) => r.fault);
      const gaps = health.slice(1).map((r, i) => r.receivedAt - health[i]!.receivedAt);
      // 8 s window, 5 s retry budget per call, backoff from 1 s: a few requests per call, then
      // one per call while the tracker stays down (before: one every 250 ms, 22 in the window)
      expect(health.length, `gaps ${gaps.join(', ')} ms`).toBeLessThanOrEqual(12);
      expect(g.run.outputs.verdict).toBe('inconclusive');
    });
  }

  it('#10 an answer tens of MB past the 8 MiB cap is not read past it: the poll is skipped like an outage, never health data, never a crash', async () => {
    const g = await gateVia('healthy', async (req, upstream) => (isSessions(req.path) ? { ...(await upstream()), padBytes: PAST_CAP.padBytes } : undefined), {
      inputs: { window: '4s' },
    });
    record('answers far past the cap', 'healthy', g);
    expect(g.run.outputs.verdict).toBe('inconclusive');
    expect(g.report!.polls.every((p) => p.sample === null)).toBe(true);
    expect(g.report!.polls[0]!.error).toMatch(/larger than the 8 MiB/);
    expect(g.run.stderr).not.toMatch(STACK_FRAME);
    // The client stopped reading and closed: the proxy wrote no more than the cap plus what the
    // kernel's socket buffers took in (how much that is depends on load, never past their maxima),
    // and so never reached the end of a padded answer.
    const padded = g.proxy.requests.filter((r) => isSessions(r.path)).map((r) => g.proxy.bytesSent.get(r.n) ?? 0);
    expect(padded.length).toBeGreaterThan(0);
    expect(Math.max(...padded)).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(Math.max(...padded)).toBeLessThanOrEqual(PAST_CAP.mostSent);
  });
});
