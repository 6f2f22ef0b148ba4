import { describe, expect, it } from 'vitest';
import { decide } from '../../src/reasons/decide';
import { evaluateThreshold } from '../../src/gate/threshold';
import type { GatePolicy, ValuePoint } from '../../src/gate/types';
import type { ThresholdForCheck } from '../../src/sources/types';

const MIN = 60_000;
const T0 = Date.parse('2026-06-03T02:00:00Z');

/** "p95 latency > 3 s for 5 min". */
const p95: ThresholdForCheck = { kind: 'threshold-for', id: 'p95-latency', label: 'p95 latency', source: 'prometheus', max: 3, forMs: 5 * MIN, unit: 's' };

/** One reading a minute from T0: a number, or null for a poll with no data. */
const series = (values: (number | null)[]): ValuePoint[] => values.map((value, i) => ({ at: T0 + i * MIN, value }));

const policy: GatePolicy = { checks: [p95], confidence: 0.95, minSessions: 0, passEarly: false, passMargin: null };

function decideOn(values: (number | null)[], final = false) {
  const points = series(values);
  const last = points.at(-1)!;
  return decide(policy, { observations: { [p95.id]: { kind: 'value', value: last.value } }, series: { [p95.id]: points }, sessions: null, at: last.at, final });
}

describe('threshold-for checks', () => {
  it('fail once the value has been past the limit at every poll for forMs', () => {
    // past from minute 2; minute 7 is 5 minutes later
    expect(decideOn([1, 2, 4, 4, 4, 4, 4]).verdict).toBeNull();
    const { verdict, thresholds } = decideOn([1, 2, 4, 4, 4, 4, 4, 4]);
    expect(verdict?.outcome).toBe('fail');
    expect(verdict?.check).toBe('p95-latency');
    expect(verdict?.reason).toBe('p95 latency 4 s has been above 3 s for 5 min (threshold-for; no statistical guarantee)');
    expect(thresholds[0]).toMatchObject({ status: 'fail', pastSince: T0 + 2 * MIN, value: 4 });
  });

  it('a poll with no data breaks the run: missing data never adds up to a fail', () => {
    expect(decideOn([4, 4, 4, null, 4, 4, 4, 4]).verdict).toBeNull();
    expect(evaluateThreshold(p95, series([4, 4, 4, null, 4, 4, 4, 4])).pastSince).toBe(T0 + 4 * MIN);
  });

  it('a value back within the limit breaks the run', () => {
    expect(decideOn([4, 4, 4, 2.9, 4, 4, 4, 4]).verdict).toBeNull();
  });

  it('at the window end an unbroken run shorter than forMs does not fail', () => {
    const { verdict, thresholds } = decideOn([1, 1, 1, 1, 4, 4, 4, 4], true);
    expect(thresholds[0]).toMatchObject({ status: 'watching', pastSince: T0 + 4 * MIN });
    expect(verdict?.outcome).toBe('pass');
  });

  it('a min limit fails when the value stays below it', () => {
    const floor: ThresholdForCheck = {
      kind: 'threshold-for',
      id: 'rps',
      label: 'requests per second',
      source: 'prometheus',
      min: 10,
      forMs: 2 * MIN,
      unit: '',
    };
    expect(evaluateThreshold(floor, series([12, 5, 5, 5])).status).toBe('fail');
    expect(evaluateThreshold(floor, series([12, 5, 5])).status).toBe('watching');
    expect(evaluateThreshold(floor, series([5, 5, 12])).status).toBe('watching');
  });

  it('forMs 0 fails on the first reading past the limit', () => {
    expect(evaluateThreshold({ ...p95, forMs: 0 }, series([4])).status).toBe('fail');
    expect(evaluateThreshold({ ...p95, forMs: 0 }, series([null])).status).toBe('watching');
  });
});
