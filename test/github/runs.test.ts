import { afterEach, describe, expect, it } from 'vitest';
import { findRollbackRun } from '../../src/github/runs';
import { GitHubError } from '../../src/github/client';
import { startGitHubStub, type GitHubStub, type StubRun } from '../helpers/github-stub';
import { TOKEN } from './fixtures';

let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const DEPLOYED = Date.parse('2026-11-26T12:00:00.500Z');
const at = (minutes: number) => new Date(DEPLOYED + minutes * 60_000).toISOString();

async function find(runs: StubRun[], extra: { fail?: 403 } = {}) {
  stub = await startGitHubStub({ token: TOKEN, workflows: ['deploy.yml', 'rollback.yml'], runs, ...(extra.fail ? { fail: { runs: extra.fail } } : {}) });
  return findRollbackRun({ token: TOKEN, apiUrl: stub.url, owner: 'acme', repo: 'shop', workflow: 'rollback.yml', since: DEPLOYED, release: 'shop-web@2.0.0' });
}

const run = (r: Partial<StubRun>): StubRun => ({ workflow: 'rollback.yml', status: 'queued', conclusion: null, createdAt: at(1), ...r });

describe('findRollbackRun', () => {
  it('asks GitHub for workflow_dispatch runs created since the deploy, in whole seconds', async () => {
    expect(await find([])).toBeNull();
    expect(stub!.requests[0]).toMatchObject({
      method: 'GET',
      path: '/repos/acme/shop/actions/workflows/rollback.yml/runs',
      query: { event: 'workflow_dispatch', created: '>=2026-11-26T12:00:00Z', per_page: '50' },
    });
  });

  it('finds a queued, running or succeeded run since the deploy', async () => {
    for (const [r, status] of [
      [run({ status: 'queued' }), 'queued'],
      [run({ status: 'in_progress' }), 'in_progress'],
      [run({ status: 'completed', conclusion: 'success' }), 'success'],
    ] as const) {
      expect(await find([r])).toMatchObject({ status, url: 'https://github.com/acme/shop/actions/runs/9000' });
      await stub!.close();
      stub = undefined;
    }
  });

  it('ignores runs that did not roll back, runs before the deploy, and other workflows', async () => {
    expect(
      await find([
        run({ status: 'completed', conclusion: 'failure' }),
        run({ status: 'completed', conclusion: 'cancelled' }),
        run({ createdAt: at(-5) }),
        run({ workflow: 'deploy.yml' }),
      ]),
    ).toBeNull();
  });

  it('ignores a run whose run-name names another release; takes one that names this one', async () => {
    expect(await find([run({ displayTitle: 'Roll back production to shop-web@1.3.0 (from shop-web@1.9.9)' })])).toBeNull();
    await stub!.close();
    stub = undefined;
    expect(await find([run({ displayTitle: 'Roll back shop-web@2.0.0 in production' })])).not.toBeNull();
  });

  it('a 403 names the permission', async () => {
    const err = await find([], { fail: 403 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitHubError);
    expect((err as Error).message).toMatch(/actions: read/);
  });
});
