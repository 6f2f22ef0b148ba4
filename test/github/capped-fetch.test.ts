import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { githubClient, toGitHubError } from '../../src/github/client';
import { TOKEN } from './fixtures';

/** A GitHub API on loopback that answers every request with `size` bytes of JSON, honest about its length or not. */
async function hugeApi(size: number, opts: { contentLength: boolean; headers?: Record<string, string>; status?: number }) {
  let sent = 0;
  const server = createServer((req, res) => {
    res.writeHead(opts.status ?? 200, {
      'content-type': 'application/json',
      ...(opts.contentLength ? { 'content-length': String(size) } : {}),
      ...opts.headers,
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end();
    };
    res.on('error', () => undefined);
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get sent() {
      return sent;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('githubClient: answers are read up to a cap', () => {
  it.each([
    { contentLength: false, case: 'no Content-Length (chunked)' },
    { contentLength: true, case: 'an honest Content-Length' },
  ])('a 64 MiB answer with $case is refused without reading it whole', async ({ contentLength }) => {
    const api = await hugeApi(64 * 1024 * 1024, { contentLength });
    try {
      const octokit = await githubClient({ token: TOKEN, apiUrl: api.url, maxResponseBytes: 1024 * 1024 });
      const error = await octokit.rest.repos.get({ owner: 'acme', repo: 'shop' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).not.toBeNull();
      expect(toGitHubError(error, TOKEN, 'reading the repository').message).toMatch(/larger than 1 MiB/);
      // The server was stopped long before it sent its 64 MiB.
      expect(api.sent).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await api.close();
    }
  });

  it('a rate-limit reset no Date can hold is not printed as a time (and does not throw)', async () => {
    const api = await hugeApi(2, { contentLength: true, status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1e300' } });
    try {
      const octokit = await githubClient({ token: TOKEN, apiUrl: api.url });
      const error = await octokit.rest.repos.get({ owner: 'acme', repo: 'shop' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(toGitHubError(error, TOKEN, 'reading the repository').message).toBe('reading the repository failed: GitHub API rate limit exceeded (HTTP 403)');
    } finally {
      await api.close();
    }
  });
});
