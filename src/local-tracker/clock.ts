/**
 * Simulated time for the local tracker, so a demo or test can watch a 30-minute window in 30
 * seconds. Give the same clock to the server (`startLocalTracker({ clock: c.now })`) and to the
 * code under test (its clock and sleep), and both agree on simulated time:
 *
 *   const c = simClock({ timeScale: 60 });   // 1 real second = 60 simulated seconds
 *   c.now();        // simulated epoch ms
 *   await c.sleep(60_000);                   // one simulated minute = 1 real second
 */
export interface SimClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  timeScale: number;
}

export function simClock(opts: { timeScale?: number; start?: number; realNow?: () => number } = {}): SimClock {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  const realNow = opts.realNow ?? Date.now;
  const realStart = realNow();
  const start = opts.start ?? realStart;
  return {
    timeScale,
    now: () => start + (realNow() - realStart) * timeScale,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.max(0, ms / timeScale),
        );
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
