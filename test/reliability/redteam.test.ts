/**
 * Red-team probes of the merged gate (issue #12 follow-up): the bundled action
 * against a hostile tracker on loopback. Each case is a way the earlier fixes
 * could still be got round.
 */
import { describe, expect, it, vi } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { CLI_TOKEN, gateFlags, runCli } from '../cli/run-cli';
import { runAction } from '../helpers/action';
import { GITHUB_TOKEN, SENTRY_TOKEN, gate, type Gate, type GateOptions } from './harness';
import { type HostileProxy, hostileProxy, type Tamper } from './hostile-proxy';
import { tinyServer } from './http-server';
import { forgedCommands, longestLeak } from './leaks';

vi.setConfig({ maxConcurrency: 10 });

function expectNoLeak(run: { everything: string }) {
  for (const secret of [SENTRY_TOKEN, GITHUB_TOKEN]) {
    // every reading, as it renders included (leaks.ts asSeen)
    expect(longestLeak(run.everything, secret), `a piece of ${secret.slice(0, 6)}… leaked`).toBeLessThan(8);
  }
}

async function gateVia(scenario: string, tamper: Tamper, opts: GateOptions = {}): Promise<Gate & { proxy: HostileProxy }> {
  const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
  const proxy = await hostileProxy(tracker.url, tamper);
  try {
    const g = await gate(scenario, { ...opts, tracker, inputs: { 'sentry-url': proxy.url, ...opts.inputs } });
    return { ...g, proxy };
  } finally {
    await proxy.close();
    await tracker.close();
  }
}

