import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type LocalTracker, listScenarios, startLocalTracker } from '../../src/local-tracker';
import { CLI_TOKEN, gateFlags, runCli } from './run-cli';

const actionYml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { inputs: Record<string, unknown> };
// The demo lists its SDK demo first, then the tracker's scenarios of invented traffic.
const SCENARIOS = [{ name: 'sdk', description: 'A shop app instrumented with @sentry/node' }, ...listScenarios()];

describe.concurrent('--help', () => {
  it('documents every input of action.yml as a flag, and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const names = Object.keys(actionYml.inputs);
    expect(names.length).toBeGreaterThan(25);
    const missing = names.filter((name) => !new RegExp(`^ +--${name}[ <|]`, 'm').test(run.stdout));
    expect(missing).toEqual([]);
    // switches can be negated, e.g. --no-register
    for (const name of ['register', 'finalize', 'gate', 'pass-early', 'dry-run']) expect(run.stdout).toContain(`--${name} | --no-${name}`);
    for (const extra of ['--json', '--summary-file', '--report-file']) expect(run.stdout).toContain(extra);
    const exits = run.stdout.slice(run.stdout.indexOf('Exit codes:'));
    expect(exits).toMatch(/^ +0 +pass/m);
    expect(exits).toMatch(/^ +1 +fail/m);
    expect(exits).toMatch(/^ +2 +bad configuration/m);
    expect(exits).toMatch(/^ +3 +inconclusive with --on-inconclusive fail/m);
  });

  it('no command prints the help too; an unknown command exits 2', async () => {
    const [bare, nope] = await Promise.all([runCli([]), runCli(['gat'])]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage:/m);
    expect(bare.stdout).toContain('Exit codes:');
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/^Unknown command "gat": expected gate, register, replay, demo/);
  });
});

describe.concurrent('demo flags', () => {
  it('--list lists every scenario with its description', async () => {
    const run = await runCli(['demo', '--list']);
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(SCENARIOS.map((s) => s.name));
    expect(SCENARIOS.map((s) => s.name)).toEqual(expect.arrayContaining(['healthy', 'crash-spike', 'slow-burn', 'low-traffic', 'outage']));
    for (const s of SCENARIOS) expect(run.stdout).toContain(s.description);
  });

  it('--scenario nope exits 2 naming the allowed ones', async () => {
    const run = await runCli(['demo', '--scenario', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`--scenario "nope" is not a scenario: expected one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
    expect(run.stdout).toBe('');
  });
});

describe.concurrent('bad flags exit 2 before any request', () => {
  let tracker: LocalTracker;
  beforeAll(async () => {
    tracker = await startLocalTracker({ scenario: 'healthy', token: CLI_TOKEN, minuteMs: 1000 });
  });
  afterAll(async () => {
    // Every case below had a reachable tracker and a valid token: not one request may have reached it.
    expect(tracker.requests).toEqual([]);
    await tracker.close();
  });

  const env = () => ({ SENTRY_AUTH_TOKEN: CLI_TOKEN });

  it.for([
    { flags: ['--window', 'abc'], says: /^--window \("abc"\): expected a duration such as 90s, 10m, 1h or a whole number of seconds$/ },
    { flags: ['--confidence', '1'], says: /^--confidence \("1"\): must be between 0\.5 and 0\.9999 \(50% to 99\.99%\)/ },
    { flags: ['--interval', '20s'], says: /^--interval \("20s"\): must not be longer than window \(12s\)$/ },
    {
      flags: ['--min-crash-free-users', '99.5'],
      says: /^--min-crash-free-users \("99\.5"\): expected .* a fraction such as 0\.995 or a percentage such as 99\.5%$/,
    },
  ])('$flags.0 $flags.1 exits 2 naming the flag and what is allowed', async ({ flags, says }) => {
    const run = await runCli(['gate', ...gateFlags(tracker.url), ...flags], env());
    expect(run.code).toBe(2);
    // one line: only the bad flag is reported, everything else was valid
    expect(run.stderr.trim()).toMatch(says);
    expect(run.stdout).toBe('');
  });

  it('reports every bad flag at once, one line each', async () => {
    const run = await runCli(['gate', ...gateFlags(tracker.url), '--min-sessions', 'many', '--on-inconclusive', 'maybe', '--set-commits', 'all'], env());
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--set-commits \("all"\): .*auto.*github.*skip/),
        expect.stringMatching(/^--on-inconclusive \("maybe"\): .*pass.*fail/),
        expect.stringMatching(/^--min-sessions \("many"\): /),
      ]),
    );
  });

  it('an unknown flag exits 2 naming it', async () => {
    const run = await runCli(['gate', ...gateFlags(tracker.url), '--windw', '12s'], env());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe("Unknown option '--windw'. Run release-health-gate --help for the flags.");
  });

  it('a value starting with a dash is refused by the parser with the way to give it, in plain sentences', async () => {
    const run = await runCli(['gate', ...gateFlags(tracker.url), '--min-sessions', '-5'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/'--min-sessions' argument is ambiguous/);
    expect(run.stderr).toContain("'--min-sessions=-XYZ'");
    expect(run.stderr).not.toContain('..');
    const explicit = await runCli(['gate', ...gateFlags(tracker.url), '--min-sessions=-5'], env());
    expect(explicit.code).toBe(2);
    expect(explicit.stderr.trim()).toMatch(/^--min-sessions \("-5"\): /);
  });

  it('a stray positional argument exits 2', async () => {
    const run = await runCli(['gate', ...gateFlags(tracker.url), 'production'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Unexpected argument "production"/);
  });

  it('a missing token exits 2 and says where a token comes from', async () => {
    const run = await runCli(['gate', ...gateFlags(tracker.url)]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^--sentry-auth-token is required: set the input or the SENTRY_AUTH_TOKEN env variable/);
  });

  it('a missing org, project and release exit 2 naming their env variables', async () => {
    const run = await runCli(['gate', '--sentry-url', tracker.url], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--sentry-org is required: .*SENTRY_ORG/m);
    expect(run.stderr).toMatch(/^--sentry-projects is required: .*SENTRY_PROJECT/m);
    expect(run.stderr).toMatch(/^--release is required: .*SENTRY_RELEASE/m);
  });

  it('register validates its flags the same way', async () => {
    const run = await runCli(['register', ...gateFlags(tracker.url), '--environment', 'prod uction'], env());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^--environment \("prod uction"\): contains spaces or slashes: expected an environment name of at most 64 characters/);
  });
});
