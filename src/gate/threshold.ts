import type { ThresholdForCheck } from '../sources/types';
import type { ThresholdEvaluation, ValuePoint } from './types';

/** True when the value is past the check's limit (below min, or above max). */
export function isPast(check: ThresholdForCheck, value: number): boolean {
  return (check.min !== undefined && value < check.min) || (check.max !== undefined && value > check.max);
}

/**
 * A threshold-for check: "p95 > 3 s FOR 10 m". It fails when the value was
 * past the limit at every poll of a run spanning at least `forMs` (from the
 * first poll of the run to the latest). A poll with no data, or with the value
 * within the limit, breaks the run, so missing data never adds up to a fail.
 * At the window end an unbroken run shorter than forMs does not fail: the
 * check only fails on what it saw for the whole time.
 *
 * Unlike the ratio checks it carries no statistical guarantee: a gauge has no
 * counts to bound the chance of a false fail. It is as good as the alert
 * people would write by hand, and reports say so.
 */
export function evaluateThreshold(check: ThresholdForCheck, series: readonly ValuePoint[]): ThresholdEvaluation {
  const last = series.at(-1);
  let pastSince: number | null = null;
  for (let i = series.length - 1; i >= 0; i -= 1) {
    const point = series[i]!;
    if (point.value === null || !isPast(check, point.value)) break;
    pastSince = point.at;
  }
  const held = last !== undefined && pastSince !== null && last.at - pastSince >= check.forMs;
  return {
    id: check.id,
    label: check.label,
    value: last?.value ?? null,
    pastSince,
    forMs: check.forMs,
    ...(check.min === undefined ? {} : { min: check.min }),
    ...(check.max === undefined ? {} : { max: check.max }),
    unit: check.unit,
    status: held ? 'fail' : 'watching',
  };
}