/** The bundled action watching shop-web@2.0.0 at `sentryUrl`, with the Sentry token and whatever else a case sets. */
const actionAt = (sentryUrl: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({
    inputs: { 'sentry-url': sentryUrl, 'sentry-org': 'acme', 'sentry-projects': 'shop-web', release: 'shop-web@2.0.0', ...inputs },
    env: { SENTRY_AUTH_TOKEN: SENTRY_TOKEN, ...env },
  });

const interleave = (secret: string, sep: string) => Array.from(secret).join(sep);

describe.concurrent('red team', () => {
  for (const [what, sep] of [
    ['variation selector 16 between its letters', '\uFE0F'],
    ['tag characters between its letters', '\u{E0001}'],
    ['combining marks between its letters', '\u0301'],
    ['fullwidth letters', null],
    ['tag characters that copy it, invisibly', undefined],
  ] as const) {
    it(`a 400 whose body spells the token with ${what}: nothing readable as the token`, async () => {
      const spelt =
        sep === null
          ? Array.from(SENTRY_TOKEN, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')
          : sep === undefined
            ? Array.from(SENTRY_TOKEN, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')
            : interleave(SENTRY_TOKEN, sep);
      const body = JSON.stringify({ detail: `Invalid token ${spelt}` });
      const g = await gate('healthy', {
        inputs: { window: '4s' },
        before: (t) => t.faults.add({ path: '/sessions/', status: 400, body, times: Infinity }),
      });
      expect(g.run.code).toBe(1);
      // The body was shown (so redaction, not silence, kept the token out)
      expect(g.run.everything).toMatch(/Invalid token/);
      expectNoLeak(g.run);
    });
  }
});

const isSessions = (path: string) => path.endsWith('/sessions/');

describe.concurrent('red team: bounded text from hostile answers', () => {
  it('a sessions answer with a megabyte-long rate key and project id and a bad rate: each skipped poll is said in a short line, the reason output is short', async () => {
    const key = `crash_free_rate(${'A'.repeat(1_000_000)})`;
    const g = await gateVia(
      'healthy',
      async (req, upstream) => {
        if (!isSessions(req.path)) return undefined;
        const up = await upstream();
        const body = JSON.parse(up.body) as { groups: { totals: Record<string, unknown>; by: Record<string, unknown> }[] };
        if (body.groups[0]) {
          body.groups[0].totals[key] = 7;
          body.groups[0].by.project = 'p'.repeat(1_000_000);
        }
        return { ...up, body: JSON.stringify(body) };
      },
      { inputs: { window: '4s' } },
    );
    expect(g.run.outputs.verdict).toBe('inconclusive');
    const longest = Math.max(...g.run.stdout.split('\n').map((l) => l.length));
    expect(longest).toBeLessThan(2_000);
    expect(g.run.outputs.reason!.length).toBeLessThan(1_000);
    expect(g.run.summary.length).toBeLessThan(100_000);
    expect(JSON.stringify(g.report).length).toBeLessThan(100_000);
  });

  it('an issue whose permalink points off the Sentry host: the summary does not link there', async () => {
    const g = await gateVia(
      'new-issue',
      async (req, upstream) => {
        if (!req.path.endsWith('/issues/')) return undefined;
        const up = await upstream();
        const issues = JSON.parse(up.body) as { permalink: string }[];
        for (const i of issues) i.permalink = 'https://evil.example/sentry-login?next=rollback';
        return { ...up, body: JSON.stringify(issues) };
      },
      { inputs: { 'max-new-issue-users': '5', window: '6s' } },
    );
    expect(g.run.outputs.verdict).toBe('fail');
    expect(g.run.summary).not.toContain('evil.example');
  });
});

describe.concurrent('red team: malformed issues are not a reason to fail', () => {
  for (const [what, patch] of [
    ['userCount 1e308', { userCount: 1e308 }],
    ['userCount 7.5', { userCount: 7.5 }],
    ['userCount -50 and count "NaN"', { userCount: -50, count: 'NaN' }],
    ['firstSeen in the year 275760', { firstSeen: '+275760-09-13T00:00:00.000Z', userCount: 50 }],
    ['firstSeen unreadable', { firstSeen: 'yesterday-ish', userCount: 50 }],
  ] as [string, Record<string, unknown>][]) {
    it(`an issue with ${what}: no fail verdict`, async () => {
      const g = await gateVia(
        'healthy',
        (req) => {
          if (!req.path.endsWith('/issues/')) return undefined;
          const issue = {
            id: '77',
            shortId: 'SHOP-WEB-77',
            title: 'Error: boom',
            culprit: null,
            permalink: null,
            firstSeen: new Date().toISOString(),
            count: '10',
            userCount: 6,
            project: { slug: 'shop-web' },
            ...patch,
          };
          return { status: 200, body: JSON.stringify([issue]) };
        },
        { inputs: { 'max-new-issue-users': '5', window: '5s' } },
      );
      expect(g.run.outputs.verdict).not.toBe('fail');
      // the issues were never read: no pass claiming the new-issue check was made
      expect(g.run.outputs.verdict).toBe('inconclusive');
    });
  }
});

describe.concurrent('red team: a check that never got an answer', () => {
  it('the issues query fails on every poll: inconclusive, not a pass saying all checks were within limits', async () => {
    const g = await gate('healthy', {
      inputs: { 'max-new-issue-users': '5', window: '5s' },
      before: (t) => t.faults.add({ path: '/issues/', status: 503, times: Infinity }),
    });
    expect(g.run.outputs.verdict).toBe('inconclusive');
    expect(g.run.outputs.reason).toMatch(
      /^the new-issue check got no answer: every issues query failed \(last error: .*HTTP 503.*\); the other checks passed: all checks within limits/,
    );
    expect(g.run.code).toBe(0);
    // "0" would claim the issues were read and none was new
    expect(g.run.outputs['new-issues']).toBe('');
  });

  it('the issues query is refused (a token without event:read): the step fails at once naming the token, as for health', async () => {
    const g = await gate('healthy', {
      inputs: { 'max-new-issue-users': '5', window: '10m' },
      before: (t) => t.faults.add({ path: '/issues/', status: 403, times: Infinity }),
    });
    expect(g.run.code).toBe(1);
    expect(g.run.outputs.verdict).toBeUndefined();
    expect(g.run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^Sentry refused listing new issues \(HTTP 403\): the token lacks a scope/),
    ]);
    // At the first poll, not at the end of the 10 min window. The bound is generous on purpose: under
    // full-suite load on 2 cores start-up alone took up to 16 s; 40 s is 2.5x that, still 15x shorter
    // than the window and under the 45 s kill. Speed is measured in the benchmark, not here.
    expect(g.run.durationMs).toBeLessThan(40_000);
  });
});

describe.concurrent('red team: operator mistakes', () => {
  it('the token pasted into sentry-url (a query) is refused without showing any piece of it (CLI)', async () => {
    const run = await runCli(['gate', ...gateFlags(`https://sentry.example.com/?token=${CLI_TOKEN}`)], { SENTRY_AUTH_TOKEN: CLI_TOKEN });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--sentry-url .*must not have a query/m);
    expect(longestLeak(run.stdout + run.stderr, CLI_TOKEN)).toBeLessThan(8);
  });

  it('the token pasted into sentry-url (a query) is refused without showing any piece of it (action)', async () => {
    const run = await actionAt(`https://sentry.example.com/api/0/?auth_token=${SENTRY_TOKEN}`);
    expect(run.code).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/^Input sentry-url .*must not have a query/);
    expect(longestLeak(run.everything, SENTRY_TOKEN)).toBeLessThan(8);
  });
});

