import { afterEach, describe, expect, it } from 'vitest';
import { listCommitsBetween } from '../../src/github/commits';
import { GitHubError } from '../../src/github/client';
import { startGitHubStub, type GitHubStub } from '../helpers/github-stub';
import { TOKEN, history, sha } from './fixtures';

let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const target = (url: string) => ({ token: TOKEN, apiUrl: url, owner: 'acme', repo: 'shop' });

describe('listCommitsBetween', () => {
  it('lists exactly the commits after base up to head, newest first, mapped for Sentry', async () => {
    const commits = history(6);
    commits[3]!.files = [
      { filename: 'new.ts', status: 'added' },
      { filename: 'gone.ts', status: 'removed' },
      { filename: 'moved.ts', status: 'renamed' },
    ];
    stub = await startGitHubStub({ token: TOKEN, commits });
    const out = await listCommitsBetween({ ...target(stub.url), base: sha(1), head: sha(4) });

    expect(out.map((c) => c.id)).toEqual([sha(4), sha(3), sha(2)]);
    expect(out[1]).toEqual({
      id: sha(3),
      repository: 'acme/shop',
      message: 'change 3\n\nbody of change 3',
      author_name: 'Dev 3',
      author_email: 'dev3@example.com',
      timestamp: '2026-01-02T00:03:00.000Z',
    });
    // The range's files (commits 2..4, not 1 or 5) ride on the head commit only.
    expect(out[0]!.patch_set).toEqual([
      { path: 'src/file2.ts', type: 'M' },
      { path: 'new.ts', type: 'A' },
      { path: 'gone.ts', type: 'D' },
      { path: 'moved.ts', type: 'M' },
      { path: 'src/file4.ts', type: 'M' },
    ]);
    expect(out[2]!.patch_set).toBeUndefined();

    expect(stub.requests).toEqual([
      {
        method: 'GET',
        path: `/repos/acme/shop/compare/${sha(1)}...${sha(4)}`,
        query: { per_page: '100', page: '1' },
        body: null,
        hasAuth: true,
      },
    ]);
  });

  it('pages through ranges longer than one page and beyond the 250-commit unpaged cap', async () => {
    stub = await startGitHubStub({ token: TOKEN, commits: history(300) });
    const out = await listCommitsBetween({ ...target(stub.url), base: sha(0), head: sha(270) });

    expect(out).toHaveLength(270);
    expect(out.map((c) => c.id)).toEqual(Array.from({ length: 270 }, (_, i) => sha(270 - i)));
    expect(stub.requests.map((r) => r.query.page)).toEqual(['1', '2', '3']);
  });

  it('keeps the newest `max` commits and skips the pages that hold only older ones', async () => {
    stub = await startGitHubStub({ token: TOKEN, commits: history(260) });
    const out = await listCommitsBetween({ ...target(stub.url), base: sha(0), head: sha(250), max: 20 });

    expect(out.map((c) => c.id)).toEqual(Array.from({ length: 20 }, (_, i) => sha(250 - i)));
    // 250 commits: page 3 holds the newest 50; page 1 is still needed for the total and the files.
    expect(stub.requests.map((r) => r.query.page)).toEqual(['1', '3']);
    expect(out[0]!.patch_set).toHaveLength(250);
  });

  it('returns nothing when base and head are the same commit', async () => {
    stub = await startGitHubStub({ token: TOKEN, commits: history(3) });
    expect(await listCommitsBetween({ ...target(stub.url), base: sha(2), head: sha(2) })).toEqual([]);
  });

  it('says which commit GitHub does not know when base is unknown (404)', async () => {
    stub = await startGitHubStub({ token: TOKEN, commits: history(3) });
    const unknown = 'f'.repeat(40);
    const err = await listCommitsBetween({ ...target(stub.url), base: unknown, head: sha(2) }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(GitHubError);
    expect((err as GitHubError).status).toBe(404);
    expect((err as GitHubError).message).toBe(
      `listing commits ${unknown}...${sha(2)} in acme/shop failed: commit ${unknown} or ${sha(2)} in acme/shop ` +
        `was not found, or the token cannot see it (HTTP 404); a force push may have removed ${unknown}, or it may belong to another repository`,
    );
  });

  it('names the `contents: read` permission on 403', async () => {
    stub = await startGitHubStub({ token: TOKEN, commits: history(3), fail: { compare: 403 } });
    const err = (await listCommitsBetween({ ...target(stub.url), base: sha(0), head: sha(2) }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('the token needs `contents: read`');
    expect(err.message).toContain('(HTTP 403: Resource not accessible by integration)');
    expect(err.message).not.toContain(TOKEN);
  });
});
