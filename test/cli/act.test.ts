/** What the CLI does after the verdict, as the action does: the deployment status and the notifications. */
import { describe, expect, it } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { startGitHubStub } from '../helpers/github-stub';
import { startPagerDutyStub, startSlackStub } from '../helpers/notify-stubs';
import { longestLeak } from '../reliability/leaks';
import { CLI_TOKEN, gateFlags, runCli } from './run-cli';

const GITHUB_TOKEN = 'ghp_Cq4Lx8Wm2Zt7Rv9Kd3Nb6Yf1Hs5';
const ROUTING_KEY = 'P3x8Lq2Wz7Mk4Rv9Tn1Bc6Yd5Hf0Js2';

describe.concurrent('gate from the command line', () => {
  it('--github-deployment-id sets the deployment status (it used to be accepted and ignored)', async ({ onTestFinished }) => {
    const github = await startGitHubStub({ token: GITHUB_TOKEN, repository: 'acme/shop', deployments: [77] });
    const tracker = await startLocalTracker({ scenario: 'crash-spike', token: CLI_TOKEN, minuteMs: 1000 });
    onTestFinished(() => Promise.all([github.close(), tracker.close()]).then(() => undefined));
    const run = await runCli(['gate', ...gateFlags(tracker.url), '--github-deployment-id', '77', '--github-token', GITHUB_TOKEN], {
      SENTRY_AUTH_TOKEN: CLI_TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/shop',
    });
    expect(run.code).toBe(1);
    const status = github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/77/statuses');
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toMatchObject({ state: 'failure', environment: 'production', description: 'Release health: fail' });
    expect(status[0]!.hasAuth).toBe(true);
    expect(longestLeak(run.stdout + run.stderr, GITHUB_TOKEN)).toBeLessThan(8);
  });

  it('--github-deployment-id without a repository or token says why no status is set', async ({ onTestFinished }) => {
    const tracker = await startLocalTracker({ scenario: 'healthy', token: CLI_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    const run = await runCli(['gate', ...gateFlags(tracker.url), '--window', '6s', '--github-deployment-id', '77'], { SENTRY_AUTH_TOKEN: CLI_TOKEN });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /github-deployment-id 77 is set but its status cannot be set: no github-token and no repository \(GITHUB_REPOSITORY=owner\/name\)/,
    );
  });

  it('takes the notifier flags: --pagerduty-routing-key, --pagerduty-url, --slack-webhook-url, --notify-on', async ({ onTestFinished }) => {
    const [pd, slack] = await Promise.all([startPagerDutyStub(ROUTING_KEY), startSlackStub()]);
    const tracker = await startLocalTracker({ scenario: 'healthy', token: CLI_TOKEN, minuteMs: 1000 });
    onTestFinished(() => Promise.all([pd.close(), slack.close(), tracker.close()]).then(() => undefined));
    const run = await runCli(
      [
        'gate',
        ...gateFlags(tracker.url),
        '--window',
        '6s',
        '--pagerduty-url',
        pd.url,
        '--slack-webhook-url',
        `${slack.url}${slack.state.path}`,
        '--notify-on',
        'fail,pass',
        '--json',
      ],
      { SENTRY_AUTH_TOKEN: CLI_TOKEN, PAGERDUTY_ROUTING_KEY: ROUTING_KEY },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).verdict).toBe('pass');
    expect((pd.requests[0]?.body as { event_action: string }).event_action).toBe('resolve');
    expect(slack.state.messages).toHaveLength(1);
    expect(slack.state.messages[0]!.text).toMatch(/Release health pass/);
    for (const secret of [ROUTING_KEY, slack.state.path.slice(10)]) expect(longestLeak(run.stdout + run.stderr, secret)).toBeLessThan(8);
  });

  it('a bad notifier flag is one line naming it, never showing a secret', async () => {
    const run = await runCli(
      [
        'gate',
        '--sentry-org',
        'acme',
        '--sentry-projects',
        'web',
        '--release',
        'v1',
        '--notify-on',
        'fail,sometimes',
        '--alertmanager-headers',
        'Authorization Bearer s3cr3tZq8Wx3Lm9Kp',
      ],
      { SENTRY_AUTH_TOKEN: CLI_TOKEN },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--notify-on ("fail,sometimes"): "sometimes" is not a verdict: expected a list of fail, inconclusive, pass (or none)');
    expect(run.stderr).toContain('--alertmanager-headers: line 1 is not "Name: value"');
    expect(run.stderr).not.toContain('s3cr3t');
  });
});