describe.concurrent('red team: log commands of other CI systems (the CLI is "for any CI")', () => {
  // Azure Pipelines acts on `##vso[…]` anywhere in a line (azure-pipelines-agent Command.TryParse:
  // message.IndexOf("##vso[")); task.prependpath would run the tracker's binary in later steps.
  // TeamCity reads `##teamcity[…]` service messages.
  const FORGED = "nope ##vso[task.prependpath]/tmp/evil ##vso[task.complete result=Succeeded;]done ##teamcity[buildStatus status='SUCCESS']";
  const live = (out: string) => [
    ...out.split('\n').filter((l) => /##(vso|teamcity)\[/i.test(l)),
    ...forgedCommands(out, [SENTRY_TOKEN, GITHUB_TOKEN, CLI_TOKEN]),
  ];

  it('a 400 body carrying ##vso[…] and ##teamcity[…] commands: the CLI prints none of them live', async () => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: CLI_TOKEN, minuteMs: 1000 });
    tracker.faults.add({ path: '/sessions/', status: 400, body: JSON.stringify({ detail: FORGED }), times: Infinity });
    try {
      const run = await runCli(['gate', ...gateFlags(tracker.url), '--window', '4s', '--interval', '1s', '--initial-delay', '1s'], {
        SENTRY_AUTH_TOKEN: CLI_TOKEN,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/nope/);
      expect(live(run.stdout)).toEqual([]);
      expect(live(run.stderr)).toEqual([]);
    } finally {
      await tracker.close();
    }
  });

  it('the same in an issue title: the CLI with --json prints none of them live on stdout', async () => {
    const tracker = await startLocalTracker({ scenario: 'new-issue', token: CLI_TOKEN, minuteMs: 1000 });
    const proxy = await hostileProxy(tracker.url, async (req, upstream) => {
      if (!req.path.endsWith('/issues/')) return undefined;
      const up = await upstream();
      const issues = JSON.parse(up.body) as { title: string }[];
      for (const i of issues) i.title = `##[error]x ${FORGED}`;
      return { ...up, body: JSON.stringify(issues) };
    });
    try {
      const run = await runCli(
        ['gate', ...gateFlags(proxy.url), '--window', '6s', '--interval', '1s', '--initial-delay', '1s', '--max-new-issue-users', '5', '--json'],
        {
          SENTRY_AUTH_TOKEN: CLI_TOKEN,
        },
      );
      expect(run.code).toBe(1);
      const outputs = JSON.parse(run.stdout) as Record<string, string>;
      expect(outputs.reason).toMatch(/nope/);
      expect(live(run.stdout)).toEqual([]);
      expect(run.stdout).not.toMatch(/##\[/);
      expect(live(run.stderr)).toEqual([]);
    } finally {
      await proxy.close();
      await tracker.close();
    }
  });

  it('the same in an issue title: the action log prints none of them live', async () => {
    const g = await gateVia(
      'new-issue',
      async (req, upstream) => {
        if (!req.path.endsWith('/issues/')) return undefined;
        const up = await upstream();
        const issues = JSON.parse(up.body) as { title: string; culprit: string | null }[];
        for (const i of issues) [i.title, i.culprit] = [FORGED, FORGED];
        return { ...up, body: JSON.stringify(issues) };
      },
      { inputs: { 'max-new-issue-users': '5', window: '6s' } },
    );
    expect(g.run.outputs.verdict).toBe('fail');
    expect(g.run.stdout).toMatch(/nope/);
    expect(live(g.run.stdout)).toEqual([]);
  });
});

