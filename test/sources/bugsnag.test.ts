import { afterEach, describe, expect, it } from 'vitest';
import { connectBugsnag } from '../../src/sources/bugsnag';
import type { Check, PollWindow, RegisterRequest } from '../../src/sources/types';
import { TrackerSetupError } from '../../src/sources/errors';
import { type BugsnagStub, type BugsnagStubOptions, startBugsnagStub } from '../helpers/bugsnag-stub';

const API_KEY = '0123456789abcdef0123456789abcdef';
const TOKEN = 'bsg-personal-token-7f3a9c1e';
const PROJECT = '5f1e2d3c4b5a69788796a5b4';
const HOUR = 3_600_000;

const CHECKS: Check[] = [
  {
    kind: 'ratio',
    id: 'crash-free-sessions',
    label: 'crash-free sessions',
    source: 'bugsnag',
    maxBadRate: 0.01,
    absoluteMaxBadRate: 0.01,
    limitSource: 'absolute',
    units: { trials: 'sessions', bad: 'crashed' },
    display: 'good',
  },
  {
    kind: 'ratio',
    id: 'crash-free-users',
    label: 'crash-free users',
    source: 'bugsnag',
    maxBadRate: 0.03,
    absoluteMaxBadRate: 0.03,
    limitSource: 'absolute',
    units: { trials: 'users', bad: 'crashed' },
    display: 'good',
  },
  { kind: 'count', id: 'new-issues', label: 'new issues', source: 'bugsnag', maxUsers: 10 },
  { kind: 'count', id: 'other-source', label: 'not mine', source: 'sentry', maxUsers: 1 },
];

