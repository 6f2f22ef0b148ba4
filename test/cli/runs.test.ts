import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { runGate, sessionPolls } from '../helpers/gate';
import { CLI_TOKEN, type CliRun, gateFlags, runCli } from './run-cli';

/** A fresh tracker timed like runGate's (minuteMs 1000), and a temp folder of its own for the CLI's default report. */
async function withTracker<T>(scenario: string, fn: (tracker: LocalTracker, tmp: string) => Promise<T>, tmp?: string): Promise<T> {
  const tracker = await startLocalTracker({ scenario, token: CLI_TOKEN, minuteMs: 1000 });
  try {
    return await fn(tracker, tmp ?? mkdtempSync(join(tmpdir(), 'rhg-cli-')));
  } finally {
    await tracker.close();
  }
}

interface CliGate {
  run: CliRun;
  json: Record<string, string | number>;
  sessionPolls: number;
  tmp: string;
}

/** `gate --json` against a fresh local tracker, with the same flags runGate gives the action. */
function cliGate(scenario: string, flags: string[] = [], sharedTmp?: string): Promise<CliGate> {
  return withTracker(
    scenario,
    async (tracker, tmp) => {
      const run = await runCli(['gate', ...gateFlags(tracker.url), '--json', ...flags], { SENTRY_AUTH_TOKEN: CLI_TOKEN, TMPDIR: tmp });
      const lines = run.stdout.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(run.stdout + run.stderr).not.toContain(CLI_TOKEN);
      return { run, json: JSON.parse(lines[0] as string) as Record<string, string | number>, sessionPolls: sessionPolls(tracker), tmp };
    },
    sharedTmp,
  );
}

const OUTPUT_NAMES = [
  'verdict',
  'healthy',
  'reason',
  'release',
  'previous-release',
  'release-url',
  'crash-free-users',
  'crash-free-sessions',
  'error-rate',
  'sessions',
  'users',
  'new-issues',
  'checks',
  'report-path',
];

