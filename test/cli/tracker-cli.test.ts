import { afterAll, describe, expect, it } from 'vitest';
import { startBugsnagStub } from '../helpers/bugsnag-stub';
import { startRollbarStub } from '../helpers/rollbar-stub';
import { runCli } from './run-cli';

/* The CLI gates on Bugsnag and Rollbar the way the action does: --tracker and the tracker's own flags. */

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});
const FAST = ['--window', '4s', '--interval', '2s', '--initial-delay', '0s', '--settle', '0s'];

describe.concurrent('the CLI with --tracker', () => {
  it('bugsnag: registers the build and passes a healthy release, the token from BUGSNAG_TOKEN', async () => {
    const stub = await startBugsnagStub({
      apiKey: 'c'.repeat(32),
      token: 'bsg-cli-0f9e8d7c6b5a',
      projectId: 'd'.repeat(24),
      newReleaseHealth: { sessions: 4_000, unhandledSessions: 2 },
    });
    open.push(stub);
    const run = await runCli(
      [
        'gate',
        '--tracker',
        'bugsnag',
        '--bugsnag-api-key',
        'c'.repeat(32),
        '--bugsnag-project-id',
        'd'.repeat(24),
        '--bugsnag-url',
        stub.url,
        '--bugsnag-build-url',
        stub.url,
        '--release',
        'v7',
        '--min-crash-free-sessions',
        '99%',
        '--min-crash-free-users',
        'off',
        ...FAST,
      ],
      { BUGSNAG_TOKEN: 'bsg-cli-0f9e8d7c6b5a', SENTRY_AUTH_TOKEN: 'left_over_sentry_token_123' },
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/pass/i);
    expect(stub.builds).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain('bsg-cli-0');
  });

  it('rollbar: a Sentry flag is one line naming both trackers (exit 2, nothing sent)', async () => {
    const stub = await startRollbarStub({ tokens: { rb_cli_token_aa11bb22: ['read', 'write'] } });
    open.push(stub);
    const run = await runCli([
      'gate',
      '--tracker',
      'rollbar',
      '--rollbar-token',
      'rb_cli_token_aa11bb22',
      '--rollbar-url',
      stub.url,
      '--release',
      'v7',
      '--max-error-rate-increase',
      '2x',
      '--sentry-org',
      'acme',
      ...FAST,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('--sentry-org ("acme") is a Sentry input, but tracker is rollbar: remove it, or set tracker: sentry');
    expect(stub.requests).toHaveLength(0);
  });
});
