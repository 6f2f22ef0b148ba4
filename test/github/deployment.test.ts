import { afterEach, describe, expect, it } from 'vitest';
import { findNewerDeployment, setDeploymentStatus } from '../../src/github/deployment';
import { GitHubError } from '../../src/github/client';
import { startGitHubStub, type GitHubStub } from '../helpers/github-stub';
import { TOKEN } from './fixtures';

let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const target = (url: string) => ({ token: TOKEN, apiUrl: url, owner: 'acme', repo: 'shop' });

describe('setDeploymentStatus', () => {
  it('posts state, description, log URL and environment to the deployment', async () => {
    stub = await startGitHubStub({ token: TOKEN, deployments: [42] });
    await setDeploymentStatus({
      ...target(stub.url),
      deploymentId: 42,
      state: 'failure',
      description: 'Crash-free users 97.8% < 99.5%',
      logUrl: 'https://github.com/acme/shop/actions/runs/1',
      environment: 'production',
    });
    expect(stub.requests).toEqual([
      {
        method: 'POST',
        path: '/repos/acme/shop/deployments/42/statuses',
        query: {},
        body: {
          state: 'failure',
          description: 'Crash-free users 97.8% < 99.5%',
          log_url: 'https://github.com/acme/shop/actions/runs/1',
          environment: 'production',
        },
        hasAuth: true,
      },
    ]);
  });

  it('sends no log_url or environment when not given', async () => {
    stub = await startGitHubStub({ token: TOKEN });
    await setDeploymentStatus({ ...target(stub.url), deploymentId: 7, state: 'success', description: 'healthy' });
    expect(stub.requests[0]!.body).toEqual({ state: 'success', description: 'healthy' });
  });

  it('truncates the description to 140 characters without splitting an emoji', async () => {
    stub = await startGitHubStub({ token: TOKEN });
    const description = `${'x'.repeat(138)}🔥🔥 and more`;
    await setDeploymentStatus({ ...target(stub.url), deploymentId: 7, state: 'error', description });
    const sent = (stub.requests[0]!.body as { description: string }).description;
    expect(Array.from(sent)).toHaveLength(140);
    expect(sent).toBe(`${'x'.repeat(138)}🔥…`);
  });

  it('403 names `deployments: write`', async () => {
    stub = await startGitHubStub({ token: TOKEN, fail: { deploymentStatus: 403 } });
    const err = (await setDeploymentStatus({ ...target(stub.url), deploymentId: 7, state: 'failure', description: 'x' }).catch(
      (e: unknown) => e,
    )) as GitHubError;
    expect(err).toBeInstanceOf(GitHubError);
    expect(err.message).toContain('setting the status of deployment 7 in acme/shop to failure failed: the token needs `deployments: write`');
    expect(err.message).not.toContain(TOKEN);
  });

  it('404 names the deployment', async () => {
    stub = await startGitHubStub({ token: TOKEN, deployments: [42] });
    const err = (await setDeploymentStatus({ ...target(stub.url), deploymentId: 41, state: 'failure', description: 'x' }).catch(
      (e: unknown) => e,
    )) as GitHubError;
    expect(err.status).toBe(404);
    expect(err.message).toBe(
      'setting the status of deployment 41 in acme/shop to failure failed: deployment 41 in acme/shop was not found, or the token cannot see it (HTTP 404)',
    );
  });

  it("flattens GitHub's multi-line 422 message into one line", async () => {
    stub = await startGitHubStub({ token: TOKEN });
    const err = (await setDeploymentStatus({ ...target(stub.url), deploymentId: 7, state: 'bogus' as never, description: 'x' }).catch(
      (e: unknown) => e,
    )) as GitHubError;
    expect(err.status).toBe(422);
    expect(err.message).toBe(
      'setting the status of deployment 7 in acme/shop to bogus failed: GitHub refused the request (HTTP 422): ' +
        'Invalid request. "bogus" is not a member of ["error","failure","inactive","in_progress","queued","pending","success"].',
    );
  });
});

describe('findNewerDeployment', () => {
  const ours = { id: 7, sha: 'a'.repeat(40), environment: 'production', createdAt: '2026-11-26T12:00:00Z', states: ['success'] };

  it("reads the deployment, lists its environment's deployments, and reads the newest status of a newer one", async () => {
    const newer = {
      id: 9,
      sha: 'b'.repeat(40),
      ref: 'v2.0.1',
      environment: 'production',
      createdAt: '2026-11-26T12:30:00Z',
      states: ['in_progress', 'success'],
    };
    stub = await startGitHubStub({ token: TOKEN, deploymentList: [ours, newer] });
    expect(await findNewerDeployment({ ...target(stub.url), deploymentId: 7 })).toEqual({
      id: 9,
      ref: 'v2.0.1',
      sha: 'b'.repeat(40),
      environment: 'production',
      createdAt: '2026-11-26T12:30:00Z',
      state: 'success',
    });
    expect(stub.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`)).toEqual([
      'GET /repos/acme/shop/deployments/7 {}',
      'GET /repos/acme/shop/deployments {"environment":"production","per_page":"30"}',
      'GET /repos/acme/shop/deployments/9/statuses {"per_page":"1"}',
    ]);
  });

  it('a newer deployment that was replaced (inactive) or failed does not count', async () => {
    stub = await startGitHubStub({
      token: TOKEN,
      deploymentList: [
        ours,
        { ...ours, id: 8, sha: 'c'.repeat(40), createdAt: '2026-11-26T12:10:00Z', states: ['success', 'inactive'] },
        { ...ours, id: 9, sha: 'd'.repeat(40), createdAt: '2026-11-26T12:20:00Z', states: ['error'] },
      ],
    });
    expect(await findNewerDeployment({ ...target(stub.url), deploymentId: 7 })).toBeNull();
  });

  it('a deployment the token cannot see names the permission', async () => {
    stub = await startGitHubStub({ token: TOKEN, deploymentList: [ours], fail: { deployments: 403 } });
    const err = await findNewerDeployment({ ...target(stub.url), deploymentId: 7 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitHubError);
    expect((err as Error).message).toMatch(/deployments: read/);
  });
});
