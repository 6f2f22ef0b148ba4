import { describe, expect, it } from 'vitest';
import { startGitHubStub } from '../helpers/github-stub';
import { record } from './faults';
import { GITHUB_TOKEN, SENTRY_TOKEN, gate } from './harness';

const DEBUG = { RUNNER_DEBUG: '1' };

/** Both tokens were handed to the runner to mask, and nothing a user can see holds either. */
function expectNoSecrets(run: { everything: string; masked: string[] }) {
  expect(run.masked).toContain(SENTRY_TOKEN);
  expect(run.everything).not.toContain(SENTRY_TOKEN);
  expect(run.everything).not.toContain(GITHUB_TOKEN);
  // nor a recognisable piece of them
  expect(run.everything).not.toContain(SENTRY_TOKEN.slice(0, 24));
  expect(run.everything).not.toContain(GITHUB_TOKEN.slice(0, 24));
}

describe.concurrent('secrets never reach logs, summary, outputs, report or errors', () => {
  it('the tracker echoes the token in 5xx bodies during the window (RUNNER_DEBUG=1, rollback dispatched with a GitHub token)', async () => {
    const stub = await startGitHubStub({ token: GITHUB_TOKEN, workflows: ['rollback.yml'] });
    try {
      const g = await gate('crash-spike', {
        inputs: { 'max-new-issue-users': '50', 'rollback-workflow': 'rollback.yml', 'github-token': GITHUB_TOKEN },
        env: { ...DEBUG, GITHUB_API_URL: stub.url },
        before: (t) => {
          t.faults.add({ path: '/sessions/', status: 503, echoToken: true, times: 3 });
          t.faults.add({ path: '/issues/', status: 502, echoToken: true, times: 2 });
        },
      });
      record('burst: 5xx echoing the token', 'crash-spike', g);
      const { run, tracker } = g;
      expect(run.outputs.verdict).toBe('fail');
      expect(tracker.requests.filter((r) => r.fault?.echoToken)).toHaveLength(5);
      expect(stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'))).toHaveLength(1);
      // the echoed text did reach the debug log, redacted
      expect(run.stdout).toMatch(/^::debug::retry \d of .*Authorization: Bearer \*\*\*/m);
      expect(run.masked).toContain(GITHUB_TOKEN);
      expectNoSecrets(run);
    } finally {
      await stub.close();
    }
  });

  it('the tracker echoes the token in a 400 while registering: one error line, redacted', async () => {
    const g = await gate('healthy', {
      env: DEBUG,
      before: (t) => t.faults.add({ path: /\/releases\/$/, method: 'POST', status: 400, echoToken: true }),
    });
    const { run } = g;
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Sentry refused creating release shop-web@2\.0\.0 \(HTTP 400\): .*Bearer \*\*\*/);
    expectNoSecrets(run);
  });

  it('the tracker echoes the token in a 400 on a health query: the step fails at once (a 400 will not fix itself), token redacted', async () => {
    const g = await gate('healthy', {
      inputs: { window: '4s' },
      env: DEBUG,
      before: (t) => t.faults.add({ path: '/sessions/', status: 400, echoToken: true, times: Infinity }),
    });
    record('400 echoing the token on every health query', 'healthy', g);
    const { run } = g;
    // Not a health verdict: no verdict output, so a rollback wired on verdict == 'fail' does not run.
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBeUndefined();
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Sentry refused reading release health \(HTTP 400\): .*Bearer \*\*\*/);
    expectNoSecrets(run);
  });
});
