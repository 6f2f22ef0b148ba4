/**
 * `npm run demo -- --tracker bugsnag` and `--tracker rollbar` as a user runs them: the bundled
 * CLI, the local tracker's Bugsnag or Rollbar server on 127.0.0.1, a release going bad.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

/** The registration lines the demo prints from its server's request log (what the server received). */
function registrations(stdout: string): string[] {
  const tail = stdout.split(/^Requests the gate sent to \w+: \d+; the release was registered with:$/m)[1] ?? '';
  return tail
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.trim());
}

describe.concurrent('demo --tracker', () => {
  it('bugsnag: the Build API records the build, unhandled sessions spike after the deploy, the gate fails and rolls back', async () => {
    const run = await runCli(['demo', '--tracker', 'bugsnag'], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Demo: tracker "bugsnag": /m);
    expect(run.stdout).toMatch(/^Embedded Bugsnag-compatible server at http:\/\/127\.0\.0\.1:\d+;/m);
    // Healthy first: the first polls are above the limit.
    expect(run.stdout).toMatch(/^\[0[0-4]:\d\d\/30:00\] [\d,]+ sessions, [\d,]+ users · .*crash-free sessions 100% .*· watching$/m);
    expect(run.stdout).toMatch(/^Verdict: FAIL: crash-free sessions 9\d(\.\d+)?% \(interval .*, [\d,]+ sessions, \d+ crashed\) is below the 99% limit/m);
    expect(run.stdout).toMatch(/^\(demo\) POST \/repos\/acme\/shop\/actions\/workflows\/rollback\.yml\/dispatches .*"previous-release":"shop-web@1\.4\.0"/m);
    const sent = registrations(run.stdout);
    expect(sent).toHaveLength(1);
    const [, method, path, json] = /^(\S+) (\S+) \(Build API\) (\{.*\})$/.exec(sent[0]!) ?? [];
    expect([method, path]).toEqual(['POST', '/']);
    expect(JSON.parse(json!)).toMatchObject({
      apiKey: '(the demo key)',
      appVersion: 'shop-web@2.0.0',
      releaseStage: 'production',
      builderName: 'release-health-gate',
      sourceControl: { provider: 'github', revision: '4f2c1a9e0b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a' },
      metadata: { workflow_run: 'https://github.example/acme/shop/actions/runs/1' },
    });
    const report = JSON.parse(readFileSync(/^JSON report: +(.+)$/m.exec(run.stdout)![1]!, 'utf8'));
    expect(report.verdict.outcome).toBe('fail');
    expect(report.action.kind).toBe('dispatched');
    expect(run.durationMs).toBeLessThan(40_000);
  }, 90_000);

  it('rollbar: the Deploy API records the deploy started then succeeded, errors a minute rise 4×, the gate fails and rolls back', async () => {
    const run = await runCli(['demo', '--tracker', 'rollbar'], {}, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Demo: tracker "rollbar": /m);
    expect(run.stdout).toMatch(/^Embedded Rollbar-compatible server at http:\/\/127\.0\.0\.1:\d+;/m);
    expect(run.stdout).toMatch(
      /^Verdict: FAIL: errors after the deploy vs before \(at most 2x\) [\d.]+% \(interval .*, \d+ after the deploy\) is above the 66\.667% limit/m,
    );
    expect(run.stdout).toMatch(/^\(demo\) POST \/repos\/acme\/shop\/actions\/workflows\/rollback\.yml\/dispatches .*"previous-release":"shop-web@1\.4\.0"/m);
    const sent = registrations(run.stdout).map((l) => /^(\S+) (\S+) \(Deploy API\) (\{.*\})$/.exec(l)!.slice(1));
    expect(sent.map(([method, path]) => `${method} ${path}`)).toEqual(['POST /api/1/deploy', 'PATCH /api/1/deploy/1001']);
    expect(JSON.parse(sent[0]![2]!)).toEqual({
      environment: 'production',
      revision: 'shop-web@2.0.0',
      local_username: 'release-health-gate',
      comment: 'Deployed by release-health-gate from https://github.example/acme/shop/actions/runs/1',
      status: 'started',
    });
    expect(JSON.parse(sent[1]![2]!)).toEqual({ status: 'succeeded' });
    const report = JSON.parse(readFileSync(/^JSON report: +(.+)$/m.exec(run.stdout)![1]!, 'utf8'));
    expect(report.verdict.outcome).toBe('fail');
    expect(run.durationMs).toBeLessThan(40_000);
  }, 90_000);

  it('a tracker the demo does not know, or a scenario with --tracker bugsnag → one line, exit 2', async () => {
    const [unknown, both] = await Promise.all([runCli(['demo', '--tracker', 'datadog']), runCli(['demo', '--tracker', 'bugsnag', 'slow-burn'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('--tracker "datadog" is not a tracker: expected one of sentry, bugsnag, rollbar\n');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^--tracker bugsnag plays one scenario of its own: it takes no scenario\. demo takes .*\n$/);
  });
});
