import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import type { GitHubStub } from '../helpers/github-stub';
import { runGate, SENTRY_TOKEN } from '../helpers/gate';
import { actionOf, dispatches, rollbackGitHub } from '../helpers/rollback-stub';

// Random-looking, as real tokens are: any 8 characters in a row of a secret are redacted, so a word in it would be too.
const GITHUB_TOKEN = 'ghs_Rb7e2eQx9Lm4Za7Wc1Vd8Nf6Hy2Kp3';

type Cleanup = (fn: OnTestFinishedHandler) => void;

const github = (cleanup: Cleanup, extra: Parameters<typeof rollbackGitHub>[2] = {}) => rollbackGitHub(cleanup, GITHUB_TOKEN, extra);

const ACT = {
  'rollback-workflow': 'rollback.yml',
  'github-token': GITHUB_TOKEN,
  'runbook-url': 'https://wiki.example/runbooks/rollback',
  'dashboard-url': 'https://grafana.example/d/shop',
};

describe.concurrent('rollback dispatch and the alert (bundled action, GitHub stub on loopback)', () => {
  it('a failing release dispatches the rollback workflow exactly once, with the previous release, using the given token', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished);
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
    for (const text of [
      'Runbook:  https://wiki.example/runbooks/rollback',
      'Dashboard: https://grafana.example/d/shop',
      'Previous: shop-web@1.4.0',
      'shop-web@2.0.0 -> production',
      'rollback.yml dispatched for shop-web@1.4.0',
    ]) {
      expect(run.summary).toContain(text);
    }
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.message).toContain('rollback.yml dispatched');
    expect(error?.message).toContain('https://wiki.example/runbooks/rollback');
    expect(run.everything).not.toContain(GITHUB_TOKEN);
  });

  it('uses rollback-ref when given', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished, { branches: ['release/2'] });
    await runGate('crash-spike', { ...ACT, 'rollback-ref': 'release/2' }, { env: { GITHUB_API_URL: stub.url } });
    expect((dispatches(stub)[0]?.body as { ref: string }).ref).toBe('release/2');
  });

  it('a healthy release dispatches nothing', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished);
    const { run } = await runGate('healthy', { ...ACT, window: '6s' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.outputs.verdict).toBe('pass');
    expect(dispatches(stub)).toHaveLength(0);
  });

  it('a dry run reports what it would dispatch and dispatches nothing', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished);
    const { run } = await runGate('crash-spike', { ...ACT, 'dry-run': 'true' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.code).toBe(0);
    expect(dispatches(stub)).toHaveLength(0);
    expect(run.summary).toMatch(/dry run: would dispatch workflow rollback\.yml for shop-web@1\.4\.0/);
  });

  it('an inconclusive release dispatches nothing', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished);
    const { run } = await runGate('low-traffic', { ...ACT, window: '8s', 'on-inconclusive': 'fail' }, { env: { GITHUB_API_URL: stub.url } });
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(dispatches(stub)).toHaveLength(0);
  });

  for (const [status, pattern] of [
    [403, /actions: write/],
    [404, /not found/i],
    [422, /input|workflow_dispatch/i],
  ] as const) {
    it(`a ${status} from the dispatch is reported clearly and the job still fails for the health reason`, async ({ onTestFinished }) => {
      const stub = await github(onTestFinished, { failDispatch: status });
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

  it('sets the GitHub deployment status to failure with the run URL', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished, { deployments: [77] });
    await runGate('crash-spike', { ...ACT, 'github-deployment-id': '77' }, { env: { GITHUB_API_URL: stub.url } });
    const status = stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/77/statuses');
    expect(status?.body).toMatchObject({
      state: 'failure',
      log_url: 'https://github.example/acme/shop/actions/runs/4242/attempts/1',
      environment: 'production',
    });
  });

  it('sets the GitHub deployment status to success for a healthy release', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished, { deployments: [78] });
    await runGate('healthy', { ...ACT, window: '6s', 'github-deployment-id': '78' }, { env: { GITHUB_API_URL: stub.url } });
    const status = stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/78/statuses');
    expect(status?.body).toMatchObject({ state: 'success' });
  });
});

