import { afterEach, describe, expect, it } from 'vitest';
import { rateRatioLimit } from '../../src/gate/rate-ratio';
import { connectRollbar } from '../../src/sources/rollbar';
import type { Check, PollWindow, RegisterRequest } from '../../src/sources/types';
import { TrackerSetupError } from '../../src/sources/errors';
import { type RollbarStub, type RollbarStubOptions, startRollbarStub } from '../helpers/rollbar-stub';

const TOKEN = 'rb_read_write_token_1a2b3c4d';
const WRITE_ONLY = 'rb_w0nly_tkn_Q1W2E3R4';
const MIN = 60_000;
const now = () => Date.now();
const s = (ms: number) => Math.floor(ms / 1000);

const RATE: Check = {
  kind: 'ratio',
  id: 'error-rate-increase',
  label: 'error rate vs previous version',
  source: 'rollbar',
  maxBadRate: rateRatioLimit(2),
  absoluteMaxBadRate: rateRatioLimit(2),
  limitSource: 'absolute',
  units: { trials: 'errors', bad: 'after the deploy' },
  display: 'bad',
};
const NEW: Check = { kind: 'count', id: 'new-issues', label: 'new items', source: 'rollbar', maxUsers: 50 };

const stubs: RollbarStub[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(stubs.splice(0).map((x) => x.close()));
});

async function setup(over: Partial<RollbarStubOptions> = {}, token = TOKEN) {
  const stub = await startRollbarStub({
    tokens: { [TOKEN]: ['read', 'write'], [WRITE_ONLY]: ['post_server_item'] },
    deploys: [
      { id: 1, environment: 'production', revision: 'v0', status: 'succeeded', start_time: s(now() - 300 * MIN), finish_time: s(now() - 300 * MIN) },
      { id: 2, environment: 'production', revision: 'v1', status: 'succeeded', start_time: s(now() - 120 * MIN), finish_time: s(now() - 120 * MIN) },
      { id: 3, environment: 'staging', revision: 'v9', status: 'succeeded', start_time: s(now() - 30 * MIN), finish_time: s(now() - 30 * MIN) },
    ],
    ...over,
  });
  stubs.push(stub);
  const rollbar = connectRollbar(
    { token, url: stub.url, version: 'v2', environment: 'production' },
    { userAgent: 'rhg-test', minRetryDelayMs: 10, maxRetryDelayMs: 50, maxRetryTimeMs: 4_000, requestTimeoutMs: 2_000 },
  );
  closers.push(rollbar.close);
  return { stub, rollbar };
}

const request = (attempt = 1): RegisterRequest => ({
  version: 'v2',
  environment: 'production',
  startedAt: now() - 1_000,
  finishedAt: now(),
  repository: 'acme/shop',
  commit: 'f00dfacecafebeef0000000000000000000000aa',
  runUrl: `https://github.example/acme/shop/actions/runs/4242/attempts/${attempt}`,
});

