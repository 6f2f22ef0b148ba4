import { describe, expect, it } from 'vitest';
import type { GatePolicy } from '../../src/gate/types';
import { watch } from '../../src/pipeline/watch';
import type { HealthPoll, HealthSource, PollWindow, RatioCheck, ThresholdForCheck } from '../../src/sources/types';
import { fakeClock } from './fake-clock';
import { formatPollLine } from '../../src/report/progress';

const MIN = 60_000;
const T0 = Date.parse('2026-06-03T02:00:00Z');

const errors: RatioCheck = {
  kind: 'ratio',
  id: 'error-share',
  label: 'error share',
  source: 'counts',
  maxBadRate: 0.02,
  absoluteMaxBadRate: 0.02,
  limitSource: 'absolute',
  units: { trials: 'requests', bad: 'failed' },
  display: 'bad',
};
const latency: ThresholdForCheck = { kind: 'threshold-for', id: 'p95', label: 'p95 latency', source: 'gauge', max: 3, forMs: 3 * MIN, unit: 's' };
const policy: GatePolicy = { checks: [errors, latency], confidence: 0.95, minSessions: 0, passEarly: false, passMargin: null };

/** A source answering per minute since T0: a poll it throws on, or its observations. */
function source(name: string, answer: (minute: number, window: PollWindow) => HealthPoll['observations'] | Error): HealthSource & { windows: PollWindow[] } {
  const windows: PollWindow[] = [];
  return {
    name,
    windows,
    requests: () => windows.length,
    async poll(_checks, window) {
      windows.push(window);
      const got = answer((window.until - T0) / MIN, window);
      if (got instanceof Error) throw got;
      return { at: window.until, observations: got };
    },
  };
}

const healthyCounts = (minute: number) => ({ [errors.id]: { kind: 'ratio' as const, counts: { n: 1000 * minute, k: 5 * minute } } });
const run = (sources: HealthSource[], windowMin = 10) =>
  watch({ policy, schedule: { windowMs: windowMin * MIN, intervalMs: MIN, initialDelayMs: MIN }, clock: fakeClock(T0), sources, since: T0 });

describe('watch() over several sources', () => {
  it('merges their observations by check id: a gauge past its limit for 3 minutes fails the release', async () => {
    const counts = source('counts', (m) => healthyCounts(m));
    const gauge = source('gauge', (m) => ({ [latency.id]: { kind: 'value', value: m >= 4 ? 4.2 : 1.1 } }));
    const result = await run([counts, gauge]);
    expect(result.verdict.outcome).toBe('fail');
    expect(result.verdict.check).toBe('p95');
    expect(result.verdict.decidedAt).toBe(T0 + 7 * MIN);
    // every source got the same window, from the deploy
    expect(counts.windows.map((w) => w.since)).toEqual(gauge.windows.map((w) => w.since));
    expect(result.polls.at(-1)?.evaluations.map((e) => e.id)).toEqual(['error-share']);
  });

  it('a source that throws is a skipped poll for its checks only: the gauge run breaks, the counts keep their last poll', async () => {
    const counts = source('counts', (m) => healthyCounts(m));
    // past the limit from minute 2, but minute 4 fails: the run restarts at minute 5, and minute 8 is 3 minutes later
    const gauge = source('gauge', (m) => (m === 4 ? new Error('HTTP 503 from the gauge') : { [latency.id]: { kind: 'value', value: m >= 2 ? 4.2 : 1.1 } }));
    const result = await run([counts, gauge]);
    expect(result.verdict.outcome).toBe('fail');
    expect(result.verdict.decidedAt).toBe(T0 + 8 * MIN);
    const at4 = result.polls.find((p) => p.at === T0 + 4 * MIN);
    expect(at4?.error).toMatch(/^gauge: HTTP 503 from the gauge/);
    expect(at4?.evaluations[0]?.n).toBe(4000);
  });

  it('a gauge with no data at a poll breaks its run too, and a run shorter than forMs at the window end passes', async () => {
    const counts = source('counts', (m) => healthyCounts(m));
    const gauge = source('gauge', (m) => (m === 5 ? {} : { [latency.id]: { kind: 'value', value: m >= 3 ? 4.2 : 1.1 } }));
    const result = await run([counts, gauge], 7);
    // past at 3, 4; no data at 5; past at 6, 7: never 3 minutes unbroken
    expect(result.verdict.outcome).toBe('pass');
    expect(result.verdict.thresholds?.[0]).toMatchObject({ id: 'p95', status: 'watching', pastSince: T0 + 6 * MIN });
  });

  it('a source serving only a threshold-for check: each poll line shows its reading, never "poll skipped"', async () => {
    const gauge = source('gauge', (m) => (m === 2 ? {} : { [latency.id]: { kind: 'value', value: m >= 3 ? 4.2 : 1.1 } }));
    const lines: string[] = [];
    const result = await watch({
      policy: { ...policy, checks: [latency] },
      schedule: { windowMs: 10 * MIN, intervalMs: MIN, initialDelayMs: MIN },
      clock: fakeClock(T0),
      sources: [gauge],
      since: T0,
      onPoll: (record) => lines.push(formatPollLine(record, T0, 10 * MIN)),
    });
    expect(result.verdict.outcome).toBe('fail');
    expect(lines.join('\n')).not.toMatch(/skipped/);
    expect(lines.slice(0, 5)).toEqual([
      '[01:00/10:00] p95 latency 1.1 s · watching',
      '[02:00/10:00] p95 latency – (no data) · watching',
      '[03:00/10:00] p95 latency 4.2 s (above 3 s for 0 s) · watching',
      '[04:00/10:00] p95 latency 4.2 s (above 3 s for 1 min) · watching',
      '[05:00/10:00] p95 latency 4.2 s (above 3 s for 2 min) · watching',
    ]);
    expect(lines.at(-1)).toBe('[06:00/10:00] p95 latency 4.2 s (above 3 s for 3 min) · FAIL: p95 latency');
  });

  it('when every source fails the poll is skipped, and the window ends without health data', async () => {
    const down = source('counts', () => new Error('connect ECONNREFUSED'));
    const result = await run([down], 3);
    // after a failed poll the gap doubles: minutes 1 and 3 (the window end always gets a poll)
    expect(result.polls.map((p) => [(p.at - T0) / MIN, p.sample === null && p.evaluations.length === 0])).toEqual([
      [1, true],
      [3, true],
    ]);
    expect(result.verdict.outcome).toBe('inconclusive');
    expect(result.verdict.reason).toMatch(/^no health data: all 2 polls of the tracker failed \(last error: connect ECONNREFUSED\)$/);
  });
});
