/**
 * The local tracker's Bugsnag and Rollbar servers keep the time they are given, as the
 * demo's simulated clock runs it: a build, a deploy and the counts are dated by it.
 */
import { afterEach, expect, it } from 'vitest';
import { startBugsnagStub } from '../../../src/local-tracker/vendors/bugsnag';
import { startRollbarStub } from '../../../src/local-tracker/vendors/rollbar';

const NOW = Date.parse('2031-05-04T10:00:30Z');
const MIN = 60_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

it('bugsnag: a build creates a release group dated by the clock, with the counts healthAt gives as of then', async () => {
  let now = NOW;
  const server = await startBugsnagStub({
    apiKey: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    token: 't0k3n-abc',
    projectId: '5f1e2d3c4b5a69788796a5b4',
    now: () => now,
    healthAt: (r, at) => ({ sessions: Math.round((at - r.releasedAt) / MIN) * 100, unhandledSessions: 7 }),
  });
  open.push(server);
  const post = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: 'c0ffee00c0ffee00c0ffee00c0ffee00', appVersion: 'v2', releaseStage: 'production' }),
  });
  expect(post.status).toBe(200);
  now += 3 * MIN;
  const res = await fetch(`${server.url}/projects/5f1e2d3c4b5a69788796a5b4/release_groups?release_stage_name=production`, {
    headers: { authorization: 'token t0k3n-abc', 'x-version': '2' },
  });
  const [group] = (await res.json()) as Record<string, unknown>[];
  expect(group).toMatchObject({ app_version: 'v2', first_released_at: new Date(NOW).toISOString(), total_sessions_count: 300, unhandled_sessions_count: 7 });
});

it('rollbar: a deploy is dated by the clock, and occurrence counts run to the minute before it', async () => {
  const server = await startRollbarStub({
    tokens: { 'rb-token-1': ['read', 'write'] },
    now: () => NOW,
    errorsPerMinute: (t) => (t >= NOW - 2 * MIN ? 40 : 10),
  });
  open.push(server);
  const headers = { 'content-type': 'application/json', 'x-rollbar-access-token': 'rb-token-1' };
  const post = await fetch(`${server.url}/api/1/deploy`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ environment: 'production', revision: 'v2', status: 'started' }),
  });
  expect(post.status).toBe(200);
  expect(server.deploys[0]).toMatchObject({ revision: 'v2', start_time: Math.floor(NOW / 1000) });
  const res = await fetch(`${server.url}/api/1/reports/occurrence_counts?environment=production&bucket_size=60`, { headers });
  const { result } = (await res.json()) as { result: [number, number][] };
  expect(result.at(-1)).toEqual([(Math.floor(NOW / MIN) - 1) * 60, 40]);
  expect(result.at(-3)).toEqual([(Math.floor(NOW / MIN) - 3) * 60, 10]);
});