describe('Rollbar registrar against the stub', () => {
  it('posts the deploy as started and patches it to succeeded, the token only in X-Rollbar-Access-Token', async () => {
    const { stub, rollbar } = await setup();
    const result = await rollbar.registrar.register(request());
    expect(result).toMatchObject({ created: true, deployCreated: true });
    const writes = stub.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/1/deploy', 'PATCH /api/1/deploy/1003']);
    expect(writes[0]!.body).toEqual({
      environment: 'production',
      revision: 'v2',
      local_username: 'release-health-gate',
      comment: 'Deployed by release-health-gate from https://github.example/acme/shop/actions/runs/4242',
      status: 'started',
    });
    expect(writes[1]!.body).toEqual({ status: 'succeeded' });
    expect(stub.requests.every((r) => r.token === 'valid' && !r.tokenElsewhere)).toBe(true);
    expect(stub.deploys[0]).toMatchObject({ revision: 'v2', status: 'succeeded' });
  });

  it('is idempotent: a re-run (another attempt) finds its deploy and posts nothing', async () => {
    const { stub, rollbar } = await setup();
    await rollbar.registrar.register(request(1));
    const again = await rollbar.registrar.register(request(2));
    expect(again).toMatchObject({ created: false, deployCreated: false });
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('finishes a deploy an interrupted run left started', async () => {
    const { stub, rollbar } = await setup();
    stub.deploys.unshift({
      id: 77,
      environment: 'production',
      revision: 'v2',
      comment: 'Deployed by release-health-gate from https://github.example/acme/shop/actions/runs/4242',
      status: 'started',
      start_time: s(now() - MIN),
    });
    await rollbar.registrar.register(request(2));
    expect(stub.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual(['PATCH /api/1/deploy/77']);
  });

  it('records the deploy while the read API is down (the re-run check is skipped, not the deploy)', async () => {
    const { stub, rollbar } = await setup({ outage: true });
    expect(await rollbar.registrar.register(request())).toMatchObject({ created: true });
    expect(stub.deploys[0]).toMatchObject({ revision: 'v2', status: 'succeeded' });
  });

  it("names the environment's previous deploy as the previous release", async () => {
    const { rollbar } = await setup();
    await rollbar.registrar.register(request());
    expect(await rollbar.registrar.previousRelease('v2', 'production')).toEqual({ version: 'v1', url: null });
  });

  it('a post_server_item token records the deploy (it cannot list deploys, so a re-run is not recognised)', async () => {
    const { stub, rollbar } = await setup({}, WRITE_ONLY);
    expect(await rollbar.registrar.register(request())).toMatchObject({ created: true });
    expect(stub.requests.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['POST', 'PATCH']);
  });

  it('a token without the read scope is one line naming rollbar-token and the scope when health is read, never the token', async () => {
    const { rollbar } = await setup({}, WRITE_ONLY);
    const error = await rollbar.health.poll([RATE], { since: now() - 5 * MIN, until: now(), settled: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toBe(
      'Rollbar refused listing deploys (HTTP 403: "insufficient privileges: read scope is required but the access token only has post_server_item"): rollbar-token lacks access; it must be a project access token with the read scope.',
    );
    expect((error as Error).message).not.toContain(WRITE_ONLY.slice(0, 8));
  });
});

describe('Rollbar health source against the stub', () => {
  const deployedAt = now() - 10 * MIN - 20_000;
  const windowAt = (): PollWindow => ({ since: deployedAt, until: now(), settled: true });

  it('counts errors in matched minutes after and before the deploy', async () => {
    const { rollbar } = await setup({ errorsPerMinute: (t) => (t >= deployedAt ? 40 : 10) });
    const poll = await rollbar.health.poll([RATE], windowAt());
    const obs = poll.observations['error-rate-increase'];
    expect(obs?.kind).toBe('ratio');
    const { n, k } = (obs as { counts: { n: number; k: number } }).counts;
    // m whole minutes after (9 or 10, as the minutes fall), the m before: 40 m after, 10 m before
    const m = n / 50;
    expect([9, 10]).toContain(m);
    expect(k).toBe(40 * m);
  });

  it('stops the before window at the previous deploy (older code ran before it)', async () => {
    const { stub, rollbar } = await setup({ errorsPerMinute: () => 10 });
    stub.deploys.push({
      id: 9,
      environment: 'production',
      revision: 'v1b',
      status: 'succeeded',
      start_time: s(deployedAt - 3 * MIN),
      finish_time: s(deployedAt - 3 * MIN),
    });
    const poll = await rollbar.health.poll([RATE], windowAt());
    // the whole minutes between the previous deploy and this one: 2 or 3, as they fall
    expect([40, 60]).toContain((poll.observations['error-rate-increase'] as { counts: { n: number } }).counts.n);
  });

  it('lists the items new in the version, their occurrences standing in for users', async () => {
    const { rollbar } = await setup({
      items: [
        { id: 11, counter: 301, title: 'NoMethodError: undefined method', total_occurrences: 120, version: 'v2' },
        { id: 12, counter: 302, title: 'old', total_occurrences: 5, version: 'v1' },
      ],
    });
    await rollbar.registrar.register(request());
    const poll = await rollbar.health.poll([NEW], windowAt());
    expect(poll.observations['new-issues']).toEqual({
      kind: 'count',
      items: [expect.objectContaining({ id: '11', shortId: '#301', title: 'NoMethodError: undefined method', userCount: 120, count: 120, scope: null })],
    });
  });

  it('a version Rollbar has not seen yet has no new items (its 404 is not a setup error)', async () => {
    const { rollbar } = await setup();
    const poll = await rollbar.health.poll([NEW], windowAt());
    expect(poll.observations['new-issues']).toEqual({ kind: 'count', items: [] });
  });

  it('waits out a 429 with its X-Rate-Limit headers', async () => {
    const { stub, rollbar } = await setup({ rateLimited: 1, errorsPerMinute: () => 10 });
    const poll = await rollbar.health.poll([RATE], windowAt());
    expect(poll.observations['error-rate-increase']).toBeDefined();
    expect(stub.requests.filter((r) => r.path === '/api/1/deploys')).toHaveLength(2);
  });

  it('a refused token is one line naming rollbar-token', async () => {
    const { rollbar } = await setup({}, 'rb_wrong_token_00000000');
    const error = await rollbar.health.poll([RATE, NEW], windowAt()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackerSetupError);
    expect((error as Error).message).toMatch(
      /^Rollbar rejected rollbar-token while (listing deploys|listing items new in the version) \(HTTP 401: "invalid access token"\): check rollbar-token; it must be a project access token with the read scope\.$/,
    );
  });

  it('an outage is an error the watch skips, not a setup error', async () => {
    const { rollbar } = await setup({ outage: true });
    const error = await rollbar.health.poll([RATE], windowAt()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TrackerSetupError);
  });
});

describe('Rollbar registrar outside Actions', () => {
  it('records a redeploy of a version deployed before (no run to match: never taken for a re-run)', async () => {
    const stub = await startRollbarStub({
      tokens: { [TOKEN]: ['read', 'write'] },
      deploys: [{ id: 1, environment: 'production', revision: 'v2', status: 'succeeded', start_time: s(now() - 600 * MIN), finish_time: s(now() - 600 * MIN) }],
    });
    stubs.push(stub);
    const rollbar = connectRollbar({ token: TOKEN, url: stub.url, version: 'v2', environment: 'production' }, { userAgent: 't' });
    closers.push(rollbar.close);
    const result = await rollbar.registrar.register({ ...request(), runUrl: null });
    expect(result.created).toBe(true);
    expect(result.deployFinishedAt).toBeGreaterThan(now() - MIN);
  });
});