describe.concurrent('red team: deploy times from the tracker', () => {
  it('Sentry echoes the new deploy with a time in 2999: the watch runs from the time sent (before: every health query asked for the future and the step failed)', async () => {
    const g = await gateVia('healthy', async (req, upstream) => {
      if (req.method !== 'POST' || !req.path.endsWith('/deploys/')) return undefined;
      const up = await upstream();
      return { ...up, body: JSON.stringify({ ...(JSON.parse(up.body) as object), dateFinished: '2999-01-01T00:00:00Z' }) };
    });
    expect(g.run.code).toBe(0);
    expect(g.run.outputs.verdict).toBe('pass');
    expect(g.run.stdout).not.toMatch(/2999/);
  });

  it("register: false and the release's latest deploy is in 2999: watched from now, with a warning, never asking for the future", async () => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, minuteMs: 1000 });
    const proxy = await hostileProxy(tracker.url, (req) => {
      if (req.method !== 'GET' || !req.path.endsWith('/deploys/')) return undefined;
      return { status: 200, body: JSON.stringify([{ environment: 'production', dateStarted: null, dateFinished: '2999-01-01T00:00:00Z', url: null }]) };
    });
    try {
      const registered = await gate('healthy', { tracker, inputs: { 'sentry-url': proxy.url, gate: 'false' } });
      expect(registered.run.code).toBe(0);
      const g = await gate('healthy', { tracker, inputs: { 'sentry-url': proxy.url, register: 'false' } });
      expect(g.run.code).toBe(0);
      expect(g.run.outputs.verdict).toBe('pass');
      expect(
        g.run.annotations.some((a) => a.level === 'warning' && /no deploy of shop-web@2\.0\.0 to production: watching health from now/.test(a.message)),
      ).toBe(true);
    } finally {
      await proxy.close();
      await tracker.close();
    }
  });
});

/** A GitHub API on loopback that answers every request with `answer` (and counts them). */
const hostileGitHub = (answer: (path: string) => { status: number; body: string }) =>
  tinyServer((_n, req, res) => {
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });

const COMMIT = {
  sha: 'f00dfacecafebeef0000000000000000000000aa',
  commit: { message: 'fix', author: { name: 'a', email: 'a@example.com', date: '2026-11-26T10:00:00Z' }, committer: { date: '2026-11-26T10:00:00Z' } },
};

describe.concurrent('red team: a hostile GitHub API', () => {
  it('a compare answer claiming 1e308 commits: a bounded number of pages, and the release still registers (before: paging never ended)', async () => {
    const gh = await hostileGitHub(() => ({ status: 200, body: JSON.stringify({ total_commits: 1e308, commits: [COMMIT], files: [] }) }));
    try {
      const g = await gate('healthy', {
        inputs: { 'set-commits': 'github', 'previous-commit': 'abc1234', 'github-token': GITHUB_TOKEN, window: '4s' },
        env: { GITHUB_API_URL: gh.url },
        timeoutMs: 40_000,
      });
      expect(gh.hits.length).toBeLessThanOrEqual(12);
      expect(g.run.code).toBe(0);
      expect(g.run.outputs.verdict).toBe('pass');
    } finally {
      await gh.close();
    }
  });

  it('a 422 whose message is 2 MB: the warning is one short line', async () => {
    const gh = await hostileGitHub(() => ({ status: 422, body: JSON.stringify({ message: 'Validation Failed', errors: ['e'.repeat(2_000_000)] }) }));
    try {
      const g = await gate('healthy', {
        inputs: { 'set-commits': 'github', 'previous-commit': 'abc1234', 'github-token': GITHUB_TOKEN, window: '4s' },
        env: { GITHUB_API_URL: gh.url },
      });
      expect(g.run.annotations.some((a) => a.level === 'warning' && /^No commits associated: listing commits/.test(a.message))).toBe(true);
      expect(Math.max(...g.run.stdout.split('\n').map((l) => l.length))).toBeLessThan(2_000);
    } finally {
      await gh.close();
    }
  });
});