/** The Sentry API of the local tracker, as another workflow (or a person) would call it. */
// Deploys below carry their own dateFinished, to the millisecond as the action sends it:
// the local tracker's default is whole seconds, which can sort before the watched deploy.
async function sentryPost(tracker: LocalTracker, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${tracker.url}/api/0/organizations/acme${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SENTRY_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
}

async function tracker(cleanup: Cleanup, scenario: string) {
  const t = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
  cleanup(() => t.close());
  return t;
}

const RUNS = 'https://github.example/acme/shop/actions/runs';

describe.concurrent('re-runs find their own deploy (bundled action, local tracker)', () => {
  it('run 4242 does not adopt the deploy of run 42421', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'healthy');
    const projects = t.scenario.projectSlugs;
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    await sentryPost(t, '/releases/', { version: 'shop-web@2.0.0', projects });
    await sentryPost(t, '/releases/shop-web%402.0.0/deploys/', { environment: 'production', url: `${RUNS}/42421/attempts/1`, dateFinished: earlier, projects });
    const { run } = await runGate('healthy', { gate: 'false' }, { tracker: t, env: { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '2' } });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/Deploy to production: recorded at/);
    const deploys = t.state.releases.get('shop-web@2.0.0')!.deploys;
    expect(deploys.map((d) => d.url)).toEqual([`${RUNS}/42421/attempts/1`, `${RUNS}/4242/attempts/2`]);
  });

  it('a later attempt of the same run adopts the deploy its first attempt recorded', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'healthy');
    const projects = t.scenario.projectSlugs;
    await sentryPost(t, '/releases/', { version: 'shop-web@2.0.0', projects });
    await sentryPost(t, '/releases/shop-web%402.0.0/deploys/', { environment: 'production', url: `${RUNS}/4242/attempts/1`, projects });
    const { run } = await runGate('healthy', { gate: 'false' }, { tracker: t, env: { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '3' } });
    expect(run.stdout).toMatch(/Deploy to production: already recorded by this run/);
    expect(t.state.releases.get('shop-web@2.0.0')!.deploys).toHaveLength(1);
  });
});

/** A cancel must not wait out a GitHub call: the runner kills the step 7.5 s after it signals. */
const EXIT_WITHIN_MS = 2_000;
const afterSigint = (run: { durationMs: number; sigintAtMs?: number }) => run.durationMs - (run.sigintAtMs ?? Infinity);

// Not concurrent: a timing promise, measured with no other action of this file starting beside it.
describe('cancel while a GitHub call is in flight (bundled action, hanging GitHub stub)', () => {
  it('listing commits: exits within 2 s of SIGINT and still writes the summary', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished, { hang: ['compare'] });
    const { run } = await runGate(
      'healthy',
      { ...ACT, 'set-commits': 'github' },
      { env: { GITHUB_API_URL: stub.url }, sigintWhen: stub.arrived('compare'), timeoutMs: 50_000 },
    );
    expect(run.sigintAtMs, run.stdout).toBeDefined();
    expect(afterSigint(run), run.stdout).toBeLessThan(EXIT_WITHIN_MS);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('inconclusive');
    expect(run.summary).toMatch(/cancelled/);
    expect(
      run.annotations.some((a) => a.level === 'warning' && /No commits associated: listing commits .* stopped: the job was cancelled/.test(a.message)),
      run.stdout,
    ).toBe(true);
    expect(dispatches(stub)).toHaveLength(0);
  });

  it('dispatching: exits within 2 s of SIGINT and says the dispatch was sent with no answer, not that it failed', async ({ onTestFinished }) => {
    const stub = await github(onTestFinished, { hang: ['dispatch'] });
    const { run } = await runGate('crash-spike', ACT, { env: { GITHUB_API_URL: stub.url }, sigintWhen: stub.arrived('dispatch'), timeoutMs: 50_000 });
    expect(run.sigintAtMs, run.stdout).toBeDefined();
    expect(afterSigint(run), run.stdout).toBeLessThan(EXIT_WITHIN_MS);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(dispatches(stub)).toHaveLength(1);
    expect(run.summary).toMatch(/rollback\.yml: dispatch sent, answer not received \(the job was cancelled/);
    expect(run.summary).not.toMatch(/FAILED/);
    const error = run.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/dispatch sent, answer not received/);
    expect(run.everything).not.toContain(GITHUB_TOKEN);
  });
});

