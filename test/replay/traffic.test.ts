import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/sim/simulate';
import { simulateRelease, type TrafficSpec } from '../../bench/traffic';

const spec = (over: Partial<TrafficSpec> = {}): TrafficSpec => ({
  sessionsPerMinute: 300,
  sessionsPerUser: 3,
  windowSec: 600,
  bucketSec: 30,
  ingestionDelaySec: 60,
  phases: [{ fromSec: 0, userCrashRate: 0.03 }],
  erroredRate: 0.01,
  ...over,
});

describe('simulateRelease', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = simulateRelease(mulberry32(42), spec());
    expect(simulateRelease(mulberry32(42), spec())).toEqual(a);
    expect(simulateRelease(mulberry32(43), spec())).not.toEqual(a);
  });

  it('shows each bucket after the ingestion delay, up to the window end', () => {
    const s = simulateRelease(mulberry32(1), spec());
    expect(s.map((x) => x.t)).toEqual(Array.from({ length: 18 }, (_, i) => 30 * (i + 1) + 60));
    expect(s.at(-1)).toMatchObject({ users: 900, sessions: 2700 });
  });

  it('crashes the asked share of users, and more sessions than users', () => {
    const rng = mulberry32(5);
    let u = 0;
    let cu = 0;
    let cs = 0;
    for (let i = 0; i < 200; i++) {
      const last = simulateRelease(rng, spec()).at(-1)!;
      u += last.users;
      cu += last.crashedUsers;
      cs += last.crashedSessions;
    }
    expect(cu / u).toBeGreaterThan(0.028);
    expect(cu / u).toBeLessThan(0.032);
    // Given a crash, 1 + Binomial(2, p) crashed sessions, p = 1 - 0.97^(1/3) ≈ 1.01%.
    expect(cs / cu).toBeGreaterThan(1.01);
    expect(cs / cu).toBeLessThan(1.03);
  });

  it('switches rates at the phase boundary', () => {
    const s = simulateRelease(
      mulberry32(9),
      spec({
        sessionsPerMinute: 30_000,
        phases: [
          { fromSec: 0, userCrashRate: 0 },
          { fromSec: 300, userCrashRate: 0.5 },
        ],
      }),
    );
    const before = s.find((x) => x.t === 300 + 60)!;
    expect(before.crashedUsers).toBe(0);
    const last = s.at(-1)!;
    expect((last.crashedUsers - before.crashedUsers) / (last.users - before.users)).toBeCloseTo(0.5, 1);
  });

  it('adds the noisy user once, with every one of their sessions crashed', () => {
    const quiet = simulateRelease(mulberry32(3), spec({ phases: [{ fromSec: 0, userCrashRate: 0 }], erroredRate: 0 }));
    const noisy = simulateRelease(mulberry32(3), spec({ phases: [{ fromSec: 0, userCrashRate: 0 }], erroredRate: 0, noisyUser: { sessionsPerMinute: 2 } }));
    expect(quiet.at(-1)!.crashedUsers).toBe(0);
    expect(noisy.at(-1)).toMatchObject({ users: 901, crashedUsers: 1, sessions: 2718, crashedSessions: 18 });
  });
});
