import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DispatchUnconfirmedError, dispatchRollback } from '../../src/github/dispatch';
import { GitHubError } from '../../src/github/client';
import { startGitHubStub, type GitHubStub, type GitHubStubOptions } from '../helpers/github-stub';
import { TOKEN } from './fixtures';

let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const inputs = { release: 'shop-web@9b07d3e', reason: 'crash-free users 97.8% < 99.5%' };

async function start(extra: Partial<GitHubStubOptions> = {}) {
  stub = await startGitHubStub({ token: TOKEN, workflows: ['deploy.yml', 'rollback.yml'], defaultBranch: 'trunk', ...extra });
  return { token: TOKEN, apiUrl: stub.url, owner: 'acme', repo: 'shop', workflow: 'rollback.yml', inputs };
}

async function failure(p: Promise<unknown>): Promise<GitHubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitHubError);
  const e = err as GitHubError;
  expect(e.message).not.toContain(TOKEN);
  expect(e.message).not.toContain('\n');
  return e;
}

describe('dispatchRollback', () => {
  it('posts the inputs and the given ref without looking up the repository', async () => {
    const opts = await start({ branches: ['release'] });
    expect(await dispatchRollback({ ...opts, ref: 'release' })).toEqual({ workflow: 'rollback.yml', ref: 'release' });
    expect(stub!.requests).toEqual([
      {
        method: 'POST',
        path: '/repos/acme/shop/actions/workflows/rollback.yml/dispatches',
        query: {},
        body: { ref: 'release', inputs },
        hasAuth: true,
      },
    ]);
  });

  it("defaults the ref to the repository's default branch", async () => {
    const opts = await start();
    expect(await dispatchRollback(opts)).toEqual({ workflow: 'rollback.yml', ref: 'trunk' });
    expect(stub!.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/shop',
      'POST /repos/acme/shop/actions/workflows/rollback.yml/dispatches',
    ]);
    expect(stub!.requests[1]!.body).toEqual({ ref: 'trunk', inputs });
  });

  it('accepts a numeric workflow id and an API URL with a trailing slash', async () => {
    const opts = await start();
    await dispatchRollback({ ...opts, apiUrl: `${opts.apiUrl}/`, workflow: '1001', ref: 'trunk' });
    expect(stub!.requests.map((r) => r.path)).toEqual(['/repos/acme/shop/actions/workflows/1001/dispatches']);
  });

  it('401: bad token', async () => {
    const opts = await start();
    const e = await failure(dispatchRollback({ ...opts, token: 'ghs_wrong', ref: 'trunk' }));
    expect(e.status).toBe(401);
    expect(e.message).toBe(
      'dispatching rollback workflow rollback.yml failed: GitHub rejected the token as bad credentials (HTTP 401); check the `github-token` input',
    );
  });

  it('403: names the `actions: write` permission', async () => {
    const opts = await start({ failDispatch: 403 });
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.status).toBe(403);
    expect(e.message).toBe(
      'dispatching rollback workflow rollback.yml failed: the token needs `actions: write`; ' +
        'set `permissions: { actions: write }` on the job or use a token that has it (HTTP 403: Resource not accessible by integration)',
    );
  });

  it('404: names the workflow that does not exist', async () => {
    const opts = await start();
    const e = await failure(dispatchRollback({ ...opts, workflow: 'rolback.yml', ref: 'trunk' }));
    expect(e.status).toBe(404);
    expect(e.message).toBe(
      'dispatching rollback workflow rolback.yml failed: workflow rolback.yml in acme/shop was not found, or the token cannot see it (HTTP 404)',
    );
  });

  it('404 on the default-branch lookup names the repository', async () => {
    const opts = await start();
    const e = await failure(dispatchRollback({ ...opts, repo: 'shopp' }));
    expect(e.message).toBe(
      'dispatching rollback workflow rollback.yml (looking up the default branch of acme/shopp) failed: ' +
        'repository acme/shopp was not found, or the token cannot see it (HTTP 404)',
    );
  });

  it('422: relays undeclared inputs and says where to declare them', async () => {
    const opts = await start({ workflowInputs: { 'rollback.yml': ['release'] } });
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.status).toBe(422);
    expect(e.message).toBe(
      'dispatching rollback workflow rollback.yml failed: GitHub refused the request (HTTP 422): ' +
        'Unexpected inputs provided: ["reason"]; declare every input under `on.workflow_dispatch.inputs` in the rollback workflow, or stop sending it',
    );
  });

  it('422: a workflow without a workflow_dispatch trigger', async () => {
    const opts = await start({ failDispatch: 422 });
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.message).toBe(
      'dispatching rollback workflow rollback.yml failed: GitHub refused the request (HTTP 422): ' +
        "Workflow does not have 'workflow_dispatch' trigger; add a `workflow_dispatch:` trigger to the workflow on trunk",
    );
  });

  it('422: an unknown ref points at rollback-ref', async () => {
    const opts = await start();
    const e = await failure(dispatchRollback({ ...opts, ref: 'nope' }));
    expect(e.message).toContain('(HTTP 422): No ref found for: nope; check `rollback-ref`');
  });

  it('429: rate limited, with when to retry', async () => {
    const opts = await start({ fail: { dispatch: 429 } });
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.message).toBe('dispatching rollback workflow rollback.yml failed: GitHub API rate limit exceeded (HTTP 429); retry after 60 s');
  });

  it('500: reports the status and GitHub message', async () => {
    const opts = await start({ fail: { dispatch: 500 } });
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.message).toBe('dispatching rollback workflow rollback.yml failed: GitHub returned an error (HTTP 500: Server Error)');
  });

  it('unreachable API: status 0 and a clear line', async () => {
    const opts = await start();
    await stub!.close();
    stub = undefined;
    const e = await failure(dispatchRollback({ ...opts, ref: 'trunk' }));
    expect(e.status).toBe(0);
    expect(e.message).toMatch(/^dispatching rollback workflow rollback\.yml failed: could not reach the GitHub API: .*ECONNREFUSED/);
  });

  it('a hung API times out instead of hanging the job', async () => {
    const server = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const started = Date.now();
      const e = await failure(
        dispatchRollback({ token: TOKEN, apiUrl, owner: 'acme', repo: 'shop', workflow: 'rollback.yml', ref: 'main', inputs, timeoutMs: 200 }),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(e.message).toMatch(/could not reach the GitHub API: .*time/i);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('dispatchRollback: a request sent without an answer', () => {
  it('a cancel while GitHub holds the dispatch says it was sent, answer not received', async () => {
    const opts = await start({ hang: ['dispatch'] });
    const abort = new AbortController();
    void stub!.arrived('dispatch').then(() => abort.abort(new Error('cancelled')));
    const started = Date.now();
    const err = await dispatchRollback({ ...opts, ref: 'trunk', signal: abort.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(DispatchUnconfirmedError);
    expect((err as Error).message).toBe('dispatch of rollback.yml on trunk sent, answer not received (the job was cancelled while waiting for GitHub)');
  });

  it('a timeout waiting for the answer is unconfirmed too', async () => {
    const opts = await start({ hang: ['dispatch'] });
    const err = await dispatchRollback({ ...opts, ref: 'trunk', timeoutMs: 300 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DispatchUnconfirmedError);
    expect((err as Error).message).toMatch(/^dispatch of rollback\.yml on trunk sent, answer not received \(.*timeout/);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('a refused connection never sent anything: a plain failure', async () => {
    const opts = await start();
    const url = stub!.url;
    await stub!.close();
    stub = undefined;
    const err = await failure(dispatchRollback({ ...opts, apiUrl: url, ref: 'trunk' }));
    expect(err).not.toBeInstanceOf(DispatchUnconfirmedError);
    expect(err.message).toMatch(/could not reach the GitHub API/);
  });

  it('an already cancelled run sends nothing', async () => {
    const opts = await start();
    const err = await failure(dispatchRollback({ ...opts, ref: 'trunk', signal: AbortSignal.abort() }));
    expect(err).not.toBeInstanceOf(DispatchUnconfirmedError);
    expect(stub!.requests).toEqual([]);
  });
});
