import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import type { Verdict } from '../../src/gate/types';
import { DispatchUnconfirmedError } from '../../src/github/dispatch';
import { act } from '../../src/act/rollback';
import type { Log } from '../../src/pipeline/log';
import type { GitHubPort } from '../../src/pipeline/run';
import { actionText } from '../../src/report/alert';
import type { RunReport } from '../../src/report/types';
import type { NewerDeploy, ReleaseInfo, Tracker } from '../../src/sources/sentry/types';

const FAIL: Verdict = {
  outcome: 'fail',
  reason: 'crash-free users 92% is below the 97% limit',
  decidedAt: 0,
  check: 'crash-free-users',
  project: null,
  evaluations: [],
};
const PREVIOUS: ReleaseInfo = { version: 'shop-web@1.4.0', dateCreated: '', dateReleased: null, lastCommitId: null, projects: ['shop-web'] };
const DEPLOYED = Date.parse('2026-11-26T12:00:00Z');

function setup(opts: { inputs?: Partial<Record<InputName, string>>; newer?: () => Promise<NewerDeploy | null>; github?: Partial<GitHubPort> } = {}) {
  const raw: Partial<Record<InputName, string>> = {
    'sentry-auth-token': 'sntrys_act_test',
    'sentry-org': 'acme',
    'sentry-projects': 'shop-web',
    release: 'shop-web@2.0.0',
    'rollback-workflow': 'rollback.yml',
    ...opts.inputs,
  };
  const config = loadConfig((name) => raw[name], {});
  const warnings: string[] = [];
  const log: Log = { info() {}, notice() {}, warning: (m) => void warnings.push(m), group: (_t, fn) => fn() };
  const newerDeploy = vi.fn(opts.newer ?? (async () => null));
  const github = {
    pushBefore: null,
    listCommits: null,
    dispatchRollback: vi.fn(async () => ({ workflow: 'rollback.yml', ref: 'main' })),
    findRollbackRun: vi.fn(async () => null),
    ...opts.github,
  } satisfies GitHubPort;
  const deps = { tracker: { newerDeploy } as unknown as Tracker, github, clock: { now: () => DEPLOYED, sleep: async () => {} }, log };
  const run = (verdict: Verdict = FAIL) => act(config, deps, verdict, PREVIOUS, false, DEPLOYED);
  return { run, github, newerDeploy, warnings };
}

const text = (action: RunReport['action']) =>
  actionText({ action, verdict: FAIL, previousRelease: 'shop-web@1.4.0', release: 'shop-web@2.0.0', environment: 'production' } as RunReport);

