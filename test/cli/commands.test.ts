/** The bundled CLI's commands as a newcomer first tries them: --help everywhere, the demo's words, the README's replay line. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../src/local-tracker';
import { CLI_ENTRY } from '../helpers/action';
import { runCli } from './run-cli';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const NAMES = listScenarios().map((s) => s.name);

describe.concurrent('--help on every command', () => {
  it('gate --help and register -h print the flags and exit 0 without asking for a token', async () => {
    for (const args of [
      ['gate', '--help'],
      ['register', '-h'],
    ]) {
      const run = await runCli(args);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage:/m);
      expect(run.stdout).toContain('--sentry-auth-token <value>');
    }
  });

  it('tracker --help describes its flags, --log among them; a stray word is still an error', async () => {
    const help = await runCli(['tracker', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: release-health-gate tracker \[flags\]/);
    expect(help.stdout).toMatch(/^ +--log +print one line per request/m);
    const stray = await runCli(['tracker', 'healthy']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/^Unexpected argument 'healthy'.* Flags: --scenario NAME/);
  });

  it('demo --help shows the usage and the scenarios', async () => {
    const run = await runCli(['demo', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: release-health-gate demo \[\[--scenario\] NAME\]/);
    for (const name of NAMES) expect(run.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });
});

describe.concurrent('demo takes only its own words', () => {
  it('an action flag, a second word or an unknown name is exit 2 with one line; nothing runs', async () => {
    const cases: [string[], RegExp][] = [
      [['demo', '--window', '10m'], /^Unknown option '--window'\. demo takes \[--scenario\] NAME, --tracker sentry\|bugsnag\|rollbar, --list and --help\.\n$/],
      [['demo', 'healthy', 'crash-spike'], /^Unexpected argument "crash-spike": demo takes one scenario\./],
      [['demo', '--scenario', 'healthy', 'slow-burn'], /^Unexpected argument "slow-burn"/],
      [['demo', 'heathly'], /^"heathly" is not a scenario: expected one of sdk, healthy, /],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, run] of runs.entries()) {
      expect(run.code, cases[i]![0].join(' ')).toBe(2);
      expect(run.stderr).toMatch(cases[i]![1]);
      expect(run.stdout).toBe('');
    }
  });

  it('a scenario name with a line break and a workflow command is shown on one sanitized line, forging nothing', async () => {
    const run = await runCli(['demo', 'heathly\n::error::forged\u001b[31m']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^"heathly ::error::forged\[31m" is not a scenario: expected one of sdk, healthy, [^\n]*\n$/);
  });

  it('`demo healthy` (npm run demo -- healthy) runs the healthy scenario, not the default', async () => {
    // Its first line names the scenario; then it is interrupted, as a person would after reading it.
    const child = spawn(process.execPath, [CLI_ENTRY, 'demo', 'healthy'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) child.kill('SIGINT');
    });
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(stdout.split('\n')[0]).toBe(`Demo: scenario "healthy": ${listScenarios().find((s) => s.name === 'healthy')!.description}`);
  });
});

describe('demo baseline-regression', () => {
  it('turns the baseline on: the release is above the absolute limit and fails against the previous release', async () => {
    const run = await runCli(['demo', 'baseline-regression'], {}, 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Inputs of this scenario: --min-crash-free-users 0.95 --baseline previous-release --max-crash-rate-increase 0.005');
    const verdict = /^Verdict: FAIL: crash-free users ([\d.]+)% .* is below the ([\d.]+)% limit \(from the previous release\)/m.exec(run.stdout);
    expect(verdict, run.stdout).not.toBeNull();
    const [observed, limit] = [Number(verdict![1]), Number(verdict![2])];
    // Within the absolute 95% limit: only the previous release's crash rate plus 0.5 pp catches it.
    expect(observed).toBeGreaterThan(95);
    expect(limit).toBeGreaterThan(observed);
    expect(limit).toBeLessThan(99.5);
    const summary = readFileSync(/^Job summary \(markdown\): (.+)$/m.exec(run.stdout)![1]!, 'utf8');
    expect(summary).toMatch(/[Bb]aseline/);
    expect(summary).toContain('shop-web@1.4.0');
  });
});

describe.concurrent("replay of the README's own example", () => {
  const line = /`replay` reads recorded releases as JSON lines\n\(`(\{.*\})`,/.exec(README)![1]!;
  const command = /^release-health-gate (replay releases\.jsonl .*?)\s*$/m.exec(README)![1]!.split(/\s+/);
  const dir = mkdtempSync(join(tmpdir(), 'rhg-readme-replay-'));
  writeFileSync(join(dir, 'releases.jsonl'), `${line}\n`);
  const replay = async (args: string[]) => {
    const run = await runCli(args.map((a) => (a === 'releases.jsonl' ? join(dir, a) : a)));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { id: string; verdict: string; decidedAt: number | null; reason: string };
  };

  it('a recording that ends at 60 s decides nothing at 600 s', async () => {
    expect(command).toEqual(['replay', 'releases.jsonl', '--min-crash-free-users', '0.99', '--window', '10m']);
    const r = await replay(command);
    expect(r).toMatchObject({ id: 'r1', verdict: 'inconclusive', decidedAt: null });
    expect(r.reason).toMatch(
      /^the recording ends at 60 s, before the window ends at 600 s: no poll up to 120 s decided; record until the window ends or replay with a shorter --window$/,
    );
  });

  it('with the window it covers, 98.8% against a 99% limit: 80 users cannot rule out a 2× regression (pass-margin), and without it the pass does not claim to be within limits', async () => {
    const r = await replay([...command.slice(0, -1), '1m']);
    expect(r).toMatchObject({ verdict: 'inconclusive', decidedAt: null });
    expect(r.reason).toMatch(
      /^too little data to pass: with 80 users, a crashed-user rate up to [\d.]+% cannot be ruled out, more than 2× the 1% the 99% limit allows \(pass-margin 2x\); observed 1\.3%; at the observed rate that takes about 1,100 users, a window about 14× as long at this traffic$/,
    );
    const off = await replay([...command.slice(0, -1), '1m', '--pass-margin', 'off']);
    expect(off).toMatchObject({ verdict: 'pass', decidedAt: 60 });
    expect(off.reason).toMatch(
      /^no check is confidently past its limit: crash-free users 98\.8% \(interval [\d.]+–[\d.]+%, 80 users, 1 crashed\) is below the 99% limit, but not significantly \(end-of-window test p = [\d.]+ > [\d.]+\); 120 sessions$/,
    );
    expect(off.reason).not.toContain('within limits');
  });
});