const stubs: BugsnagStub[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function setup(over: Partial<BugsnagStubOptions> = {}, token = TOKEN) {
  const stub = await startBugsnagStub({
    apiKey: API_KEY,
    token: TOKEN,
    projectId: PROJECT,
    releases: [
      { version: 'v1', releasedAt: Date.now() - 48 * HOUR, sessions: 90_000, unhandledSessions: 90, users: 9_000, usersWithUnhandled: 40 },
      { version: 'v0', releasedAt: Date.now() - 96 * HOUR, sessions: 10, unhandledSessions: 0 },
      { version: 'v1-staging', stage: 'staging', releasedAt: Date.now() - HOUR, sessions: 10, unhandledSessions: 0 },
    ],
    newReleaseHealth: { sessions: 5_000, unhandledSessions: 4, users: 800, usersWithUnhandled: 2 },
    ...over,
  });
  stubs.push(stub);
  const bugsnag = connectBugsnag(
    { apiKey: API_KEY, token, projectId: PROJECT, url: stub.url, buildUrl: stub.url, version: 'v2', environment: 'production' },
    { userAgent: 'rhg-test', minRetryDelayMs: 10, maxRetryDelayMs: 50, maxRetryTimeMs: 4_000, requestTimeoutMs: 2_000 },
  );
  closers.push(bugsnag.close);
  return { stub, bugsnag };
}

const request = (attempt = 1): RegisterRequest => ({
  version: 'v2',
  environment: 'production',
  startedAt: Date.now() - 1_000,
  finishedAt: Date.now(),
  repository: 'acme/shop',
  commit: 'f00dfacecafebeef0000000000000000000000aa',
  runUrl: `https://github.example/acme/shop/actions/runs/4242/attempts/${attempt}`,
});
const window = (): PollWindow => ({ since: Date.now() - 60_000, until: Date.now(), settled: false });

describe('Bugsnag registrar against the stub', () => {
  it('records the build with the Build API exactly as documented, the key in the body and no auth header', async () => {
    const { stub, bugsnag } = await setup();
    const result = await bugsnag.registrar.register(request());
    expect(result).toMatchObject({ created: true, deployCreated: true });
    const posts = stub.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/');
    expect(posts[0]!.authorization).toBe('missing');
    expect(posts[0]!.body).toEqual({
      apiKey: API_KEY,
      appVersion: 'v2',
      releaseStage: 'production',
      builderName: 'release-health-gate',
      sourceControl: { provider: 'github', repository: 'https://github.com/acme/shop', revision: 'f00dfacecafebeef0000000000000000000000aa' },
      metadata: { workflow_run: 'https://github.example/acme/shop/actions/runs/4242/attempts/1', deployed_at: expect.any(String) },
      autoAssignRelease: true,
    });
    // The Data Access API is asked with the token and X-Version: 2.
    for (const r of stub.requests.filter((x) => x.method === 'GET')) expect([r.authorization, r.xVersion]).toEqual(['valid', '2']);
  });

  it('is idempotent: a re-run of the job (another attempt) finds its build and posts nothing', async () => {
    const { stub, bugsnag } = await setup();
    await bugsnag.registrar.register(request(1));
    const again = await bugsnag.registrar.register(request(2));
    expect(again).toMatchObject({ created: false, deployCreated: false });
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('records the build while the Data Access API is down', async () => {
    const { stub, bugsnag } = await setup({ outage: true });
    expect(await bugsnag.registrar.register(request())).toMatchObject({ created: true });
    expect(stub.builds).toHaveLength(1);
  });

  it("names the stage's previous release group as the previous release", async () => {
    const { bugsnag } = await setup();
    await bugsnag.registrar.register(request());
    expect(await bugsnag.registrar.previousRelease('v2', 'production')).toEqual({ version: 'v1', url: null });
  });

  it('a wrong API key is one line naming bugsnag-api-key, without the key', async () => {
    const stub = await startBugsnagStub({ apiKey: 'f'.repeat(32), token: TOKEN, projectId: PROJECT });
    stubs.push(stub);
    const b = connectBugsnag(
      { apiKey: API_KEY, token: null, projectId: null, url: stub.url, buildUrl: stub.url, version: 'v2', environment: 'production' },
      { userAgent: 't' },
    );
    closers.push(b.close);
    const error = await b.registrar.register(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toBe(
      'Bugsnag rejected bugsnag-api-key while recording the build (HTTP 401: "Invalid API key"): check bugsnag-api-key; it must be the project\'s notifier API key (Project settings → Notifier API key).',
    );
  });
});

describe('Bugsnag health source against the stub', () => {
  it('reads crash-free sessions and users from the release group, and errors introduced with their users', async () => {
    const { bugsnag } = await setup({
      errors: [
        { id: 'e1', errorClass: 'TypeError', message: 'x is undefined', users: 3, events: 9, introducedIn: 'v2' },
        { id: 'e2', errorClass: 'RangeError', message: 'bad', users: 30, events: 40, introducedIn: 'v2' },
        { id: 'e3', errorClass: 'Old', message: 'from v1', users: 500, events: 900, introducedIn: 'v1' },
      ],
    });
    await bugsnag.registrar.register(request());
    const poll = await bugsnag.health!.poll(CHECKS, window());
    expect(poll.observations['crash-free-sessions']).toEqual({ kind: 'ratio', counts: { n: 5_000, k: 4 } });
    expect(poll.observations['crash-free-users']).toEqual({ kind: 'ratio', counts: { n: 800, k: 2 } });
    const issues = poll.observations['new-issues'];
    expect(issues).toEqual({
      kind: 'count',
      items: [
        {
          id: 'e2',
          shortId: 'e2',
          title: 'RangeError: bad',
          userCount: 30,
          scope: null,
          culprit: null,
          permalink: null,
          project: '',
          count: 40,
          firstSeen: expect.stringMatching(/^\d{4}-/),
        },
        {
          id: 'e1',
          shortId: 'e1',
          title: 'TypeError: x is undefined',
          userCount: 3,
          scope: null,
          culprit: null,
          permalink: null,
          project: '',
          count: 9,
          firstSeen: expect.stringMatching(/^\d{4}-/),
        },
      ],
    });
    expect(poll.totals).toMatchObject({ sessions: 5_000, crashedSessions: 4, users: 800, crashedUsers: 2 });
    expect(poll.observations['other-source']).toBeUndefined();
  });

  it('sees a crash spike in the counts', async () => {
    const { stub, bugsnag } = await setup();
    await bugsnag.registrar.register(request());
    const release = stub.releases.find((r) => r.version === 'v2')!;
    release.unhandledSessions = 900;
    const poll = await bugsnag.health!.poll(CHECKS, window());
    expect(poll.observations['crash-free-sessions']).toEqual({ kind: 'ratio', counts: { n: 5_000, k: 900 } });
  });

  it('says why a check has no data before the release group exists', async () => {
    const { bugsnag } = await setup();
    const poll = await bugsnag.health!.poll(CHECKS.slice(0, 1), window());
    expect(poll.observations).toEqual({});
    expect(poll.missing?.['crash-free-sessions']).toMatch(/no release group for this version in production yet/);
  });

  it('follows Link pages on the same host, and never one that points elsewhere', async () => {
    const errors = Array.from({ length: 5 }, (_, i) => ({ id: `e${i}`, errorClass: 'E', message: `m${i}`, users: 10 - i, events: 1, introducedIn: 'v2' }));
    const { stub, bugsnag } = await setup({ errors, maxPerPage: 2 });
    const poll = await bugsnag.health!.poll([CHECKS[2]!], window());
    expect(poll.observations['new-issues']).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id: 'e4' })]) });
    expect(stub.requests.filter((r) => r.path.endsWith('/errors'))).toHaveLength(3);
  });

  it('waits out a 429 with Retry-After and reads on', async () => {
    const { stub, bugsnag } = await setup({ rateLimited: 1 });
    const started = Date.now();
    await bugsnag.registrar.register(request());
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a refused token is one clear line naming bugsnag-token, never the token', async () => {
    const { bugsnag } = await setup({}, 'bsg-wrong-token-0000');
    const error = await bugsnag.health!.poll(CHECKS, window()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    const message = (error as Error).message;
    expect(message).toBe(
      'Bugsnag rejected bugsnag-token while listing release groups (HTTP 401: "Unauthorized: the auth token is invalid"): check bugsnag-token; it must be a personal auth token of a user with access to the project.',
    );
    expect(message.split('\n')).toHaveLength(1);
  });

  it('an outage is an error the watch skips (not a setup error), after a bounded number of tries', async () => {
    const { stub, bugsnag } = await setup({ outage: true });
    const error = await bugsnag.health!.poll(CHECKS, window()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrackerSetupError);
    expect(stub.requests.length).toBeLessThanOrEqual(6);
  });
});

describe('Bugsnag registrar outside Actions', () => {
  it('records a rebuild of a version built before (no run to match: never taken for a re-run)', async () => {
    const { stub, bugsnag } = await setup();
    await bugsnag.registrar.register({ ...request(), runUrl: null });
    const again = await bugsnag.registrar.register({ ...request(), runUrl: null });
    expect(again.created).toBe(true);
    expect(stub.builds).toHaveLength(2);
  });
});
