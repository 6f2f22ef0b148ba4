import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from '../helpers/action';
import { startBugsnagStub } from '../helpers/bugsnag-stub';
import { startRollbarStub } from '../helpers/rollbar-stub';

/*
 * The deploy time and the baseline asked through the tracker ports
 * (Registrar.deployTime, HealthSource.baseline), by the bundled action
 * against the Bugsnag and Rollbar stubs.
 */

const API_KEY = '0123456789abcdef0123456789abcdef';
const BS_TOKEN = 'bsg-7f3a9c1e-d00d-4b2a-9e11';
const PROJECT = '5f1e2d3c4b5a69788796a5b4';
const RB_TOKEN = 'rb_read_write_token_1a2b3c4d';
const MIN = 60_000;
const HOUR = 60 * MIN;
const FAST = { window: '4s', interval: '2s', 'initial-delay': '0s', settle: '0s' };

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const s = (ms: number) => Math.floor(ms / 1000);

async function rollbar(deploysOfV2: { start: number; status?: string }[]) {
  const stub = await startRollbarStub({
    tokens: { [RB_TOKEN]: ['read', 'write'] },
    deploys: [
      { id: 1, environment: 'production', revision: 'v1', status: 'succeeded', start_time: s(Date.now() - 5 * HOUR), finish_time: s(Date.now() - 5 * HOUR) },
      ...deploysOfV2.map((d, i) => ({
        id: 10 + i,
        environment: 'production',
        revision: 'v2',
        status: d.status ?? 'succeeded',
        start_time: s(d.start),
        finish_time: s(d.start),
      })),
    ],
    errorsPerMinute: () => 10,
  });
  open.push(stub);
  return stub;
}

const rollbarInputs = (url: string, more: Record<string, string> = {}) => ({
  tracker: 'rollbar',
  'rollbar-token': RB_TOKEN,
  'rollbar-url': url,
  release: 'v2',
  'max-error-rate-increase': '2x',
  'max-new-issue-users': '100',
  register: 'false',
  ...FAST,
  ...more,
});

/** When the run's report says the watched deploy finished. */
const deployOf = (run: ActionRun) =>
  (JSON.parse(readFileSync(run.outputs['report-path'] ?? '', 'utf8')) as { deployFinishedAt: string | null }).deployFinishedAt;

describe.concurrent('deploy time through Registrar.deployTime (register: false)', () => {
  it("Rollbar: the watch counts from the release's deploy in Rollbar, not from the start of the job", async () => {
    const deployedAt = s(Date.now() - 10 * MIN) * 1000;
    const stub = await rollbar([
      { start: deployedAt },
      // A hostile or skewed server's deploy dated two days ahead has not happened; a failed one never ran.
      { start: Date.now() + 48 * HOUR },
      { start: Date.now() - 2 * MIN, status: 'failed' },
    ]);
    const result = await runAction({ inputs: rollbarInputs(stub.url) });
    expect(result.code, result.stdout).toBe(0);
    expect(deployOf(result)).toBe(new Date(deployedAt).toISOString());
    expect(result.stdout).not.toMatch(/has no deploy/);
  });

  it('Rollbar with no deploy of the release: one warning, and the watch counts from now', async () => {
    const stub = await rollbar([]);
    const before = Date.now();
    const result = await runAction({ inputs: rollbarInputs(stub.url) });
    expect(result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toContain(
      'Rollbar has no deploy of v2 to production: watching health from now.',
    );
    expect(Date.parse(deployOf(result) ?? '')).toBeGreaterThanOrEqual(before);
  });

  it("Bugsnag: the watch counts from the release's latest build in the stage; a build dated in the future is ignored", async () => {
    const stub = await startBugsnagStub({
      apiKey: API_KEY,
      token: BS_TOKEN,
      projectId: PROJECT,
      releases: [{ version: 'v1', releasedAt: Date.now() - 48 * HOUR, sessions: 90_000, unhandledSessions: 90, users: 9_000, usersWithUnhandled: 40 }],
      newReleaseHealth: { sessions: 5_000, unhandledSessions: 3, users: 900, usersWithUnhandled: 2 },
    });
    open.push(stub);
    const builtAt = new Date(s(Date.now() - 7 * MIN) * 1000).toISOString();
    const build = (id: string, at: string, stage = 'production') => ({ id, app_version: 'v2', release_time: at, release_stage: { name: stage }, metadata: {} });
    stub.builds.push(
      build('b1', new Date(Date.now() - 3 * HOUR).toISOString()),
      build('b2', builtAt),
      build('b3', new Date(Date.now() - 1 * MIN).toISOString(), 'staging'),
      build('b4', new Date(Date.now() + 48 * HOUR).toISOString()),
    );
    const result = await runAction({
      inputs: {
        tracker: 'bugsnag',
        'bugsnag-token': BS_TOKEN,
        'bugsnag-project-id': PROJECT,
        'bugsnag-url': stub.url,
        release: 'v2',
        'min-crash-free-sessions': '99%',
        register: 'false',
        ...FAST,
      },
    });
    expect(result.code, result.stdout).toBe(0);
    expect(deployOf(result)).toBe(builtAt);
  });
});

describe.concurrent('baseline: previous-release with a tracker that offers none', () => {
  it('Bugsnag: one error line naming baseline and why, exit 1, nothing registered or watched', async () => {
    const stub = await startBugsnagStub({ apiKey: API_KEY, token: BS_TOKEN, projectId: PROJECT });
    open.push(stub);
    const result = await runAction({
      inputs: {
        tracker: 'bugsnag',
        'bugsnag-api-key': API_KEY,
        'bugsnag-token': BS_TOKEN,
        'bugsnag-project-id': PROJECT,
        'bugsnag-url': stub.url,
        'bugsnag-build-url': stub.url,
        release: 'v2',
        'min-crash-free-sessions': '99%',
        baseline: 'previous-release',
        ...FAST,
      },
    });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').flatMap((a) => a.message.split('\n'));
    expect(errors).toEqual([expect.stringMatching(/^Input baseline \("previous-release"\): tracker bugsnag cannot serve it: .*use absolute limits$/)]);
    expect(stub.requests).toEqual([]);
    expect(result.stdout).not.toMatch(/Watch v2/);
  });

  it('Rollbar: the same, naming what Rollbar offers instead', async () => {
    const stub = await rollbar([]);
    const result = await runAction({ inputs: rollbarInputs(stub.url, { baseline: 'previous-release', register: 'true' }) });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').flatMap((a) => a.message.split('\n'));
    expect(errors).toEqual([expect.stringMatching(/^Input baseline \("previous-release"\): tracker rollbar cannot serve it: .*max-error-rate-increase/)]);
    expect(stub.requests).toEqual([]);
  });
});
