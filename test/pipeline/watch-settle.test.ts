import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/pipeline/watch';
import { type GatePolicy, watch } from '../helpers/sentry-counts';
import { fakeClock } from './fake-clock';

const MIN = 60_000;
const T0 = Date.parse('2026-06-03T02:00:00Z');
const policy: GatePolicy = {
  limits: [{ id: 'crash-free-users', maxBadRate: 0.03, absoluteMaxBadRate: 0.03, source: 'absolute' }],
  confidence: 0.95,
  minSessions: 100,
  passEarly: false,
};

async function polls(schedule: Schedule) {
  const clock = fakeClock(T0);
  const seen: { at: number; until: number | undefined; usersSince: number | undefined }[] = [];
  const result = await watch({
    policy,
    schedule,
    clock,
    poll: async (_signal, usersSince, until) => {
      seen.push({
        at: (clock.now() - T0) / MIN,
        until: until === undefined ? undefined : (until - T0) / MIN,
        usersSince: usersSince === undefined ? undefined : (usersSince - T0) / MIN,
      });
      const end = until ?? clock.now();
      const users = Math.round((end - T0) / 1000);
      return { sample: { at: end, sessions: 3 * users, crashedSessions: 0, erroredSessions: null, users, crashedUsers: 0, projects: {} }, newIssues: [] };
    },
  });
  return { seen, result };
}

describe('watch() with a settle time', () => {
  it('each poll asks up to settle before it; the last comes settle after the window and asks up to the window end', async () => {
    const { seen, result } = await polls({ windowMs: 10 * MIN, intervalMs: MIN, initialDelayMs: 2 * MIN, settleMs: MIN });
    expect(seen.map((p) => p.at)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(seen.map((p) => p.until)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // the second half starts at the last data at or before mid-window (minute 5), not the last poll before it
    expect(seen.at(-1)!.usersSince).toBe(5);
    expect(result.verdict.outcome).toBe('pass');
    expect(result.verdict.decidedAt).toBe(T0 + 10 * MIN);
  });

  it('settle 0 asks up to now, as before', async () => {
    const { seen } = await polls({ windowMs: 10 * MIN, intervalMs: MIN, initialDelayMs: MIN, settleMs: 0 });
    expect(seen.map((p) => p.at)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.every((p) => p.until === undefined)).toBe(true);
    expect(seen.at(-1)!.usersSince).toBe(5);
  });
});
