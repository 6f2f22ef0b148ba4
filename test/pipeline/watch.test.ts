import { describe, expect, it } from 'vitest';
import { effectiveInitialDelay, type Schedule } from '../../src/pipeline/watch';
import { type GatePolicy, watch } from '../helpers/sentry-counts';
import type { HealthSample } from '../../src/sources/sentry/types';
import { fakeClock } from './fake-clock';

const MIN = 60_000;
const T0 = Date.parse('2026-06-03T02:00:00Z');

const policy = (over: Partial<GatePolicy> = {}): GatePolicy => ({
  limits: [{ id: 'crash-free-users', maxBadRate: 0.03, absoluteMaxBadRate: 0.03, source: 'absolute' }],
  confidence: 0.95,
  minSessions: 100,
  passEarly: false,
  ...over,
});

/** Cumulative counts after `minutes` of traffic: `usersPerMinute` users, a `crashShare` of them crashed. */
function sample(at: number, minutes: number, crashShare: number, usersPerMinute = 100): HealthSample {
  const users = Math.round(usersPerMinute * minutes);
  const crashedUsers = Math.round(users * crashShare);
  const counts = { sessions: 3 * users, crashedSessions: crashedUsers, erroredSessions: 2 * crashedUsers, users, crashedUsers };
  return { ...counts, at, projects: { 'shop-web': counts } };
}

type Step = { fail?: string; crash?: number; latencyMs?: number };

/** A watch on the fake clock whose polls answer per `script(minutesSinceStart)`. */
async function run(
  schedule: Schedule,
  script: (minute: number) => Step,
  opts: { policy?: GatePolicy; signal?: AbortSignal; onPollAbort?: AbortController; usersPerMinute?: number } = {},
) {
  const clock = fakeClock(T0);
  const calls: number[] = [];
  const result = await watch({
    policy: opts.policy ?? policy(),
    schedule,
    clock,
    ...(opts.signal ? { signal: opts.signal } : {}),
    poll: async () => {
      const at = clock.now();
      const minute = (at - T0) / MIN;
      calls.push(minute);
      const step = script(minute);
      if (step.latencyMs) clock.advance(step.latencyMs);
      if (step.fail) throw new Error(step.fail);
      return { sample: sample(at, minute, step.crash ?? 0.005, opts.usersPerMinute), newIssues: [] };
    },
    onPoll: () => opts.onPollAbort?.abort(new Error('cancelled')),
  });
  return { result, calls, clock, minutesOf: (ats: number[]) => ats.map((t) => (t - T0) / MIN) };
}

const healthy = (): Step => ({});
const schedule = (window: number, interval: number, initialDelay: number): Schedule => ({
  windowMs: window * MIN,
  intervalMs: interval * MIN,
  initialDelayMs: initialDelay * MIN,
});