describe('act: before a rollback is dispatched', () => {
  it('asks Sentry from the watched deploy on, then the rollback runs since it, then dispatches', async () => {
    const { run, github, newerDeploy } = setup();
    expect(await run()).toEqual({ kind: 'dispatched', workflow: 'rollback.yml', ref: 'main', previousRelease: 'shop-web@1.4.0' });
    expect(newerDeploy).toHaveBeenCalledWith(expect.objectContaining({ version: 'shop-web@2.0.0', environment: 'production', after: DEPLOYED }));
    expect(github.findRollbackRun).toHaveBeenCalledWith(DEPLOYED, 'shop-web@2.0.0');
    expect(github.dispatchRollback).toHaveBeenCalledTimes(1);
  });

  it('without a rollback workflow, a newer deploy still keeps the alert from sending anyone to roll back by hand', async () => {
    const { run } = setup({
      inputs: { 'rollback-workflow': '' },
      newer: async () => ({ version: 'shop-web@2.0.1', dateFinished: '2026-11-26T12:30:00.000Z' }),
    });
    const action = await run();
    expect(action).toEqual({ kind: 'superseded', workflow: null, newerRelease: 'shop-web@2.0.1', deployedAt: '2026-11-26T12:30:00.000Z' });
    expect(text(action)).toBe(
      'no rollback: shop-web@2.0.1 was deployed to production after this release (2026-11-26T12:30:00.000Z); rolling back would replace it',
    );
  });

  it('a newer GitHub deployment counts when Sentry knows of none', async () => {
    const { run, github } = setup({
      github: { newerDeployment: async () => ({ name: 'main@bbbbbbb (GitHub deployment 78, success)', at: '2026-11-26T12:10:00Z' }) },
    });
    expect(await run()).toMatchObject({ kind: 'superseded', newerRelease: 'main@bbbbbbb (GitHub deployment 78, success)' });
    expect(github.dispatchRollback).not.toHaveBeenCalled();
  });

  it('when Sentry cannot answer, nothing is dispatched', async () => {
    const { run, github, warnings } = setup({ newer: async () => Promise.reject(new Error('GET /releases/ returned HTTP 502')) });
    const action = await run();
    expect(action).toMatchObject({ kind: 'held' });
    expect(github.dispatchRollback).not.toHaveBeenCalled();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^No rollback dispatched: could not confirm that shop-web@2\.0\.0 is still the newest deploy to production \(GET \/releases\/ returned HTTP 502\)/,
      ),
    ]);
  });

  it('when the rollback runs cannot be listed, it dispatches anyway and says so: a second rollback to the same release does less harm than none', async () => {
    const { run, github, warnings } = setup({ github: { findRollbackRun: async () => Promise.reject(new Error('HTTP 403')) } });
    expect(await run()).toMatchObject({ kind: 'dispatched' });
    expect(github.dispatchRollback).toHaveBeenCalledTimes(1);
    expect(warnings).toEqual(['Could not check for a rollback already running (HTTP 403); dispatching.']);
  });

  it('a dispatch sent without an answer is reported as such, not as a failure', async () => {
    const { run } = setup({
      github: { dispatchRollback: async () => Promise.reject(new DispatchUnconfirmedError('rollback.yml', 'main', 'timed out after 30 s')) },
    });
    const action = await run();
    expect(action).toEqual({
      kind: 'dispatch-unconfirmed',
      workflow: 'rollback.yml',
      ref: 'main',
      previousRelease: 'shop-web@1.4.0',
      error: 'timed out after 30 s',
    });
    expect(text(action)).toMatch(/^rollback workflow rollback\.yml: dispatch sent, answer not received \(timed out after 30 s\) — check the Actions tab/);
    expect(text(action)).not.toMatch(/FAILED/);
  });
});

describe('act: before a pass resolves on-call incidents', () => {
  const PASS: Verdict = { ...FAIL, outcome: 'pass', reason: 'healthy' };
  const newer = async (): Promise<NewerDeploy> => ({ version: 'shop-web@2.0.1', dateFinished: '2026-11-26T12:05:00Z' }) as NewerDeploy;

  it('a pass with a resolving notifier asks for a newer deploy: one found makes the pass superseded (nothing resolved)', async () => {
    const { run, github } = setup({ inputs: { 'pagerduty-routing-key': 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E' }, newer });
    expect(await run(PASS)).toEqual({ kind: 'superseded', workflow: null, newerRelease: 'shop-web@2.0.1', deployedAt: '2026-11-26T12:05:00.000Z' });
    expect(github.dispatchRollback).not.toHaveBeenCalled();
  });

  it('without PagerDuty or Alertmanager a pass asks nothing; an unanswered question resolves as before, with a warning', async () => {
    const quiet = setup({ newer });
    expect(await quiet.run(PASS)).toEqual({ kind: 'none', why: 'verdict pass' });
    expect(quiet.newerDeploy).not.toHaveBeenCalled();
    const down = setup({ inputs: { 'alertmanager-url': 'http://127.0.0.1:9093' }, newer: async () => Promise.reject(new Error('HTTP 503')) });
    expect(await down.run(PASS)).toEqual({ kind: 'none', why: 'verdict pass' });
    expect(down.warnings).toEqual([
      expect.stringMatching(
        /^Could not confirm that shop-web@2\.0\.0 is still the newest deploy to production \(HTTP 503\); resolving on-call incidents anyway\.$/,
      ),
    ]);
  });
});
