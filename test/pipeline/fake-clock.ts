import type { Clock } from '../../src/pipeline/clock';

/**
 * Virtual time: sleep() moves the clock at once, so a 30-minute window runs in
 * milliseconds. A sleep that is aborted rejects like the real one.
 */
export function fakeClock(start = Date.parse('2026-06-03T02:00:00Z')): Clock & { advance(ms: number): void; sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}
