import { describe, expect, it } from 'vitest';
import { applyBaseline } from '../../src/pipeline/baseline';
import type { GatePolicy } from '../../src/gate/types';
import { sentryBaseline } from '../../src/sources/sentry/baseline';
import { sessionCheck, newIssuesCheck } from '../../src/sources/sentry/checks';
import type { Tracker } from '../../src/sources/sentry/types';
import { createRollbarRegistrar } from '../../src/sources/rollbar/registrar';
import type { RollbarApi } from '../../src/sources/rollbar/api';
import { createBugsnagRegistrar } from '../../src/sources/bugsnag/registrar';
import type { BugsnagApi } from '../../src/sources/bugsnag/api';
import type { HttpClient } from '../../src/http/client';
import type { RatioCheck } from '../../src/sources/types';

const NOW = Date.parse('2026-06-03T02:00:00Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('HealthSource.baseline: Sentry', () => {
  function tracker() {
    const asked: unknown[] = [];
    const t = {
      async sample(q: unknown) {
        asked.push(q);
        return { at: NOW, sessions: 20_000, crashedSessions: 40, erroredSessions: null, users: 5_000, crashedUsers: 30, projects: {} };
      },
    } as unknown as Tracker;
    return { t, asked };
  }

  it("reads the previous release's sessions over the window, counts for the crash checks only", async () => {
    const { t, asked } = tracker();
    const baseline = sentryBaseline({ tracker: t, projects: ['shop-web'], environment: 'production' });
    const checks = [sessionCheck('crash-free-users', 0.03), sessionCheck('crash-free-sessions', 0.01), sessionCheck('error-rate', 0.05), newIssuesCheck(10)];
    const counts = await baseline(checks, { previous: 'v1', since: NOW - 10 * MIN, until: NOW });
    expect(counts).toEqual({ 'crash-free-users': { n: 5_000, k: 30 }, 'crash-free-sessions': { n: 20_000, k: 40 } });
    expect(asked).toEqual([{ version: 'v1', projects: ['shop-web'], environment: 'production', since: NOW - 10 * MIN, until: NOW, signal: undefined }]);
  });

  it('asks nothing when no crash check is on', async () => {
    const { t, asked } = tracker();
    const counts = await sentryBaseline({ tracker: t, projects: ['shop-web'], environment: 'production' })([sessionCheck('error-rate', 0.05)], {
      previous: 'v1',
      since: 0,
      until: 1,
    });
    expect(counts).toEqual({});
    expect(asked).toEqual([]);
  });
});

describe('applyBaseline: counts by check id, from any source', () => {
  const latency: RatioCheck = {
    ...sessionCheck('crash-free-sessions', 0.05),
    id: '5xx',
    label: '5xx rate',
    source: 'prometheus',
    units: { trials: 'requests', bad: '5xx' },
  };
  const policy: GatePolicy = {
    checks: [sessionCheck('crash-free-users', 0.05), latency],
    confidence: 0.95,
    minSessions: 0,
    passEarly: false,
    passMargin: null,
  };

  it("tightens a check the source measured, leaves the others absolute, names the check's own units", async () => {
    const { policy: judged, checks } = applyBaseline(policy, { '5xx': { n: 100_000, k: 100 }, 'crash-free-users': { n: 50, k: 0 } }, 0.001);
    expect(judged.checks[1]).toMatchObject({ limitSource: 'baseline' });
    expect((judged.checks[1] as RatioCheck).maxBadRate).toBeLessThan(0.0025);
    expect(judged.checks[0]).toBe(policy.checks[0]);
    expect(checks.map((c) => c.note)).toEqual(['too little baseline data (50 users, fewer than 100): absolute limit kept', null]);
  });

  it('counts a hostile server sent that are no sample keep the absolute limit, and say so', () => {
    for (const bad of [
      { n: 1000, k: 2000 },
      { n: -5, k: 0 },
      { n: 1000.5, k: 1 },
      { n: Number.NaN, k: 0 },
    ]) {
      const { policy: judged, checks } = applyBaseline(policy, { '5xx': bad }, 0);
      expect(judged.checks[1]).toBe(policy.checks[1]);
      expect(checks).toEqual([
        expect.objectContaining({ id: '5xx', effectiveMaxBadRate: 0.05, note: expect.stringMatching(/not a sample.*absolute limit kept/) }),
      ]);
    }
  });

  it('a check id that is a property of every object (constructor) is not a baseline', () => {
    const odd: RatioCheck = { ...latency, id: 'constructor' };
    const { checks } = applyBaseline({ ...policy, checks: [odd] }, {}, 0);
    expect(checks).toEqual([]);
  });
});

describe('Registrar.deployTime', () => {
  const sec = (ms: number) => Math.floor(ms / 1000);
  it('Rollbar: the latest deploy of the revision to the environment that ran; future-dated, failed and other ones ignored', async () => {
    const deploy = (revision: string, at: number, over: Record<string, unknown> = {}) => ({
      id: at,
      environment: 'production',
      revision,
      status: 'succeeded',
      start_time: sec(at),
      finish_time: sec(at),
      ...over,
    });
    const api = {
      deploys: async () => [
        deploy('v2', NOW - 30 * MIN),
        deploy('v2', NOW - 10 * MIN),
        deploy('v2', NOW + 2 * DAY),
        deploy('v2', NOW - 2 * MIN, { status: 'failed' }),
        deploy('v2', NOW - 1 * MIN, { environment: 'staging' }),
        deploy('v3', NOW - 1 * MIN),
      ],
    } as unknown as RollbarApi;
    const registrar = createRollbarRegistrar(api);
    expect(await registrar.deployTime?.({ version: 'v2', environment: 'production', now: NOW })).toBe(NOW - 10 * MIN);
    expect(await registrar.deployTime?.({ version: 'v9', environment: 'production', now: NOW })).toBeNull();
  });

  it('Bugsnag: the latest build of the version in the stage; one released in the future is ignored; none without the Data Access API', async () => {
    const build = (app_version: string, at: number, stage = 'production') => ({
      id: String(at),
      app_version,
      release_time: new Date(at).toISOString(),
      release_stage: { name: stage },
    });
    const api = {
      builds: async () => [
        build('v2', NOW - 20 * MIN),
        build('v2', NOW - 5 * MIN),
        build('v2', NOW + DAY),
        build('v2', NOW - MIN, 'staging'),
        build('v3', NOW),
      ],
    } as unknown as BugsnagApi;
    const registrar = createBugsnagRegistrar({ build: {} as HttpClient, apiKey: null, api });
    expect(await registrar.deployTime?.({ version: 'v2', environment: 'production', now: NOW })).toBe(NOW - 5 * MIN);
    expect(await registrar.deployTime?.({ version: 'v9', environment: 'production', now: NOW })).toBeNull();
    expect(createBugsnagRegistrar({ build: {} as HttpClient, apiKey: 'k', api: null }).deployTime).toBeUndefined();
  });
});