describe.concurrent('red team: a sentry-url that redirects', () => {
  const redirecting = () => tinyServer((_n, req, res) => res.writeHead(301, { location: `https://sentry.example.com${req.url}` }).end('<html>Moved</html>'));

  it('http:// to a server that redirects every request to https://: a configuration error naming sentry-url, not a green job that watched nothing', async () => {
    const server = await redirecting();
    try {
      const run = await actionAt(server.url, { 'set-commits': 'skip', window: '20s', interval: '1s' });
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBeUndefined();
      expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        expect.stringMatching(
          /^Input sentry-url \("http:\/\/127\.0\.0\.1:\d+"\): Sentry's API is not there, the server redirects \(.*HTTP 301 to https:\/\/sentry\.example\.com\)/,
        ),
      ]);
      // at once, not after the 20 s window
      expect(run.durationMs).toBeLessThan(10_000);
    } finally {
      await server.close();
    }
  });

  it('the same with the CLI: exit 2 (configuration), one line naming --sentry-url', async () => {
    const server = await redirecting();
    try {
      const run = await runCli(['gate', ...gateFlags(server.url)], { SENTRY_AUTH_TOKEN: CLI_TOKEN });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^--sentry-url \("http:\/\/127\.0\.0\.1:\d+"\): Sentry's API is not there, the server redirects/m);
    } finally {
      await server.close();
    }
  });

  it("a server answering its web app's page (200, HTML) to every API path: a configuration error once the retries are spent, not a green job", async () => {
    const server = await tinyServer((_n, _req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sentry</title><div id="app"></div>'),
    );
    try {
      const run = await actionAt(`${server.url}/sentry`, { 'set-commits': 'skip', window: '30s', interval: '1s' });
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBeUndefined();
      expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        expect.stringMatching(
          /^Input sentry-url \("http:\/\/127\.0\.0\.1:\d+\/sentry"\): Sentry's API is not there, the server answers pages, not JSON \(GET .* returned HTTP 200 but not JSON/,
        ),
      ]);
      expect(run.durationMs).toBeLessThan(20_000);
    } finally {
      await server.close();
    }
  });

  it('a redirect after Sentry has answered is an outage like any other: the poll is skipped, never a configuration error', async () => {
    const g = await gateVia(
      'healthy',
      (req) => (req.path.endsWith('/sessions/') ? { status: 302, headers: { location: 'https://sso.example.com/login' }, body: '' } : undefined),
      {
        inputs: { window: '4s' },
      },
    );
    expect(g.run.code).toBe(0);
    expect(g.run.outputs.verdict).toBe('inconclusive');
  });
});

describe.concurrent('red team: an answer that declares its size', () => {
  it('a sessions answer declaring 100 MB in Content-Length: refused unread, the poll skipped, no crash', async () => {
    const { createServer, request } = await import('node:http');
    const tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, minuteMs: 1000 });
    const target = new URL(tracker.url);
    // a proxy that forwards everything but the sessions queries, which it answers with a huge declared length
    const server = createServer((req, res) => {
      if (req.url?.includes('/sessions/')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
        res.write('{"groups":[');
        return;
      }
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const g = await gate('healthy', { tracker, inputs: { 'sentry-url': `http://127.0.0.1:${port}`, window: '4s' } });
      expect(g.run.stderr).not.toMatch(/Unhandled|AbortError/);
      expect(g.run.code).toBe(0);
      expect(g.run.outputs.verdict).toBe('inconclusive');
      expect(g.report!.polls.some((p) => /larger than the 8 MiB/.test(p.error ?? ''))).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
      await tracker.close();
    }
  });
});

describe.concurrent('red team: a token in clear text', () => {
  it('an http:// sentry-url to another host: warned before any request that the token crosses the network unencrypted', async () => {
    // Through a proxy on a closed loopback port: no request leaves the machine, and none reaches a server.
    const run = await actionAt('http://sentry.example.com', { 'set-commits': 'skip' }, { HTTP_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9' });
    const warnings = run.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings[0]).toBe(
      'sentry-url is http:// to sentry.example.com: the auth token crosses the network unencrypted on every request; use https:// unless that network is yours alone.',
    );
    expect(run.code).toBe(1);
  });

  it('an http:// sentry-url on loopback (the local tracker): no such warning', async () => {
    const g = await gate('healthy', { inputs: { window: '3s', gate: 'false' } });
    expect(g.run.code, g.run.stdout).toBe(0);
    expect(g.run.annotations.filter((a) => /unencrypted/.test(a.message))).toEqual([]);
  });
});