describe.concurrent('never roll back a newer fix, never roll back twice (bundled action, local tracker, GitHub stub)', () => {
  it('re-running an old failed gate after a newer release was deployed dispatches nothing and says why', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    const stub = await github(onTestFinished);
    const env = { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: '777' };
    const first = await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '1' } });
    expect(first.run.outputs.verdict, first.run.stdout).toBe('fail');
    expect(dispatches(stub)).toHaveLength(1);

    // the team ships the fix
    const projects = t.scenario.projectSlugs;
    await sentryPost(t, '/releases/', { version: 'shop-web@2.0.1', projects });
    await sentryPost(t, '/releases/shop-web%402.0.1/deploys/', {
      environment: 'production',
      url: `${RUNS}/778/attempts/1`,
      dateFinished: new Date().toISOString(),
      projects,
    });

    const again = await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    // the verdict stands in the report; nothing is dispatched
    expect(again.run.outputs.verdict).toBe('fail');
    expect(again.run.outputs.healthy).toBe('false');
    // The job does not fail: a rollback job behind `if: failure()` would replace the fix.
    expect(again.run.code, again.run.stdout).toBe(0);
    expect(dispatches(stub)).toHaveLength(1);
    expect(actionOf(again.run)).toMatchObject({ kind: 'superseded', newerRelease: 'shop-web@2.0.1' });
    expect(again.run.summary).toMatch(/no rollback: shop-web@2\.0\.1 was deployed to production after this release/);
    expect(again.run.summary).not.toMatch(/roll back by hand/);
    expect(again.run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const warning = again.run.annotations.find((a) => a.level === 'warning' && /no longer live/.test(a.message));
    expect(warning?.message).toMatch(/shop-web@2\.0\.1 was deployed to production after it .*the job does not fail and nothing is rolled back/);
  });

  it('a dry-run re-run after a newer deploy does not claim it would roll back', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    const stub = await github(onTestFinished);
    const projects = t.scenario.projectSlugs;
    const env = { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: '779' };
    const dry = { ...ACT, 'dry-run': 'true' };
    const first = await runGate('crash-spike', dry, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '1' } });
    expect(first.run.summary).toMatch(/would dispatch/);
    await sentryPost(t, '/releases/', { version: 'shop-web@2.0.1', projects });
    await sentryPost(t, '/releases/shop-web%402.0.1/deploys/', { environment: 'production', dateFinished: new Date().toISOString(), projects });
    const { run } = await runGate('crash-spike', dry, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    expect(run.outputs.verdict).toBe('fail');
    expect(run.summary, run.stdout).toMatch(/no rollback: shop-web@2\.0\.1 was deployed to production/);
    expect(run.summary).not.toMatch(/would dispatch/);
    expect(dispatches(stub)).toHaveLength(0);
  });

  it('a release deployed again after its rollback is live again: its re-run dispatches', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    const stub = await github(onTestFinished, { dispatchedRun: { status: 'completed', conclusion: 'failure' } });
    const projects = t.scenario.projectSlugs;
    const env = { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: '900' };
    await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '1' } });
    // rolled back to 1.4.0, then 2.0.0 deployed again by hand
    await sentryPost(t, '/releases/shop-web%401.4.0/deploys/', { environment: 'production', dateFinished: new Date().toISOString(), projects });
    await sentryPost(t, '/releases/shop-web%402.0.0/deploys/', { environment: 'production', dateFinished: new Date().toISOString(), projects });
    const again = await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    expect(actionOf(again.run)).toMatchObject({ kind: 'dispatched' });
    expect(dispatches(stub)).toHaveLength(2);
  });

  it("two gates on the same release: the second finds the first one's rollback run and does not dispatch again", async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    // Both gates watch the release at once, and whichever decides first dispatches. Started 1.5 s apart
    // and left to race, under load both could look for a rollback run before either had dispatched (two
    // dispatches), or the first could dispatch before the second had recorded its deploy (a rollback
    // older than that deploy rightly does not count). So the looks wait on conditions, not timers:
    // each waits until both deploys are recorded, and the second also until the stub has the dispatch.
    const until = async (done: () => boolean) => {
      for (let waited = 0; !done() && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    };
    let looks = 0;
    const stub: GitHubStub = await github(onTestFinished, {
      before: async (route) => {
        if (route !== 'runs') return;
        const nth = looks++;
        await until(() => (t.state.releases.get('shop-web@2.0.0')?.deploys.length ?? 0) >= 2);
        if (nth > 0) await until(() => stub.runs.length > 0);
      },
    });
    const gateRun = (runId: string, delayMs: number) =>
      new Promise((r) => setTimeout(r, delayMs)).then(() =>
        runGate('crash-spike', ACT, { tracker: t, env: { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: runId } }),
      );
    const [a, b] = await Promise.all([gateRun('801', 0), gateRun('802', 1_500)]);
    expect([a.run.outputs.verdict, b.run.outputs.verdict]).toEqual(['fail', 'fail']);
    expect(looks).toBe(2);
    expect(t.state.releases.get('shop-web@2.0.0')?.deploys).toHaveLength(2);
    expect(dispatches(stub)).toHaveLength(1);
    // whichever decides first dispatches (under load it may be the later one)
    const [first, second] = actionOf(a.run).kind === 'dispatched' ? [a, b] : [b, a];
    expect(actionOf(first.run)).toMatchObject({ kind: 'dispatched' });
    expect(actionOf(second.run)).toMatchObject({ kind: 'already-dispatched', status: 'queued' });
    expect(second.run.summary).toMatch(
      /no second rollback: rollback\.yml already runs for this deploy \(queued\): https:\/\/github\.com\/acme\/shop\/actions\/runs\/9000/,
    );
  });

  it('a rollback run that failed does not stop the next attempt from dispatching again', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    const stub = await github(onTestFinished, { dispatchedRun: { status: 'completed', conclusion: 'failure' } });
    const env = { GITHUB_API_URL: stub.url, GITHUB_RUN_ID: '950' };
    await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '1' } });
    const again = await runGate('crash-spike', ACT, { tracker: t, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    expect(actionOf(again.run)).toMatchObject({ kind: 'dispatched' });
    expect(dispatches(stub)).toHaveLength(2);
  });

  it('when Sentry cannot say what is live, nothing is dispatched and the alert says to check before rolling back by hand', async ({ onTestFinished }) => {
    const t = await tracker(onTestFinished, 'crash-spike');
    const stub = await github(onTestFinished);
    const { run } = await runGate('crash-spike', ACT, {
      tracker: t,
      env: { GITHUB_API_URL: stub.url },
      // the releases list breaks once the watch has begun
      before: () => {
        const timer = setInterval(() => {
          if (!t.requests.some((r) => r.path.endsWith('/sessions/'))) return;
          clearInterval(timer);
          t.faults.add({ method: 'GET', path: /\/organizations\/acme\/releases\/$/, status: 502, times: Infinity });
        }, 20);
        onTestFinished(() => clearInterval(timer));
      },
    });
    expect(run.outputs.verdict).toBe('fail');
    expect(run.code).toBe(1);
    expect(dispatches(stub)).toHaveLength(0);
    expect(actionOf(run)).toMatchObject({ kind: 'held' });
    expect(run.summary, run.stdout).toMatch(
      /no rollback dispatched: could not confirm that shop-web@2\.0\.0 is still the newest deploy to production \(.*502.*\) — if shop-web@2\.0\.0 is still live in production, roll back by hand to shop-web@1\.4\.0/,
    );
  });

  describe('GitHub deployments, when the run names its deployment', () => {
    const SHA = 'f00dfacecafebeef0000000000000000000000aa'; // GITHUB_SHA of runAction
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const ours = { id: 77, sha: SHA, environment: 'production', createdAt: ago(10), states: ['success'] };
    // a later job of the same workflow with the same `environment:`, and a fix that failed to deploy: neither replaced it
    const notNewer = [
      { id: 79, sha: SHA, environment: 'production', createdAt: ago(1), states: ['in_progress'] },
      { id: 80, sha: 'c'.repeat(40), environment: 'production', createdAt: ago(1), states: ['failure'] },
      { id: 81, sha: 'd'.repeat(40), environment: 'staging', createdAt: ago(1), states: ['success'] },
    ];

    it('a later deployment of other code to the environment stops the rollback', async ({ onTestFinished }) => {
      const fix = { id: 78, sha: 'b'.repeat(40), ref: 'main', environment: 'production', createdAt: ago(2), states: ['success'] };
      const stub = await github(onTestFinished, { deploymentList: [ours, fix, ...notNewer] });
      const { run } = await runGate('crash-spike', { ...ACT, 'github-deployment-id': '77' }, { env: { GITHUB_API_URL: stub.url } });
      expect(run.outputs.verdict).toBe('fail');
      expect(dispatches(stub)).toHaveLength(0);
      expect(run.summary, run.stdout).toMatch(/no rollback: main@bbbbbbb \(GitHub deployment 78, success\) was deployed to production after this release/);
      // the verdict still lands on the watched deployment
      expect(stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/shop/deployments/77/statuses')?.body).toMatchObject({ state: 'failure' });
    });

    it('deployments of the same code, failed ones and other environments do not', async ({ onTestFinished }) => {
      const stub = await github(onTestFinished, { deploymentList: [ours, ...notNewer] });
      const { run } = await runGate('crash-spike', { ...ACT, 'github-deployment-id': '77' }, { env: { GITHUB_API_URL: stub.url } });
      expect(run.outputs.verdict).toBe('fail');
      expect(actionOf(run), run.stdout).toMatchObject({ kind: 'dispatched' });
      expect(dispatches(stub)).toHaveLength(1);
    });
  });
});
