import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { runAction } from '../helpers/action';
import { actionOf, dispatches, rollbackGitHub } from '../helpers/rollback-stub';
import { fakePrometheus, one } from '../sources/prometheus/fake-prometheus';

/**
 * A gate on metrics alone records no deploy in any tracker, so a re-run of an
 * old failed gate had nothing to tell it a fix went out since. The deployment
 * GitHub creates for this commit's deploy job (`environment:`) stands for the
 * run's deploy: a later live deployment of other code holds the rollback.
 */
const GITHUB_TOKEN = 'ghs_Mq4t8Wn2Xc7Lp5Zr1Kd9Vb3Hy6Fj0Ts';
const SHA = 'f00dfacecafebeef0000000000000000000000aa'; // GITHUB_SHA of runAction
const CHECKS = `
- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total[$__range]))
  max: 2%
`;
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const ours = { id: 77, sha: SHA, environment: 'production', createdAt: ago(30), states: ['success'] };
const fix = { id: 78, sha: 'b'.repeat(40), ref: 'main', environment: 'production', createdAt: ago(5), states: ['success'] };
// a later job of the same commit (a re-run of a job with `environment:`), a fix that failed to deploy, another environment: none replaced it
const notNewer = [
  { id: 79, sha: SHA, environment: 'production', createdAt: ago(2), states: ['in_progress'] },
  { id: 80, sha: 'c'.repeat(40), environment: 'production', createdAt: ago(2), states: ['failure'] },
  { id: 81, sha: 'd'.repeat(40), environment: 'staging', createdAt: ago(2), states: ['success'] },
];

type Cleanup = (fn: OnTestFinishedHandler) => void;

async function gate(cleanup: Cleanup, github: Parameters<typeof rollbackGitHub>[2]) {
  const stub = await rollbackGitHub(cleanup, GITHUB_TOKEN, github);
  // Half the requests fail: a release the gate must fail.
  const prom = await fakePrometheus((q) => one(q.includes('5..') ? 500 : 1000));
  cleanup(() => prom.close());
  const run = await runAction({
    inputs: {
      release: 'shop-web@2.0.0',
      environment: 'production',
      'prometheus-url': prom.url,
      checks: CHECKS,
      window: '6s',
      interval: '2s',
      'initial-delay': '0s',
      settle: '0s',
      'rollback-workflow': 'rollback.yml',
      'github-token': GITHUB_TOKEN,
    },
    env: { GITHUB_API_URL: stub.url },
    timeoutMs: 60_000,
  });
  return { run, stub };
}

describe.concurrent('a gate on metrics alone never rolls back a newer fix (bundled action, Prometheus and GitHub stubs)', () => {
  it("a later live deployment of other code to the environment than this commit's holds the rollback, and the job does not fail", async ({
    onTestFinished,
  }) => {
    const { run, stub } = await gate(onTestFinished, { deploymentList: [ours, fix, ...notNewer] });
    expect(run.outputs.verdict, run.stdout).toBe('fail');
    expect(actionOf(run)).toMatchObject({ kind: 'superseded' });
    expect(dispatches(stub)).toHaveLength(0);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      /No rollback: main@bbbbbbb \(GitHub deployment 78, success\) was deployed to production at .*, after shop-web@2\.0\.0 \(GitHub\)/,
    );
  });

  it('deployments of the same commit, failed ones and other environments do not: the rollback is dispatched', async ({ onTestFinished }) => {
    const { run, stub } = await gate(onTestFinished, { deploymentList: [ours, ...notNewer] });
    expect(run.code, run.stdout).toBe(1);
    expect(actionOf(run)).toMatchObject({ kind: 'dispatched' });
    expect(dispatches(stub)).toHaveLength(1);
  });

  it('a token without deployments: read does not hold the rollback (as before this check), and the log says what it could not rule out', async ({
    onTestFinished,
  }) => {
    const { run, stub } = await gate(onTestFinished, { deploymentList: [ours, fix], fail: { deployments: 403 } });
    expect(run.code, run.stdout).toBe(1);
    expect(dispatches(stub)).toHaveLength(1);
    expect(run.stdout).toMatch(
      /::notice::Could not read GitHub's deployments to production to rule out a newer deploy \(.*403.*\); give the job deployments: read/,
    );
    expect(run.everything).not.toContain(GITHUB_TOKEN.slice(4, 12));
  });
});
