import { describe, expect, it } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { startGitHubStub } from '../helpers/github-stub';
import { GITHUB_TOKEN, SENTRY_TOKEN, gate } from './harness';

const WORKFLOW_INPUTS = { 'rollback.yml': ['release', 'previous-release', 'environment', 'reason'] };
const ROLLBACK = { 'rollback-workflow': 'rollback.yml', 'github-token': GITHUB_TOKEN, window: '6s' };

const dispatches = (stub: { requests: { method: string; path: string }[] }) =>
  stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length;

describe.concurrent('re-running the job (same run id, next attempt)', () => {
  it('finds the release and the deploy its first attempt made, and does not dispatch a second rollback while the first one runs', async () => {
    const tracker = await startLocalTracker({ scenario: 'crash-spike', token: SENTRY_TOKEN, minuteMs: 1000 });
    const stub = await startGitHubStub({ token: GITHUB_TOKEN, workflows: ['rollback.yml'], workflowInputs: WORKFLOW_INPUTS });
    try {
      const env = { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: '777' };
      const first = await gate('crash-spike', { tracker, inputs: ROLLBACK, env: { ...env, GITHUB_RUN_ATTEMPT: '1' } });
      expect(first.run.outputs.verdict, first.run.stdout).toBe('fail');
      expect(first.report!.registration).toMatchObject({ created: true, deployCreated: true });
      expect(first.report!.action.kind).toBe('dispatched');
      expect(dispatches(stub)).toBe(1);

      const again = await gate('crash-spike', { tracker, inputs: ROLLBACK, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
      // registration is not what fails it: the release is found (208), the deploy reused
      expect(again.run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        expect.stringMatching(/^Crash-free users below 97% after deploy/),
      ]);
      expect(again.run.outputs.verdict).toBe('fail');
      expect(again.report!.registration).toMatchObject({ created: false, deployCreated: false });
      expect(again.report!.deployFinishedAt).toBe(first.report!.deployFinishedAt);
      const release = tracker.state.releases.get('shop-web@2.0.0')!;
      expect(release.deploys).toHaveLength(1);
      const posts = tracker.requests.filter((r) => r.method === 'POST').map((r) => `${r.status} ${r.path.replace(/^.*\/organizations\/acme/, '')}`);
      expect(posts).toEqual(['201 /releases/', '201 /releases/shop-web%402.0.0/deploys/', '208 /releases/']);
      // the first attempt's rollback run is queued: the re-run finds it and dispatches nothing
      expect(dispatches(stub)).toBe(1);
      expect(again.report!.action).toMatchObject({ kind: 'already-dispatched', status: 'queued' });
      expect(again.run.outputs['report-path']).toMatch(/-777-2\.json$/);
    } finally {
      await stub.close();
      await tracker.close();
    }
  });

  it('a dispatch GitHub answers with 500 is not retried (it may have started the workflow)', async () => {
    const stub = await startGitHubStub({ token: GITHUB_TOKEN, workflows: ['rollback.yml'], workflowInputs: WORKFLOW_INPUTS, fail: { dispatch: 500 } });
    try {
      const { run, report } = await gate('crash-spike', { inputs: ROLLBACK, env: { GITHUB_API_URL: stub.url } });
      expect(run.outputs.verdict).toBe('fail');
      expect(run.code).toBe(1);
      expect(report!.action.kind).toBe('dispatch-failed');
      expect(dispatches(stub)).toBe(1);
      expect(run.annotations.some((a) => a.level === 'warning' && /Rollback dispatch failed/.test(a.message))).toBe(true);
    } finally {
      await stub.close();
    }
  });
});
