import { setTimeout as delay } from 'node:timers/promises';

/** Time is a parameter: tests pass a virtual clock, the action the real one. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Node fires a timer longer than 2^31-1 ms (about 24.8 days) at once, with a
 * warning: a long sleep is taken in steps below that, so no wait ever ends early.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

async function sleepSafely(ms: number, signal?: AbortSignal): Promise<void> {
  // NaN or a negative wait is no wait; Infinity would never end, so it is refused.
  if (!Number.isFinite(ms) && ms > 0) throw new RangeError(`cannot sleep for ${ms} ms`);
  let left = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  do {
    const step = Math.min(left, MAX_TIMER_MS);
    await delay(step, undefined, { signal });
    left -= step;
  } while (left > 0);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: sleepSafely,
};
