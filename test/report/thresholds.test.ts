import { describe, expect, it } from 'vitest';
import type { ThresholdEvaluation } from '../../src/gate/types';
import { buildJsonReport } from '../../src/report/json';
import { buildSummary } from '../../src/report/summary';
import { failReport, MIN, passReport } from './fixtures';

const p95 = (over: Partial<ThresholdEvaluation> = {}): ThresholdEvaluation => ({
  id: 'p95',
  label: 'p95 latency',
  value: 4.2,
  pastSince: null,
  forMs: 5 * MIN,
  max: 3,
  unit: 's',
  status: 'watching',
  ...over,
});

describe('threshold-for checks in the report', () => {
  it('the summary lists one beside the rate checks, with its limit, value and how long it has been past, and no e-value', () => {
    const base = failReport();
    const report = failReport({
      verdict: { ...base.verdict, check: 'p95', thresholds: [p95({ pastSince: base.verdict.decidedAt - 6 * MIN, status: 'fail' })] },
    });
    const row = buildSummary(report)
      .split('\n')
      .find((l) => l.startsWith('| P95 latency |'));
    expect(row).toBe('| P95 latency | all | ≤ 3 s (for 5 min) | 4.2 s | – | – | – | past it for 6 min; no statistical guarantee | ❌ fail |');
  });

  it('the JSON report carries them only when there are some', () => {
    expect(buildJsonReport(passReport()).verdict).not.toHaveProperty('thresholds');
    const base = passReport();
    const json = buildJsonReport(passReport({ verdict: { ...base.verdict, thresholds: [p95({ value: null })] } }));
    expect(json.verdict.thresholds).toEqual([{ check: 'p95', value: null, pastSince: null, forMs: 300_000, status: 'watching' }]);
  });
});
