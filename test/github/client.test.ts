import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { describeGitHubError, githubClient, toGitHubError } from '../../src/github/client';
import { startGitHubStub } from '../helpers/github-stub';
import { TOKEN } from './fixtures';

describe('githubClient', () => {
  it('talks to the given API URL, whatever GITHUB_API_URL the toolkit saw', async () => {
    // Read by the toolkit when it first loads, which is inside githubClient in this worker.
    vi.stubEnv('GITHUB_API_URL', 'http://127.0.0.1:9');
    const stub = await startGitHubStub({ token: TOKEN, defaultBranch: 'trunk' });
    try {
      const octokit = await githubClient({ token: TOKEN, apiUrl: stub.url });
      const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'shop' });
      expect(data.default_branch).toBe('trunk');
      expect(stub.requests).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
      await stub.close();
    }
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ default_branch: 'x' }), { headers: { 'content-type': 'application/json' } });
    };
    const octokit = await githubClient({ token: TOKEN, apiUrl: 'https://ghe.example/api/v3', fetch: fake });
    await octokit.rest.repos.get({ owner: 'acme', repo: 'shop' });
    expect(seen).toEqual(['https://ghe.example/api/v3/repos/acme/shop']);
  });
});

describe('describeGitHubError', () => {
  it('keeps the message of errors that are not HTTP errors', () => {
    expect(describeGitHubError(new Error('boom'), 'doing x')).toBe('doing x failed: boom');
  });

  it('scrubs the token even if an error carries it', () => {
    const e = toGitHubError(new Error(`proxy said Authorization: token ${TOKEN}`), TOKEN, 'doing x');
    expect(e.message).toBe('doing x failed: proxy said Authorization: token ***');
    expect(e.status).toBe(0);
  });
});

describe('src/github', () => {
  it('loads @actions/github only lazily (type-only static imports)', () => {
    const dir = join(import.meta.dirname, '../../src/github');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const statics = [...text.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+['"]@actions\/github['"]/gm)];
      expect(statics.map((m) => `${file}: ${m[0].trim()}`)).toEqual([]);
    }
  });
});
