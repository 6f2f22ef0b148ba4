import { setTimeout as delay } from 'node:timers/promises';

/** Time is a parameter: tests pass a virtual clock, the action the real one. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(Math.max(0, ms), undefined, { signal }),
};
