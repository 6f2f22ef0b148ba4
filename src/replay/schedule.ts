import { effectiveInitialDelay, type Schedule } from '../pipeline/watch';

/**
 * The poll times of an undisturbed watch, in ms since the deploy: the first
 * after the (effective) initial delay, then every interval, and always one at
 * the window end, which is the final poll. Mirrors watch() when no poll fails.
 */
export function pollTimes(schedule: Schedule): number[] {
  const end = schedule.windowMs;
  const times: number[] = [];
  let next = effectiveInitialDelay(schedule);
  for (;;) {
    times.push(next);
    if (next >= end) return times;
    next = Math.min(next + schedule.intervalMs, end);
  }
}
