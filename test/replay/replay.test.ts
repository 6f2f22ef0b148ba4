import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/sim/simulate';
import type { Schedule } from '../../src/pipeline/watch';
import { type RecordedSample, replayRelease as replayCore } from '../../src/replay/replay';
import { corePolicy, decide, type GatePolicy } from '../helpers/sentry-counts';
import { pollTimes } from '../../src/replay/schedule';
import { simulateRelease } from '../../bench/traffic';

const users = (p0: number) => ({ id: 'crash-free-users' as const, maxBadRate: p0, absoluteMaxBadRate: p0, source: 'absolute' as const });
const policy = (over: Partial<GatePolicy> = {}): GatePolicy => ({ limits: [users(0.03)], confidence: 0.95, minSessions: 100, passEarly: false, ...over });
const replayRelease = (p: GatePolicy, ...rest: Parameters<typeof replayCore> extends [unknown, ...infer R] ? R : never) => replayCore(corePolicy(p), ...rest);
const TEN_MINUTES: Schedule = { windowMs: 600_000, intervalMs: 60_000, initialDelayMs: 60_000 };

const sample = (t: number, u: number, crashed: number): RecordedSample => ({
  t,
  users: u,
  crashedUsers: crashed,
  sessions: 3 * u,
  crashedSessions: crashed,
  erroredSessions: crashed,
});

/** Steady traffic: `perMinute` users a minute, `share` of them crashing, visible after 60 s. */
const steady = (perMinute: number, share: number, minutes = 10): RecordedSample[] =>
  Array.from({ length: minutes }, (_, i) => sample(60 * (i + 2), perMinute * (i + 1), Math.round(perMinute * (i + 1) * share)));

describe('pollTimes', () => {
  it('polls after the initial delay, every interval, and at the window end', () => {
    expect(pollTimes(TEN_MINUTES)).toEqual([60, 120, 180, 240, 300, 360, 420, 480, 540, 600].map((s) => s * 1000));
    expect(pollTimes({ windowMs: 600_000, intervalMs: 240_000, initialDelayMs: 90_000 })).toEqual([90_000, 330_000, 570_000, 600_000]);
    expect(pollTimes({ windowMs: 120_000, intervalMs: 60_000, initialDelayMs: 0 })).toEqual([0, 60_000, 120_000]);
  });

  it('moves the first poll to mid-window when the initial delay is not shorter than the window', () => {
    expect(pollTimes({ windowMs: 120_000, intervalMs: 30_000, initialDelayMs: 300_000 })).toEqual([60_000, 90_000, 120_000]);
  });
});