// At most 5 tests run at once: the two that wait out a whole window come first.
describe.concurrent('the CLI against the local tracker', () => {
  it('healthy: pass and exit 0, as the action', async () => {
    const [cli, action] = await Promise.all([cliGate('healthy'), runGate('healthy')]);
    expect(action.run.code).toBe(0);
    expect(action.run.outputs.verdict).toBe('pass');
    expect(cli.run.code, cli.run.stderr).toBe(0);
    expect(cli.json.verdict).toBe('pass');
    expect(cli.json.exitCode).toBe(0);
    // --json carries exactly the action's outputs, plus the exit code
    expect(Object.keys(cli.json).sort()).toEqual([...OUTPUT_NAMES, 'exitCode'].sort());
    expect(Object.keys(action.run.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(cli.json.healthy).toBe('true');
    expect(cli.json.release).toBe('shop-web@2.0.0');
    expect(cli.json['previous-release']).toBe('shop-web@1.4.0');
    expect(action.run.outputs['previous-release']).toBe('shop-web@1.4.0');
    // Same traffic, same schedule: the same polls, and counts of the same size.
    expect(cli.sessionPolls).toBe(6);
    expect(sessionPolls(action.tracker)).toBe(6);
    const sessions = Number(cli.json.sessions);
    expect(sessions).toBeGreaterThan(1000);
    expect(Math.abs(sessions - Number(action.run.outputs.sessions)) / sessions).toBeLessThan(0.1);
    expect(Number(cli.json['crash-free-users'])).toBeGreaterThan(0.99);
    expect(cli.json.reason).toMatch(/crash-free users/);
    // The default report goes to the temp folder and holds the same verdict.
    expect(String(cli.json['report-path'])).toMatch(new RegExp(`^${cli.tmp}/release-health-gate-shop-web_2\\.0\\.0-\\d+\\.json$`));
    expect(JSON.parse(readFileSync(String(cli.json['report-path']), 'utf8')).verdict.outcome).toBe('pass');
  });

  it('low-traffic: inconclusive and exit 0, as the action; with --on-inconclusive fail, exit 3', async () => {
    // 8 s as in the action's e2e test: both scripted sessions are in by 7 s. The two CLI runs
    // share a temp folder, as two runs of one release on one machine do.
    const tmp = mkdtempSync(join(tmpdir(), 'rhg-cli-'));
    const [cli, strict, action] = await Promise.all([
      cliGate('low-traffic', ['--window', '8s'], tmp),
      cliGate('low-traffic', ['--window', '8s', '--on-inconclusive', 'fail'], tmp),
      runGate('low-traffic', { window: '8s' }),
    ]);
    expect(action.run.code).toBe(0);
    expect(action.run.outputs.verdict).toBe('inconclusive');
    expect(action.run.outputs.sessions).toBe('2');
    expect(cli.run.code, cli.run.stderr).toBe(0);
    expect(cli.json).toMatchObject({ verdict: 'inconclusive', healthy: 'true', sessions: '2', exitCode: 0 });
    expect(cli.json.reason).toMatch(/only 2 sessions, fewer than the 100 needed/);
    // The action fails the job (exit 1, as test/e2e/gate.test.ts checks); the CLI tells it apart from an unhealthy release.
    expect(strict.run.code).toBe(3);
    expect(strict.json).toMatchObject({ verdict: 'inconclusive', exitCode: 3 });
    // each kept its own default report
    expect(strict.json['report-path']).not.toBe(cli.json['report-path']);
    expect(readdirSync(tmp)).toHaveLength(2);
  });

  it('crash-spike: fail and exit 1 within the first polls, as the action', async () => {
    const [cli, action] = await Promise.all([cliGate('crash-spike'), runGate('crash-spike')]);
    expect(action.run.code).toBe(1);
    expect(action.run.outputs.verdict).toBe('fail');
    expect(cli.run.code, cli.run.stderr).toBe(1);
    expect(cli.json).toMatchObject({ verdict: 'fail', healthy: 'false', exitCode: 1 });
    const reason = /^crash-free users \d+(\.\d+)?% .* below the 97% limit/;
    expect(cli.json.reason).toMatch(reason);
    expect(action.run.outputs.reason).toMatch(reason);
    expect(cli.sessionPolls).toBeLessThanOrEqual(3);
  });

  it('error-rate with --max-error-rate 0.05: fail and exit 1 naming the error rate, as the action', async () => {
    const [cli, action] = await Promise.all([cliGate('error-rate', ['--max-error-rate', '0.05']), runGate('error-rate', { 'max-error-rate': '0.05' })]);
    expect(action.run.code).toBe(1);
    expect(action.run.outputs.verdict).toBe('fail');
    expect(cli.run.code, cli.run.stderr).toBe(1);
    expect(cli.json.verdict).toBe('fail');
    const reason = /^error rate \d+(\.\d+)?% .* above the 5% limit/;
    expect(cli.json.reason).toMatch(reason);
    expect(action.run.outputs.reason).toMatch(reason);
    expect(Number(cli.json['error-rate'])).toBeGreaterThan(0.1);
  });

  it('register registers only (release, deploy, finalize; no health requests) and exits 0; again, it finds the release', () =>
    withTracker('healthy', async (tracker, tmp) => {
      const env = { SENTRY_AUTH_TOKEN: CLI_TOKEN, TMPDIR: tmp };
      const first = await runCli(['register', ...gateFlags(tracker.url), '--json'], env);
      expect(first.code, first.stderr).toBe(0);
      const json = JSON.parse(first.stdout);
      expect(json).toMatchObject({
        verdict: 'skipped',
        healthy: 'true',
        release: 'shop-web@2.0.0',
        'previous-release': 'shop-web@1.4.0',
        'report-path': '',
        exitCode: 0,
      });
      expect(json['release-url']).toBe(`${tracker.url}/organizations/acme/releases/shop-web%402.0.0/?project=${tracker.projectId('shop-web')}`);
      const release = tracker.state.releases.get('shop-web@2.0.0');
      expect(release?.deploys.map((d) => d.environment)).toEqual(['production']);
      expect(release?.dateReleased).toBeTruthy();

      const again = await runCli(['register', ...gateFlags(tracker.url)], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^Release shop-web@2\.0\.0: already existed for shop-web$/m);
      expect(again.stdout).toMatch(/^OK: Release shop-web@2\.0\.0 registered \(gate: false\)\.$/m);
      expect(tracker.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/releases/')).map((r) => r.status)).toEqual([201, 208]);
      expect(tracker.requests.filter((r) => /\/(sessions|issues)\/$/.test(r.path))).toEqual([]);
      // the one 404: the release looked up before it is created (Sentry's 201 does not tell created from gained a project)
      expect(tracker.requests.filter((r) => r.status >= 300).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404']);
    }));

  it('--summary-file writes the markdown summary and --report-file the JSON report; without --json the log shows the alert', () =>
    withTracker('crash-spike', async (tracker, tmp) => {
      const summaryFile = join(tmp, 'out', 'summary.md');
      const reportFile = join(tmp, 'out', 'deep', 'report.json');
      const run = await runCli(
        ['gate', ...gateFlags(tracker.url), '--summary-file', summaryFile, '--report-file', reportFile, '--runbook-url', 'https://wiki.example/rollback'],
        { SENTRY_AUTH_TOKEN: CLI_TOKEN, TMPDIR: tmp },
      );
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^\[00:02\/00:12\] \d+ sessions, \d+ users · crash-free users/m);
      expect(run.stdout).toMatch(/^Alert: +Crash-free users below 97% after deploy$/m);
      expect(run.stdout).toMatch(/^Runbook: +https:\/\/wiki\.example\/rollback$/m);
      expect(run.stdout).toMatch(/^FAILED: Release health gate failed: crash-free users/m);
      expect(run.stdout).toMatch(new RegExp(`^report: ${reportFile}$`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^summary: ${summaryFile}$`, 'm'));
      // plain lines off a terminal
      expect(run.stdout).not.toContain('\u001b[');

      const summary = readFileSync(summaryFile, 'utf8');
      expect(summary).toContain('❌');
      expect(summary).toContain('`shop-web@2.0.0`');
      expect(summary).toMatch(/crash-free users/i);
      const report = JSON.parse(readFileSync(reportFile, 'utf8'));
      expect(report.schema).toBe(1);
      expect(report.verdict.outcome).toBe('fail');
      expect(report.polls.at(-1).sample.sessions).toBeGreaterThan(100);
      // the report went where it was asked, not to the default place
      expect(readdirSync(tmp)).toEqual(['out']);
    }));

  it('the token never shows, even when the tracker echoes it back in an error, with or without --json', () =>
    withTracker('healthy', async (tracker, tmp) => {
      tracker.faults.add({ method: 'POST', path: /\/releases\/$/, status: 400, echoToken: true, times: 2 });
      const env = { SENTRY_AUTH_TOKEN: CLI_TOKEN, TMPDIR: tmp };
      const runs = await Promise.all([runCli(['gate', ...gateFlags(tracker.url)], env), runCli(['gate', ...gateFlags(tracker.url), '--json'], env)]);
      expect(tracker.requests.filter((r) => r.fault?.echoToken)).toHaveLength(2);
      for (const run of runs) {
        expect(run.code).toBe(1);
        // one line naming what was refused, with the server's text minus the token
        expect(run.stderr).toMatch(/Sentry refused creating release shop-web@2\.0\.0 \(HTTP 400\).*Upstream auth failed/);
        expect(run.stdout + run.stderr).not.toContain(CLI_TOKEN);
      }
      expect(runs[1]?.stdout).toBe('');
    }));

  it('the token never shows in a whole gate run with --json, nor in the files, when given as a flag', () =>
    withTracker('crash-spike', async (tracker, tmp) => {
      const summaryFile = join(tmp, 'summary.md');
      const run = await runCli(['gate', ...gateFlags(tracker.url), '--json', '--summary-file', summaryFile, '--sentry-auth-token', CLI_TOKEN], { TMPDIR: tmp });
      expect(run.code, run.stderr).toBe(1);
      const json = JSON.parse(run.stdout);
      expect(json.verdict).toBe('fail');
      const everything = [run.stdout, run.stderr, readFileSync(summaryFile, 'utf8'), readFileSync(json['report-path'], 'utf8')].join('\n');
      expect(everything).not.toContain(CLI_TOKEN);
      // the human lines went to stderr, so stdout stayed one JSON object
      expect(run.stderr).toMatch(/^== Watch shop-web@2\.0\.0 in production$/m);
      expect(tracker.requests.length).toBeGreaterThan(0);
      expect(tracker.requests.every((r) => r.status !== 401)).toBe(true);
    }));

  it('demo --scenario crash-spike fails at the first polls: verdict FAIL, the alert, the printed dispatch, and the files exist', async () => {
    const run = await runCli(['demo', '--scenario', 'crash-spike']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Demo: scenario "crash-spike"/m);
    expect(run.stdout).toMatch(/^Verdict: FAIL: crash-free users \d+(\.\d+)?% .* below the 97% limit/m);
    expect(run.stdout).toMatch(/^Alert: +Crash-free users below 97% after deploy$/m);
    expect(run.stdout).toMatch(/^\(demo\) POST \/repos\/acme\/shop\/actions\/workflows\/rollback\.yml\/dispatches .*"previous-release":"shop-web@1\.4\.0"/m);
    const summaryPath = /^Job summary \(markdown\): (.+)$/m.exec(run.stdout)?.[1];
    const reportPath = /^JSON report: +(.+)$/m.exec(run.stdout)?.[1];
    expect(summaryPath && existsSync(summaryPath)).toBe(true);
    expect(reportPath && existsSync(reportPath)).toBe(true);
    expect(readFileSync(summaryPath as string, 'utf8')).toContain('❌');
    const report = JSON.parse(readFileSync(reportPath as string, 'utf8'));
    expect(report.verdict.outcome).toBe('fail');
    expect(report.action.kind).toBe('dispatched');
    // fails within the first few simulated minutes of polling (1 s each; each poll judges the data settled a minute before it),
    // not after the 30-minute window
    expect(report.polls.length).toBeLessThanOrEqual(5);
  });
});

describe('cancelling the CLI', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} before a verdict exits 130 within a second or two, not 0`, async () => {
      await withTracker('healthy', async (tracker, tmp) => {
        const run = await runCli(['gate', ...gateFlags(tracker.url), '--window', '30s', '--json'], { SENTRY_AUTH_TOKEN: CLI_TOKEN, TMPDIR: tmp }, 60_000, {
          ms: 4_000,
          signal,
        });
        expect(run.code, run.stderr).toBe(130);
        expect(run.durationMs).toBeLessThan(8_000);
        expect(JSON.parse(run.stdout.trim()).verdict).toBe('inconclusive');
      });
    });
  }
});
