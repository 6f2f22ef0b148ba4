/*
 * Statistical properties of the gate over many simulated releases. Each
 * release gets `rate` users (= sessions) per minute with a true crash rate p,
 * is polled every minute, and stops at the first verdict. decide() is pure, so
 * memoising it by its input is safe and keeps thousands of runs fast.
 */
import { describe, expect, it } from 'vitest';
import { decide, type GatePolicy } from '../helpers/sentry-counts';
import { eFail } from '../../src/gate/evalue';
import { binomial, mulberry32 } from '../../src/sim/simulate';
import type { Outcome } from '../../src/gate/types';

interface Scenario {
  p0: number;
  p: number;
  rate: number;
  polls: number;
  runs: number;
  seed: number;
}

interface Result {
  failRate: number;
  /** Poll (1-based) at which each failing run failed. */
  failPolls: number[];
}

function simulate(s: Scenario): Result {
  const policy: GatePolicy = {
    limits: [{ id: 'crash-free-users', maxBadRate: s.p0, absoluteMaxBadRate: s.p0, source: 'absolute' }],
    confidence: 0.95,
    minSessions: 100,
    passEarly: false,
  };
  const memo = new Map<string, Outcome | null>();
  const rng = mulberry32(s.seed);
  const failPolls: number[] = [];
  for (let run = 0; run < s.runs; run++) {
    let k = 0;
    for (let t = 1; t <= s.polls; t++) {
      k += binomial(rng, s.rate, s.p);
      const n = s.rate * t;
      const final = t === s.polls;
      const key = `${n}:${k}:${final}`;
      let outcome = memo.get(key);
      if (outcome === undefined) {
        const c = { sessions: n, crashedSessions: k, erroredSessions: k, users: n, crashedUsers: k };
        outcome = decide(policy, { counts: c, projects: {}, newIssues: [], at: t * 60_000, final }).verdict?.outcome ?? null;
        memo.set(key, outcome);
      }
      if (outcome === 'fail') failPolls.push(t);
      if (outcome !== null) break;
    }
  }
  return { failRate: failPolls.length / s.runs, failPolls };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('false fails stay below 1 - confidence however often we poll', () => {
  it.each([
    [0.03, 20, 30],
    [0.03, 100, 30],
    [0.005, 1000, 20],
  ])('at the limit p0=%d, %i users/min, %i polls, 2,000 releases', (p0, rate, polls) => {
    const { failRate } = simulate({ p0, p: p0, rate, polls, runs: 2000, seed: rate + polls });
    expect(failRate).toBeLessThanOrEqual(0.05);
  });

  it('holds family-wise over the total and two projects (threshold 3/alpha = 60)', () => {
    const rng = mulberry32(99);
    const p0 = 0.03;
    let failed = 0;
    for (let run = 0; run < 2000; run++) {
      let k1 = 0;
      let k2 = 0;
      for (let t = 1; t <= 20; t++) {
        k1 += binomial(rng, 50, p0);
        k2 += binomial(rng, 150, p0);
        if (eFail(50 * t, k1, p0) >= 60 || eFail(150 * t, k2, p0) >= 60 || eFail(200 * t, k1 + k2, p0) >= 60) {
          failed++;
          break;
        }
      }
    }
    expect(failed / 2000).toBeLessThanOrEqual(0.05);
  });
});

describe('healthy releases essentially never fail', () => {
  it.each([5, 20, 100, 1000, 5000])('at half the limit, %i users/min, 10 polls: <= 0.5% of 2,000', (rate) => {
    for (const p0 of [0.03, 0.005]) {
      const { failRate } = simulate({ p0, p: p0 / 2, rate, polls: 10, runs: 2000, seed: 7 * rate });
      expect(failRate).toBeLessThanOrEqual(0.005);
    }
  });
});

describe('regressions are caught quickly', () => {
  it('4× the limit at 200 users/min fails within a few polls', () => {
    const big = simulate({ p0: 0.03, p: 0.12, rate: 200, polls: 10, runs: 1000, seed: 5 });
    expect(big.failRate).toBe(1);
    expect(median(big.failPolls)).toBe(1);
    expect(Math.max(...big.failPolls)).toBeLessThanOrEqual(3);
    const small = simulate({ p0: 0.005, p: 0.02, rate: 200, polls: 10, runs: 1000, seed: 6 });
    expect(small.failRate).toBeGreaterThanOrEqual(0.99);
    expect(median(small.failPolls)).toBeLessThanOrEqual(3);
  });

  it('4× the limit at 1000 users/min fails at the first poll', () => {
    const r = simulate({ p0: 0.005, p: 0.02, rate: 1000, polls: 10, runs: 1000, seed: 8 });
    expect(r.failRate).toBe(1);
    expect(median(r.failPolls)).toBe(1);
  });
});