describe('replayRelease', () => {
  it('fails a clearly bad release at the first poll that sees its data', () => {
    // 20% of users crash against a 3% limit; the first data shows up at t = 90 s.
    const samples = [sample(90, 400, 80), sample(150, 800, 160)];
    const r = replayRelease(policy(), TEN_MINUTES, samples);
    expect(r.verdict).toBe('fail');
    expect(r.decidedAt).toBe(120);
    expect(r.reason).toMatch(/crash-free users 80(\.0)?% .*below the 97(\.0)?% limit/);
  });

  it('sees a sample only from its time on', () => {
    expect(replayRelease(policy(), TEN_MINUTES, [sample(121, 400, 80)]).decidedAt).toBe(180);
    expect(replayRelease(policy(), TEN_MINUTES, [sample(120, 400, 80)]).decidedAt).toBe(120);
  });

  it('decides nothing after the recording ends, but a last sample off the poll times still reaches the next poll', () => {
    const short = replayRelease(policy(), TEN_MINUTES, steady(200, 0.005, 3));
    expect(short).toEqual({
      verdict: 'inconclusive',
      decidedAt: null,
      reason:
        'the recording ends at 240 s, before the window ends at 600 s: no poll up to 300 s decided; record until the window ends or replay with a shorter --window',
    });
    // Sampled at 590 s, polled at 600 s: the final poll sees the last sample.
    const offGrid = steady(200, 0.005).map((x) => ({ ...x, t: x.t - 70 }));
    expect(offGrid.at(-1)!.t).toBe(590);
    expect(replayRelease(policy(), TEN_MINUTES, offGrid)).toMatchObject({ verdict: 'pass', decidedAt: 600 });
    // A bad release is still failed at the poll that sees it, however short the recording.
    expect(replayRelease(policy(), TEN_MINUTES, [sample(90, 400, 80)])).toMatchObject({ verdict: 'fail', decidedAt: 120 });
    expect(replayRelease(policy(), TEN_MINUTES, []).reason).toBe('the recording has no samples: nothing to decide on');
  });

  it('a pass with a rate on the wrong side of its limit says so instead of "within limits"', () => {
    // 2.5% of 1,000 users crash against a 2% limit: past it, but not significantly.
    const r = replayRelease(policy({ limits: [users(0.02)] }), TEN_MINUTES, [sample(600, 1000, 25)]);
    expect(r.verdict).toBe('pass');
    expect(r.reason).toMatch(
      /^no check is confidently past its limit: crash-free users 97\.5% .* is below the 98% limit, but not significantly \(end-of-window test p = /,
    );
  });

  it('calls a tiny-traffic release inconclusive, undecided', () => {
    const r = replayRelease(policy(), TEN_MINUTES, steady(2, 0));
    expect(r).toEqual({ verdict: 'inconclusive', decidedAt: null, reason: expect.stringContaining('fewer than the 100 needed (min-sessions)') });
  });

  it('passes a healthy release at the window end', () => {
    const r = replayRelease(policy(), TEN_MINUTES, steady(200, 0.005));
    expect(r.verdict).toBe('pass');
    expect(r.decidedAt).toBe(600);
    expect(r.reason).toMatch(/^all checks within limits/);
  });

  it('does not pass early with pass-early: no rate check can (#19.4)', () => {
    const r = replayRelease(policy({ passEarly: true }), TEN_MINUTES, steady(200, 0.005));
    expect(r.verdict).toBe('pass');
    expect(r.decidedAt).toBe(600);
    expect(r.reason).toMatch(/^all checks within limits/);
  });

  it('gives exactly what decide() at every poll gives', () => {
    const rng = mulberry32(7);
    const polls = pollTimes(TEN_MINUTES);
    let compared = 0;
    for (const passEarly of [false, true]) {
      for (const perMinute of [20, 300, 3000]) {
        for (const multiple of [0.3, 1, 1.6, 3]) {
          for (let i = 0; i < 6; i++) {
            const samples = simulateRelease(rng, {
              sessionsPerMinute: perMinute,
              sessionsPerUser: 3,
              windowSec: 600,
              bucketSec: 30,
              ingestionDelaySec: 60,
              phases: [{ fromSec: 0, userCrashRate: 0.03 * multiple }],
              erroredRate: 0.01,
            });
            const p = policy({ passEarly, limits: [users(0.03), { ...users(0.1), id: 'error-rate' }] });
            // The reference: decide() at every poll, no shortcuts; at the last poll the second half
            // is what came after the poll at minute 5, field by field.
            let expected = null;
            const seenAt = (at: number) => samples.filter((s) => s.t * 1000 <= at).at(-1) ?? sample(0, 0, 0);
            const half = seenAt(300_000);
            for (const [j, at] of polls.entries()) {
              const seen = seenAt(at);
              const final = j === polls.length - 1;
              const recent = {
                since: 300_000,
                counts: {
                  sessions: seen.sessions - half.sessions,
                  crashedSessions: seen.crashedSessions - half.crashedSessions,
                  erroredSessions: seen.erroredSessions - half.erroredSessions,
                  users: seen.users - half.users,
                  crashedUsers: seen.crashedUsers - half.crashedUsers,
                },
                projects: {},
              };
              const { verdict } = decide(p, { counts: seen, projects: {}, newIssues: [], at, final, ...(final ? { recent } : {}) });
              if (verdict) {
                expected = { verdict: verdict.outcome, decidedAt: verdict.outcome === 'inconclusive' ? null : at / 1000, reason: verdict.reason };
                break;
              }
            }
            // simulateRelease's users visit once, so here the difference is the second half's users.
            const last = seenAt(600_000);
            const secondHalf = { users: last.users - half.users, crashedUsers: last.crashedUsers - half.crashedUsers };
            expect(replayRelease(p, TEN_MINUTES, samples, polls, secondHalf)).toEqual(expected);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(144);
  });

  it('judges the second half on the users counted over it, never on a difference of cumulative users (#19.3)', () => {
    // Healthy: 2% of users crash over the window. 1,000 users came in the first half; in the
    // second half 200 new ones came, and 600 of the first came back; 26 crashed in the second half,
    // 20 of them returning users, so the cumulative crashed users grew by 26 while users grew by 200.
    const samples: RecordedSample[] = [
      { t: 300, sessions: 3000, crashedSessions: 20, erroredSessions: 20, users: 1000, crashedUsers: 20 },
      { t: 540, sessions: 5400, crashedSessions: 46, erroredSessions: 46, users: 1200, crashedUsers: 46 },
    ];
    const p = policy({ limits: [users(0.03)] });
    // The users of the second half, counted over it: 800, 26 crashed (3.25%, not significant).
    const counted = replayRelease(p, TEN_MINUTES, samples, undefined, { users: 800, crashedUsers: 26 });
    expect(counted.verdict).toBe('pass');
    // Without them the second-half users test is skipped, rather than judging 26 crashed of 200 (13%).
    expect(replayRelease(p, TEN_MINUTES, samples).verdict).toBe('pass');
  });
});