describe('watch() on a virtual clock', () => {
  it('polls first at the initial delay, then every interval, the last one exactly at the window end', async () => {
    const started = performance.now();
    const { result, calls, clock } = await run(schedule(30, 1, 2), healthy);
    expect(calls).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
    expect(result.verdict.outcome).toBe('pass');
    expect(result.verdict.decidedAt).toBe(T0 + 30 * MIN);
    expect(result.polls).toHaveLength(29);
    expect(result.cancelled).toBe(false);
    expect(clock.now()).toBe(T0 + 30 * MIN);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.for([
    { window: 10, interval: 3, delay: 1, polls: [1, 4, 7, 10] },
    { window: 10, interval: 4, delay: 1, polls: [1, 5, 9, 10] },
    { window: 10, interval: 10, delay: 0, polls: [0, 10] },
    { window: 5, interval: 1, delay: 5, polls: [2.5, 3.5, 4.5, 5] },
  ])('window $window m, interval $interval m, initial delay $delay m: polls at $polls', async ({ window, interval, delay, polls }) => {
    const { calls } = await run(schedule(window, interval, delay), healthy);
    expect(calls).toEqual(polls);
  });

  it('keeps to the schedule when polls are slow', async () => {
    const { calls, result } = await run(schedule(10, 1, 1), () => ({ latencyMs: 20_000 }));
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.verdict.outcome).toBe('pass');
  });

  it('stops at the first fail', async () => {
    const { result, calls } = await run(schedule(30, 1, 2), (m) => ({ crash: m >= 5 ? 0.3 : 0.005 }));
    expect(result.verdict.outcome).toBe('fail');
    expect(result.verdict.check).toBe('crash-free-users');
    expect(calls.at(-1)).toBe(result.polls.length + 1);
    expect(calls.at(-1)).toBeLessThan(10);
    expect(result.verdict.decidedAt).toBe(T0 + (calls.at(-1) as number) * MIN);
  });

  it('with pass-early, a confidently healthy release still runs to the window end (#19.4: no rate check can pass early validly)', async () => {
    const early = await run(schedule(30, 1, 2), () => ({ crash: 0.001 }), { policy: policy({ passEarly: true }), usersPerMinute: 1000 });
    expect(early.result.verdict.outcome).toBe('pass');
    expect(early.result.verdict.reason).toMatch(/^all checks within limits/);
    expect(early.calls).toHaveLength(29);
  });

  it('records failed polls as skipped, and never counts them', async () => {
    const { result, calls } = await run(schedule(10, 1, 1), (m) => (m === 3 ? { fail: 'HTTP 503 from the tracker' } : {}));
    const skipped = result.polls.filter((p) => p.sample === null);
    expect(skipped).toEqual([{ at: T0 + 3 * MIN, sample: null, error: 'HTTP 503 from the tracker', evaluations: [], newIssues: 0 }]);
    expect(result.verdict.outcome).toBe('pass');
    // after one failure the next poll waits 2 intervals, then the schedule goes on
    expect(calls).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    // the evaluations come from good samples only: n grows with every counted poll
    const counted = result.polls.filter((p) => p.sample).map((p) => p.evaluations[0]?.n);
    expect(counted).toEqual([100, 200, 500, 600, 700, 800, 900, 1000]);
  });

  it('backs off after consecutive failures: the gap doubles, up to 4 intervals', async () => {
    const { calls, result } = await run(schedule(30, 1, 2), (m) => (m < 12 ? { fail: 'connect ECONNREFUSED' } : {}));
    // failures at 2 (gap 2), 4 (gap 4), 8 (gap 4), then 12 succeeds and the interval is back to 1
    expect(calls.slice(0, 6)).toEqual([2, 4, 8, 12, 13, 14]);
    expect(calls.at(-1)).toBe(30);
    expect(result.polls.filter((p) => p.sample === null).map((p) => p.error)).toEqual(['connect ECONNREFUSED', 'connect ECONNREFUSED', 'connect ECONNREFUSED']);
    expect(result.verdict.outcome).toBe('pass');
  });

  it('the backoff never skips the poll at the window end', async () => {
    const { calls } = await run(schedule(10, 1, 1), (m) => (m < 10 ? { fail: 'down' } : {}));
    expect(calls).toEqual([1, 3, 7, 10]);
  });

  it('when the final poll fails, decides on the last good sample', async () => {
    const { result, calls } = await run(schedule(10, 1, 1), (m) => (m === 10 ? { fail: 'timeout' } : {}));
    expect(calls.at(-1)).toBe(10);
    expect(result.polls.at(-1)).toMatchObject({ at: T0 + 10 * MIN, sample: null, error: 'timeout' });
    expect(result.verdict.outcome).toBe('pass');
    // the numbers are the 9-minute sample's
    expect(result.verdict.evaluations[0]?.n).toBe(900);
    expect(result.verdict.decidedAt).toBe(T0 + 9 * MIN);
  });

  it('the fallback is a final decision: too few sessions in the last good sample ends inconclusive', async () => {
    const { result } = await run(schedule(10, 1, 1), (m) => (m === 10 ? { fail: 'timeout' } : {}), { usersPerMinute: 3 });
    expect(result.verdict.outcome).toBe('inconclusive');
    // 27 users and 81 sessions at minute 9
    expect(result.verdict.reason).toBe('only 81 sessions, fewer than the 100 needed (min-sessions)');
  });

  it('all polls failing ends inconclusive, with the error', async () => {
    const { result, calls } = await run(schedule(10, 1, 1), () => ({ fail: 'GET /sessions/ returned HTTP 503' }));
    expect(calls).toEqual([1, 3, 7, 10]);
    expect(result.verdict.outcome).toBe('inconclusive');
    expect(result.verdict.reason).toBe('no health data: all 4 polls of the tracker failed (last error: GET /sessions/ returned HTTP 503)');
    expect(result.polls.every((p) => p.sample === null)).toBe(true);
    expect(result.cancelled).toBe(false);
  });

  it('cancellation while waiting ends inconclusive "cancelled", without polling again', async () => {
    const abort = new AbortController();
    const { result, calls } = await run(schedule(30, 1, 2), healthy, { signal: abort.signal, onPollAbort: abort });
    expect(calls).toEqual([2]);
    expect(result.cancelled).toBe(true);
    expect(result.verdict.outcome).toBe('inconclusive');
    expect(result.verdict.reason).toMatch(/^cancelled/);
    expect(result.polls).toHaveLength(1);
  });

  it('cancellation during a poll ends inconclusive "cancelled", and the aborted poll is not recorded as a tracker failure', async () => {
    const abort = new AbortController();
    const { result, calls } = await run(
      schedule(30, 1, 2),
      (m) => {
        if (m === 4) {
          abort.abort(new Error('cancelled'));
          return { fail: 'This operation was aborted' };
        }
        return {};
      },
      { signal: abort.signal },
    );
    expect(calls).toEqual([2, 3, 4]);
    expect(result.cancelled).toBe(true);
    expect(result.verdict.reason).toMatch(/^cancelled/);
    expect(result.polls.filter((p) => p.sample === null)).toEqual([]);
  });

  it('a signal aborted before the start polls nothing', async () => {
    const abort = new AbortController();
    abort.abort(new Error('cancelled'));
    const { result, calls } = await run(schedule(30, 1, 2), healthy, { signal: abort.signal });
    expect(calls).toEqual([]);
    expect(result).toMatchObject({ cancelled: true, polls: [], verdict: { outcome: 'inconclusive' } });
  });
});

describe('effectiveInitialDelay', () => {
  it('keeps a delay shorter than the window', () => {
    expect(effectiveInitialDelay(schedule(10, 1, 1))).toBe(MIN);
    expect(effectiveInitialDelay(schedule(10, 1, 0))).toBe(0);
    expect(effectiveInitialDelay({ windowMs: 12_000, intervalMs: 2_000, initialDelayMs: 11_999 })).toBe(11_999);
  });

  it('moves the first poll to mid-window when the delay is as long as the window or longer', () => {
    expect(effectiveInitialDelay(schedule(10, 1, 10))).toBe(5 * MIN);
    expect(effectiveInitialDelay({ windowMs: 30_000, intervalMs: 10_000, initialDelayMs: 60_000 })).toBe(15_000);
    expect(effectiveInitialDelay({ windowMs: 12_001, intervalMs: 2_000, initialDelayMs: 60_000 })).toBe(6_000);
  });
});
