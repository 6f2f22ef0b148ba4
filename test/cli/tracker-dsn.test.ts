/** `release-health-gate tracker --dsn-only` as a CI job uses it: read the DSN, point an app at it, read the health back. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../helpers/action';
import { runSdkApp } from '../local-tracker/sdk-app';
import { runCli } from './run-cli';

function startTracker(args: string[]) {
  const child = spawn(process.execPath, [CLI_ENTRY, 'tracker', ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tracker exited ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { firstLine, stop, output: () => out };
}

describe('tracker prints the DSN an app sends to', () => {
  it('--dsn-only prints just the DSN; an SDK app sends to it; the sessions API answers what it sent, with no invented traffic', async () => {
    const t = startTracker(['--dsn-only']);
    try {
      const dsn = (await t.firstLine).trim();
      expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1001$/);
      await runSdkApp(dsn, {
        release: 'shop-web@9.9.9',
        mode: 'sessions',
        sessions: [
          { user: 'a', do: ['ok'] },
          { user: 'b', do: ['crash'] },
        ],
      });
      const base = new URL(dsn);
      const res = await fetch(
        `http://${base.host}/api/0/organizations/acme/sessions/?field=sum(session)&field=crash_free_rate(user)&statsPeriod=1h&interval=1h`,
        {
          headers: { Authorization: 'Bearer local-token' },
        },
      );
      // every release: only the app's two sessions, none from a scenario
      expect(((await res.json()) as { groups: { totals: unknown }[] }).groups[0]!.totals).toEqual({ 'sum(session)': 2, 'crash_free_rate(user)': 0.5 });
      expect(t.output().trim()).toBe(dsn);
    } finally {
      await t.stop();
    }
  }, 60_000);

  it('without --dsn-only, names the DSN of each project after the start line; --help tells of sdk and --dsn-only', async () => {
    const t = startTracker(['--scenario', 'sdk']);
    try {
      await t.firstLine;
      await new Promise((r) => setTimeout(r, 200));
      expect(t.output()).toMatch(
        /^local tracker: http:\/\/127\.0\.0\.1:\d+ \(scenario sdk, .*\)\nDSN for shop-web: http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1001\n$/,
      );
    } finally {
      await t.stop();
    }
    const compressed = await runCli(['tracker', '--dsn-only', '--minute-ms', '1000']);
    expect(compressed.code).toBe(2);
    expect(compressed.stderr).toMatch(/^--minute-ms "1000": the sdk scenario runs on the real clock/);
    expect(compressed.stdout).toBe('');
    const help = await runCli(['tracker', '--help']);
    expect(help.stdout).toMatch(/^ +--dsn-only +print only the DSN/m);
    expect(help.stdout).toMatch(/or sdk:/);
  }, 60_000);

  it('--log shows each envelope as one line, without the DSN key from the query or the auth header', async () => {
    const t = startTracker(['--scenario', 'sdk', '--log']);
    try {
      await t.firstLine;
      await new Promise((r) => setTimeout(r, 200));
      const dsn = new URL(/DSN for shop-web: (\S+)/.exec(t.output())![1]!);
      const key = dsn.username;
      const body = `{}\n{"type":"session"}\n${JSON.stringify({ sid: 's1', init: true, started: new Date().toISOString(), status: 'exited', attrs: { release: 'r@1' } })}\n`;
      const a = await fetch(`http://${dsn.host}/api/1001/envelope/?sentry_key=${key}&sentry_version=7`, { method: 'POST', body });
      const b = await fetch(`http://${dsn.host}/api/1001/envelope/`, {
        method: 'POST',
        body,
        headers: { 'X-Sentry-Auth': `Sentry sentry_key=${key}, sentry_version=7` },
      });
      const c = await fetch(`http://${dsn.host}/api/1001/envelope/?sentry_key=${key}`, { method: 'POST', body: '{' });
      expect([a.status, b.status, c.status]).toEqual([200, 200, 400]);
      await new Promise((r) => setTimeout(r, 200));
      const log = t
        .output()
        .split('\n')
        .filter((l) => l.startsWith('POST '));
      expect(log).toEqual(['POST /api/1001/envelope/ 200', 'POST /api/1001/envelope/ 200', 'POST /api/1001/envelope/ 400']);
      expect(
        t
          .output()
          .split('\n')
          .filter((l) => !l.startsWith('DSN for '))
          .join('\n'),
      ).not.toContain(key);
    } finally {
      await t.stop();
    }
  }, 60_000);
});
