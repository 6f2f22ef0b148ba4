import { trials, type SessionCheckId } from '../src/sources/sentry/health';
import { binomialTailP } from '../src/gate/final-look';
import { ratioChecks, type GatePolicy, type Outcome } from '../src/gate/types';
import type { Schedule } from '../src/pipeline/watch';
import { type RecordedSample, replayRelease } from '../src/replay/replay';
import type { HealthCounts } from '../src/sources/sentry/types';

export interface Decision {
  verdict: Outcome;
  /** Seconds since the deploy when the gate stopped (fail, or pass); window end when inconclusive. */
  stoppedAt: number;
}

/** Everything a strategy is given: the same polls, the same samples. */
export interface Run {
  policy: GatePolicy;
  schedule: Schedule;
  /** Poll times, ms since the deploy (the gate's schedule). */
  polls: readonly number[];
  samples: readonly RecordedSample[];
}

export interface Strategy {
  key: string;
  label: string;
  decide(run: Run): Decision;
}

const ZERO: HealthCounts = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 };

/** What each poll saw: the latest sample at or before it. */
export function countsAtPolls(polls: readonly number[], samples: readonly RecordedSample[]): HealthCounts[] {
  const out: HealthCounts[] = [];
  let seen = -1;
  for (const at of polls) {
    while (seen + 1 < samples.length && samples[seen + 1]!.t * 1000 <= at) seen++;
    out.push(seen >= 0 ? samples[seen]! : ZERO);
  }
  return out;
}

/** The naive strategies watch the first rate check of the policy, as a user would configure them. */
function mainCheck(policy: GatePolicy): { id: SessionCheckId; p0: number } {
  const limit = ratioChecks(policy)[0];
  if (!limit) throw new Error('the benchmark needs a rate check');
  return { id: limit.id as SessionCheckId, p0: limit.maxBadRate };
}

/** Fails are counted however few sessions there are; a pass still needs min-sessions, like the gate's. */
function endOfWindow(run: Run, seen: HealthCounts): Decision {
  const windowSec = run.schedule.windowMs / 1000;
  return { verdict: seen.sessions >= run.policy.minSessions ? 'pass' : 'inconclusive', stoppedAt: windowSec };
}

const over = (n: number, k: number, p0: number) => n > 0 && k / n > p0;

/**
 * The users of the window's second half, as a recording's `secondHalf`: the
 * difference of cumulative users from the last poll at or before mid-window,
 * which is exact here because the simulated users visit once (real users come
 * back, and a tracker must count them over the span).
 */
function secondHalf(run: Run): { users: number; crashedUsers: number } {
  const seen = countsAtPolls(run.polls, run.samples);
  const mid = run.polls.findLastIndex((at) => at <= run.schedule.windowMs / 2);
  const base = mid >= 0 ? seen[mid]! : ZERO;
  const last = seen.at(-1) ?? ZERO;
  return { users: last.users - base.users, crashedUsers: last.crashedUsers - base.crashedUsers };
}

export const ours = (passEarly: boolean, margin = true): Strategy => ({
  key: !margin ? 'ours-nm' : passEarly ? 'ours-pe' : 'ours',
  label: !margin ? 'gate, pass-margin off' : passEarly ? 'gate, pass-early' : 'gate',
  decide(run) {
    const policy = margin ? run.policy : { ...run.policy, passMargin: null };
    const r = replayRelease({ ...policy, passEarly }, run.schedule, run.samples, run.polls, secondHalf(run));
    return { verdict: r.verdict, stoppedAt: r.decidedAt ?? run.schedule.windowMs / 1000 };
  },
});

/** The seed: one look at the end of the window, observed rate against the limit. */
export const endOnly: Strategy = {
  key: 'end',
  label: 'end-of-window check',
  decide(run) {
    const { id, p0 } = mainCheck(run.policy);
    const seen = countsAtPolls(run.polls, run.samples).at(-1) ?? ZERO;
    const { n, k } = trials(id, seen);
    return over(n, k, p0) ? { verdict: 'fail', stoppedAt: run.schedule.windowMs / 1000 } : endOfWindow(run, seen);
  },
};

/** Fails at the first poll whose cumulative observed rate is past the limit. */
export const naive: Strategy = {
  key: 'naive',
  label: 'naive every poll',
  decide(run) {
    const { id, p0 } = mainCheck(run.policy);
    const seen = countsAtPolls(run.polls, run.samples);
    for (const [i, c] of seen.entries()) {
      const { n, k } = trials(id, c);
      if (over(n, k, p0)) return { verdict: 'fail', stoppedAt: run.polls[i]! / 1000 };
    }
    return endOfWindow(run, seen.at(-1) ?? ZERO);
  },
};

/**
 * Argo Rollouts' AnalysisRun: one measurement per interval of what happened
 * in that interval alone (the query is a rate over the last interval, not
 * since the deploy), successCondition `rate <= limit`, and the analysis fails
 * once failed measurements exceed `failureLimit`. Argo counts failed
 * measurements in total, not consecutively. An interval with no new data is
 * an inconclusive measurement and does not count.
 */
export const argo = (failureLimit: number): Strategy => ({
  key: 'argo',
  label: `Argo-style (failureLimit ${failureLimit})`,
  decide(run) {
    const { id, p0 } = mainCheck(run.policy);
    const seen = countsAtPolls(run.polls, run.samples);
    let failed = 0;
    let prev = ZERO;
    for (const [i, c] of seen.entries()) {
      const now = trials(id, c);
      const before = trials(id, prev);
      prev = c;
      if (over(now.n - before.n, now.k - before.k, p0)) failed += 1;
      if (failed > failureLimit) return { verdict: 'fail', stoppedAt: run.polls[i]! / 1000 };
    }
    return endOfWindow(run, seen.at(-1) ?? ZERO);
  },
});

/**
 * A reference, not a gate: one exact binomial test at the window end with the
 * whole alpha (1 - confidence), on the counts since the deploy. For a
 * regression present from the deploy it is the most powerful test that keeps
 * false fails at most alpha at this sample size (the one-sided binomial test
 * is uniformly most powerful), so no valid gate catches much more of those
 * regressions: it shows where a target is beyond what the data can tell.
 * Unlike the gate it looks once, so it cannot fail early.
 */
export const bestFixed: Strategy = {
  key: 'bound',
  label: 'bound: one exact test at the end, whole α',
  decide(run) {
    const { id, p0 } = mainCheck(run.policy);
    const seen = countsAtPolls(run.polls, run.samples).at(-1) ?? ZERO;
    const { n, k } = trials(id, seen);
    const alpha = 1 - run.policy.confidence;
    return binomialTailP(n, k, p0) <= alpha ? { verdict: 'fail', stoppedAt: run.schedule.windowMs / 1000 } : endOfWindow(run, seen);
  },
};

/** failureLimit 2: the third failed measurement fails the analysis. */
export const ARGO_FAILURE_LIMIT = 2;

export const STRATEGIES: Strategy[] = [ours(false), ours(true), ours(false, false), endOnly, naive, argo(ARGO_FAILURE_LIMIT), bestFixed];
