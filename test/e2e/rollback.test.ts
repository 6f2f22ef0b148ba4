import { describe, expect, it, onTestFinished } from 'vitest';
import { type GitHubStub, startGitHubStub } from '../helpers/github-stub';
import { runGate } from '../helpers/gate';

// Random-looking, as real tokens are: any 8 characters in a row of a secret are redacted, so a word in it would be too.
const GITHUB_TOKEN = 'ghs_Rb7e2eQx9Lm4Za7Wc1Vd8Nf6Hy2Kp3';
const ROLLBACK_INPUTS = ['release', 'previous-release', 'environment', 'reason'];

async function github(extra: Parameters<typeof startGitHubStub>[0] extends infer O ? Partial<O> : never = {}) {
  const stub = await startGitHubStub({
    token: GITHUB_TOKEN,
    repository: 'acme/shop',
    workflows: ['rollback.yml'],
    workflowInputs: { 'rollback.yml': ROLLBACK_INPUTS },
    defaultBranch: 'main',
    ...extra,
  });
  // Tests run concurrently: each closes its own stub when it finishes.
  onTestFinished(() => stub.close());
  return stub;
}

const ACT = {
  'rollback-workflow': 'rollback.yml',
  'github-token': GITHUB_TOKEN,
  'runbook-url': 'https://wiki.example/runbooks/rollback',
  'dashboard-url': 'https://grafana.example/d/shop',
};

const dispatches = (stub: GitHubStub) => stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));

describe.concurrent('rollback dispatch and the alert (bundled action, GitHub stub on loopback)', () => {
  it('a failing release dispatches the rollback workflow exactly once, with the previous release, using the given token', async () => {
    const stub = await github();
    const { run } = await runGate('crash-spike', ACT, { env: { GITHUB_API_URL: stub.url } });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const sent = dispatches(stub);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe('/repos/acme/shop/actions/workflows/rollback.yml/dispatches');
    expect(sent[0]?.hasAuth).toBe(true);
    const body = sent[0]?.body as { ref: string; inputs: Record<string, string> };
    expect(body.ref).toBe('main');
    expect(body.inputs).toMatchObject({ release: 'shop-web@2.0.0', 'previous-release': 'shop-web@1.4.0', environment: 'production' });
    expect(body.inputs.reason).toMatch(/crash-free users/);
    // the alert a half-asleep on-call reads
    for (const text of ['Runbook:  https://wiki.example/runbooks/rollback', 'Dashboard: https://grafana.example/d/shop', 'Previous: shop-web@1.4.0', 'shop-web@2.0.0 -> production', 'rollback.yml dispatched for shop-web@1.4.0']) {
      expect(run.summary).toContain(text);
    }
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.message).toContain('rollback.yml dispatched');
    expect(error?.message).toContain('https://wiki.example/runbooks/rollback');
    expect(run.everything).not.toContain(GITHUB_TOKEN);
  });

  it('uses rollback-ref when given', async () => {
    const stub = await github({ branches: ['release/2'] });
    await runGate('crash-spike', { ...ACT, 'rollback-ref': 'release/2' }, { env: { GITHUB_API_URL: stub.url } });
    expect((dispatches(stub)[0]?.body as { ref: string }).ref).toBe('release/2');
  });

  it('a healthy release dispatches nothing', async () => {
    const stub = await github();
    const { run } = await runGate('healthy', { ...ACT, window: '6s' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.outputs.verdict).toBe('pass');
    expect(dispatches(stub)).toHaveLength(0);
  });

  it('a dry run reports what it would dispatch and dispatches nothing', async () => {
    const stub = await github();
    const { run } = await runGate('crash-spike', { ...ACT, 'dry-run': 'true' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.code).toBe(0);
    expect(dispatches(stub)).toHaveLength(0);
    expect(run.summary).toMatch(/dry run: would dispatch workflow rollback\.yml for shop-web@1\.4\.0/);
  });

  it('an inconclusive release dispatches nothing', async () => {
    const stub = await github();
    const { run } = await runGate('low-traffic', { ...ACT, window: '8s', 'on-inconclusive': 'fail' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(dispatches(stub)).toHaveLength(0);
  });

  for (const [status, pattern] of [
    [403, /actions: write/],
    [404, /not found/i],
    [422, /input|workflow_dispatch/i],
  ] as const) {
    it(`a ${status} from the dispatch is reported clearly and the job still fails for the health reason`, async () => {
      const stub = await github({ failDispatch: status });
      const { run } = await runGate('crash-spike', ACT, { env: { GITHUB_API_URL: stub.url } });
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      expect(run.outputs.reason).toMatch(/crash-free users/);
      const warning = run.annotations.find((a) => a.level === 'warning' && /Rollback dispatch failed/.test(a.message));
      expect(warning?.message).toMatch(pattern);
      const error = run.annotations.find((a) => a.level === 'error');
      expect(error?.message).toMatch(/Crash-free users below 97%/);
      expect(error?.message).toMatch(/FAILED/);
      expect(run.summary).toMatch(/roll back by hand to shop-web@1\.4\.0/);
      expect(run.everything).not.toContain(GITHUB_TOKEN);
    });
  }

  it('sets the GitHub deployment status to failure with the run URL', async () => {
    const stub = await github({ deployments: [77] });
    await runGate('crash-spike', { ...ACT, 'github-deployment-id': '77' }, { env: { GITHUB_API_URL: stub.url } });
    const status = stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/77/statuses');
    expect(status?.body).toMatchObject({ state: 'failure', log_url: 'https://github.example/acme/shop/actions/runs/4242/attempts/1', environment: 'production' });
  });

  it('sets the GitHub deployment status to success for a healthy release', async () => {
    const stub = await github({ deployments: [78] });
    await runGate('healthy', { ...ACT, window: '6s', 'github-deployment-id': '78' }, { env: { GITHUB_API_URL: stub.url } });
    const status = stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/78/statuses');
    expect(status?.body).toMatchObject({ state: 'success' });
  });
});
