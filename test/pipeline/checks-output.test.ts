import { describe, expect, it } from 'vitest';
import type { CheckEvaluation, ThresholdEvaluation, Verdict } from '../../src/gate/types';
import { checksOutput } from '../../src/pipeline/outcome';

const ratio = (id: string, status: CheckEvaluation['status'], observed: number | null, project: string | null = null): CheckEvaluation => ({
  id,
  label: id,
  units: { trials: 'events', bad: 'bad' },
  display: 'bad',
  project,
  maxBadRate: 0.02,
  n: 1000,
  k: 72,
  observedBadRate: observed,
  interval: null,
  eFail: 1,
  ePass: 1,
  eThreshold: 40,
  status,
});
const probe = (value: number | null, status: ThresholdEvaluation['status']): ThresholdEvaluation => ({
  id: 'uptime probe',
  label: 'uptime probe',
  value,
  pastSince: null,
  forMs: 120_000,
  min: 1,
  unit: '',
  status,
});
const verdict = (v: Partial<Verdict>): Verdict => ({ outcome: 'pass', reason: '', decidedAt: 0, check: null, project: null, evaluations: [], ...v });

describe('the checks output', () => {
  it('is compact JSON of each check: verdict, observed, limit', () => {
    const out = checksOutput(
      verdict({
        outcome: 'fail',
        check: '5xx rate',
        evaluations: [ratio('5xx rate', 'fail', 0.072), ratio('5xx rate', 'fail', 0.5, 'web')],
        thresholds: [probe(1, 'watching')],
      }),
    );
    expect(out).toBe('{"5xx rate":{"verdict":"fail","observed":0.072,"limit":0.02},"uptime probe":{"verdict":"undecided","observed":1,"limit":1}}');
  });

  it('gives every check the overall verdict when nothing failed, and null for no data', () => {
    const out = JSON.parse(
      checksOutput(verdict({ outcome: 'inconclusive', evaluations: [ratio('5xx rate', 'watching', null)], thresholds: [probe(null, 'watching')] })),
    );
    expect(out).toEqual({
      '5xx rate': { verdict: 'inconclusive', observed: null, limit: 0.02 },
      'uptime probe': { verdict: 'inconclusive', observed: null, limit: 1 },
    });
  });
});
