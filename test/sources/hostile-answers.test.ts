import { afterEach, describe, expect, it } from 'vitest';
import { connectBugsnag } from '../../src/sources/bugsnag';
import { connectRollbar } from '../../src/sources/rollbar';
import type { Check, PollWindow } from '../../src/sources/types';
import { TrackerAnswerError, TrackerSetupError } from '../../src/sources/errors';
import { startBugsnagStub } from '../helpers/bugsnag-stub';
import { startRollbarStub } from '../helpers/rollbar-stub';

/* Server bytes are hostile: an error body that echoes the token (escaped, too), carries line breaks and a forged workflow command, or counts that cannot be. */

const BS_TOKEN = 'bsg-7f3a9c1e-d00d-4b2a-9e11';
const RB_TOKEN = 'rb_read_write_token_1a2b3c4d';
const PROJECT = '5f1e2d3c4b5a69788796a5b4';
const HTTP = { userAgent: 't', minRetryDelayMs: 10, maxRetryDelayMs: 20, maxRetryTimeMs: 2_000, requestTimeoutMs: 2_000 };
const window: PollWindow = { since: Date.now() - 600_000, until: Date.now(), settled: true };
const SESSIONS: Check = {
  kind: 'ratio',
  id: 'crash-free-sessions',
  label: 'crash-free sessions',
  source: 'bugsnag',
  maxBadRate: 0.01,
  absoluteMaxBadRate: 0.01,
  limitSource: 'absolute',
  units: { trials: 'sessions', bad: 'crashed' },
  display: 'good',
};
const NEW: Check = { kind: 'count', id: 'new-issues', label: 'new issues', source: 'rollbar', maxUsers: 1 };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const echo = (token: string) =>
  JSON.stringify({
    errors: [`bad token ${token} \\u0062${token.slice(1)}\n::error::forged ${token.split('').join('\u200b')}`],
    err: 1,
    message: `bad token ${token}\r\n::error::forged`,
  });

function expectSafe(message: string, token: string) {
  expect(message.split(/\r|\n/)).toHaveLength(1);
  expect(message).not.toMatch(/(^|\s)::error::/);
  for (let i = 0; i + 8 <= token.length; i++) expect(message).not.toContain(token.slice(i, i + 8));
}

describe('hostile answers', () => {
  it('Bugsnag: a 401 body echoing the token and a forged command is one safe line', async () => {
    const stub = await startBugsnagStub({ apiKey: 'a'.repeat(32), token: BS_TOKEN, projectId: PROJECT, answer: () => ({ status: 401, body: echo(BS_TOKEN) }) });
    closers.push(() => stub.close());
    const b = connectBugsnag(
      { apiKey: null, token: BS_TOKEN, projectId: PROJECT, url: stub.url, buildUrl: stub.url, version: 'v2', environment: 'production' },
      HTTP,
    );
    closers.push(b.close);
    const error = await b.health!.poll([SESSIONS], window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expectSafe((error as Error).message, BS_TOKEN);
  });

  it('Rollbar: a 403 body echoing the token and a forged command is one safe line', async () => {
    const stub = await startRollbarStub({
      tokens: { [RB_TOKEN]: ['read'] },
      answer: (method) => (method === 'GET' ? { status: 403, body: echo(RB_TOKEN) } : null),
    });
    closers.push(() => stub.close());
    const r = connectRollbar({ token: RB_TOKEN, url: stub.url, version: 'v2', environment: 'production' }, HTTP);
    closers.push(r.close);
    const error = await r.health.poll([NEW], window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expectSafe((error as Error).message, RB_TOKEN);
  });

  it('Bugsnag: more crashed sessions than sessions is a broken answer (the poll is skipped), not health data', async () => {
    const stub = await startBugsnagStub({
      apiKey: 'a'.repeat(32),
      token: BS_TOKEN,
      projectId: PROJECT,
      releases: [{ version: 'v2', releasedAt: Date.now(), sessions: 10, unhandledSessions: 11 }],
    });
    closers.push(() => stub.close());
    const b = connectBugsnag(
      { apiKey: null, token: BS_TOKEN, projectId: PROJECT, url: stub.url, buildUrl: stub.url, version: 'v2', environment: 'production' },
      HTTP,
    );
    closers.push(b.close);
    await expect(b.health!.poll([SESSIONS], window)).rejects.toBeInstanceOf(TrackerAnswerError);
  });

  it('Bugsnag: counts that go down between polls are a broken answer', async () => {
    const stub = await startBugsnagStub({
      apiKey: 'a'.repeat(32),
      token: BS_TOKEN,
      projectId: PROJECT,
      releases: [{ version: 'v2', releasedAt: Date.now(), sessions: 100, unhandledSessions: 1 }],
    });
    closers.push(() => stub.close());
    const b = connectBugsnag(
      { apiKey: null, token: BS_TOKEN, projectId: PROJECT, url: stub.url, buildUrl: stub.url, version: 'v2', environment: 'production' },
      HTTP,
    );
    closers.push(b.close);
    await b.health!.poll([SESSIONS], window);
    stub.releases[0]!.sessions = 50;
    await expect(b.health!.poll([SESSIONS], window)).rejects.toBeInstanceOf(TrackerAnswerError);
  });

  it('Rollbar: negative or fractional counts fail the schema (an outage-like skipped poll), never count', async () => {
    const stub = await startRollbarStub({
      tokens: { [RB_TOKEN]: ['read'] },
      answer: (_m, path) =>
        path === '/api/1/versions/v2/items'
          ? { status: 200, body: JSON.stringify({ err: 0, result: { items: [{ id: 1, title: 'x', total_occurrences: -5 }] } }) }
          : null,
      items: [{ id: 1, counter: 1, title: 'x', total_occurrences: 1, version: 'v2' }],
    });
    closers.push(() => stub.close());
    const r = connectRollbar({ token: RB_TOKEN, url: stub.url, version: 'v2', environment: 'production' }, HTTP);
    closers.push(r.close);
    const error = await r.health.poll([NEW], window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toMatch(/unexpected response/);
  });
});
