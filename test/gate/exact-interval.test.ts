import { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay';
import { binomialTailP } from '../../src/gate/final-look';
import { exactInterval } from '../../src/gate/interval';

const sample = (t: number, users: number, crashedUsers: number) => ({
  t,
  sessions: 3 * users,
  crashedSessions: crashedUsers,
  erroredSessions: crashedUsers,
  users,
  crashedUsers,
});

async function replayReason(samples: unknown[], flags: string[]): Promise<{ verdict: string; reason: string }> {
  let out = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const stderr = new Writable({ write: (_c, _e, done) => done() });
  const code = await replayCommand(['-', ...flags], { stdout, stderr, stdin: Readable.from([`${JSON.stringify({ id: 'r', samples })}\n`]) });
  expect(code).toBe(0);
  return JSON.parse(out.trim()) as { verdict: string; reason: string };
}

describe('exactInterval (Clopper–Pearson)', () => {
  it('its ends are where the exact one-sided test at that level turns', () => {
    for (const [n, k] of [
      [20, 4],
      [7, 2],
      [400, 21],
      [1000, 0],
      [5, 5],
    ] as const) {
      const [lo, hi] = exactInterval(n, k, 0.01875)!;
      if (k > 0) expect(binomialTailP(n, k, lo)).toBeCloseTo(0.01875, 8);
      else expect(lo).toBe(0);
      if (k < n) expect(1 - binomialTailP(n, k + 1, hi)).toBeCloseTo(0.01875, 8);
      else expect(hi).toBe(1);
    }
    expect(exactInterval(0, 0, 0.05)).toBeNull();
  });
});

describe('a fail decided by the end-of-window test', () => {
  it('prints the interval of that test, which lies past the limit, not the wider anytime-valid one that contains it', async () => {
    // 20 users, 4 crashed at the window end: the e-process has not crossed, the exact test has (p = 0.0027 ≤ 0.019).
    const { verdict, reason } = await replayReason([sample(120, 4, 0), sample(300, 10, 2), sample(600, 20, 4)], ['--min-sessions', '1']);
    expect(verdict).toBe('fail');
    expect(reason).toMatch(/end-of-window test p = 0\.0027 ≤ 0\.019/);
    // Before: "80% (interval 45.4–98.1%, …) is below the 97% limit", an interval holding the limit.
    const m = /^crash-free users 80% \(interval ([\d.]+)–([\d.]+)%, 20 users, 4 crashed\) is below the 97% limit/.exec(reason);
    expect(m, reason).not.toBeNull();
    const [low, high] = [Number(m![1]), Number(m![2])];
    expect(high).toBeLessThan(97);
    // Clopper–Pearson for 4 of 20 at 0.01875 per side, from an independent implementation
    // (scipy.stats.beta.ppf): bad share 0.0525316–0.4502802.
    expect(high).toBeCloseTo(94.75, 1);
    expect(low).toBeCloseTo(54.97, 1);
  });

  it('a fail decided by the e-process keeps its anytime-valid interval', async () => {
    const { verdict, reason } = await replayReason([sample(120, 400, 80), sample(600, 2000, 400)], []);
    expect(verdict).toBe('fail');
    expect(reason).toMatch(/e-value/);
    expect(reason).toMatch(/\(interval [\d.]+–[\d.]+%, 400 users, 80 crashed\)/);
  });
});
