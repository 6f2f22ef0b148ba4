/**
 * A credential written into a URL input (a query token, a userinfo password)
 * is a secret: masked by the runner and in no piece of anything shown, even
 * when a hostile server echoes the URL back raw, percent-encoded or
 * JSON-escaped. Through the bundled action and the CLI, against stubs on loopback.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { CLI_ENTRY } from '../helpers/action';
import { runGate } from '../helpers/gate';
import { longestLeak } from '../reliability/leaks';

async function stub(cleanup: (fn: OnTestFinishedHandler) => void, handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Says back the URL it was asked for, in every form a renderer or a parser turns back into the token. */
const echo = (req: IncomingMessage, res: ServerResponse) => {
  const url = req.url ?? '';
  const jsonEscaped = JSON.stringify(url).replace(/[a-z]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  res.writeHead(400, { 'content-type': 'text/plain' });
  res.end(`bad request for ${url} (${encodeURIComponent(url)}) ${jsonEscaped} ${decodeURIComponent(url)}`);
};

describe.concurrent('credentials in URL inputs (bundled action, CLI)', () => {
  it('alertmanager-url ?token=: sent with each request, masked, and in no 8 characters of anything shown', { timeout: 90_000 }, async ({ onTestFinished }) => {
    const token = 'amTok3nQx7Lm9Zp4Wv2026';
    const am = await stub(onTestFinished, echo);
    const { run } = await runGate('crash-spike', { 'alertmanager-url': `${am.url}/?token=${token}` });
    expect(run.outputs.verdict).toBe('fail');
    // The token stays in the query, after the API path (not swallowing it).
    expect(am.seen[0]).toBe(`POST /api/v2/alerts?token=${token}`);
    const [warning] = run.annotations.filter((a) => a.level === 'warning' && a.message.startsWith('Alertmanager'));
    expect(warning!.message).toMatch(/^Alertmanager notification failed: HTTP 400 \(bad request for \/api\/v2\/alerts\?token=\*\*\*/);
    expect(run.masked).toContain(token);
    expect(longestLeak(run.everything, token)).toBeLessThan(8);
  });

  it(
    'prometheus-url ?access_token= (a proxy in front of Prometheus) that echoes it: masked, no piece shown',
    { timeout: 90_000 },
    async ({ onTestFinished }) => {
      const token = 'glc_pr0mTokenZp4Wv9Lm7Qx';
      const prom = await stub(onTestFinished, echo);
      const { run } = await runGate('healthy', {
        'prometheus-url': `${prom.url}/?access_token=${encodeURIComponent(token)}`,
        checks: '- name: uptime\n  source: prometheus\n  query: min(probe_success)\n  min: 1\n  for: 2s\n',
        window: '4s',
      });
      expect(prom.seen.length).toBeGreaterThan(0);
      expect(prom.seen[0]).toContain(`access_token=${token}`);
      expect(run.masked).toContain(token);
      expect(longestLeak(run.everything, token)).toBeLessThan(8);
    },
  );

  it('CLI: a refused URL with a password (with @ in it) or a query key shows neither on stderr or stdout, and exits 2', () => {
    const password = 'p@ssW0rdQx7Lm9Zp4';
    const key = 'k3yQx7Lm9Zp4Wv2026ab';
    const r = spawnSync(
      process.execPath,
      [
        CLI_ENTRY,
        'gate',
        '--release',
        'shop@1',
        '--sentry-org',
        'acme',
        '--sentry-projects',
        'shop',
        '--alertmanager-url',
        `https://bot:${password}@am.example.com/?api_key=${key}`,
        '--runbook-url',
        `ftp://wiki.example.com/?api_key=${key}`,
      ],
      { env: { PATH: process.env.PATH ?? '', SENTRY_AUTH_TOKEN: 'sntryu_cli_token_0123456789abcdef' }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--alertmanager-url/);
    for (const secret of [password, key]) expect(longestLeak(`${r.stdout}${r.stderr}`, secret)).toBeLessThan(8);
  });
});
