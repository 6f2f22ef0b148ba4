import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '../../src/pipeline/clock';

describe('systemClock.sleep', () => {
  it("a sleep past Node's timer limit does not end early (a plain timer fires at once)", async () => {
    const abort = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let ended = false;
    const sleeping = systemClock.sleep(MAX_TIMER_MS + 5_000, abort.signal).then(
      () => (ended = true),
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(ended).toBe(false);
    abort.abort();
    expect(await sleeping).toBe('aborted');
    process.off('warning', onWarning);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });

  it('a negative or NaN wait is no wait; an infinite one is refused', async () => {
    await systemClock.sleep(-5);
    await systemClock.sleep(Number.NaN);
    await expect(systemClock.sleep(Infinity)).rejects.toThrow(RangeError);
  });
});
