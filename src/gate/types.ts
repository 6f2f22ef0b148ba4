import type { HealthCounts, NewIssue } from '../tracker/types';

export type Outcome = 'pass' | 'fail' | 'inconclusive';
export type RateCheckId = 'crash-free-users' | 'crash-free-sessions' | 'error-rate';
export type CheckId = RateCheckId | 'new-issues';

/** A rate check: H0 "the bad fraction is at most `maxBadRate`". */
export interface RateLimit {
  id: RateCheckId;
  /** p0: the largest acceptable fraction of bad units (1 - min crash-free, or max error rate). */
  maxBadRate: number;
  /** The absolute limit from the inputs, and where `maxBadRate` came from. */
  absoluteMaxBadRate: number;
  source: 'absolute' | 'baseline';
}

export interface GatePolicy {
  limits: RateLimit[];
  /** 0 < confidence < 1; the false-fail probability is bounded by 1 - confidence however often we poll. */
  confidence: number;
  minSessions: number;
  /** Accepted for compatibility: no rate check can pass early validly (see PASS_EARLY_CHECKS in decide.ts). */
  passEarly: boolean;
  /**
   * At the window end, pass only when each bad rate's upper confidence bound
   * is below this multiple of its limit; else inconclusive. Null: off.
   */
  passMargin?: number | null;
  /** Fail when one new issue affects more than this many users; undefined disables the check. */
  maxNewIssueUsers?: number;
}

/** The state of one rate check on one scope (a project, or all projects) after one poll. */
export interface CheckEvaluation {
  id: RateCheckId;
  /** Project slug, or null for all projects together. */
  project: string | null;
  maxBadRate: number;
  /** Trials (users or sessions) and bad trials (crashed users, crashed or unhealthy sessions). */
  n: number;
  k: number;
  /** The bad units the fail tests count: k, or bad users for the session checks (see testedTrials). */
  kTested?: number;
  /** k / n, or null when n = 0. */
  observedBadRate: number | null;
  /**
   * Anytime-valid interval of the bad rate at the per-test confidence, or null
   * when n = 0. When the end-of-window exact test on these counts decided a
   * fail, the exact interval at that test's level instead (the one that agrees
   * with it; see exactInterval).
   */
  interval: [number, number] | null;
  /** Evidence against "healthy" (H0: p <= p0) and, mirrored, against "unhealthy" (H0: p >= p0). */
  eFail: number;
  ePass: number;
  /** The e-value each must reach (1/alpha after splitting alpha over the tests run). */
  eThreshold: number;
  /** At the last poll only: the exact binomial p-value of the end-of-window test, and the level it must reach. */
  finalP?: number;
  finalAlpha?: number;
  /** At the last poll only: the same exact test on the second half of the window alone (see RecentCounts). */
  recent?: { since: number; n: number; k: number; observedBadRate: number | null; p: number; alpha: number };
  status: 'fail' | 'healthy' | 'watching';
}

export interface Verdict {
  outcome: Outcome;
  /** One human sentence naming the check, the scope and the numbers. */
  reason: string;
  /** Epoch ms of the poll that decided it. */
  decidedAt: number;
  check: CheckId | null;
  project: string | null;
  evaluations: CheckEvaluation[];
  /** The issue that decided a `new-issues` failure. */
  issue?: NewIssue;
}

/** What the decision core is given at each poll. */
export interface PollInput {
  counts: HealthCounts;
  projects: Record<string, HealthCounts>;
  newIssues: NewIssue[];
  at: number;
  /** True at the last poll of the window: undecided checks become pass or inconclusive. */
  final: boolean;
  /** At the last poll: the counts of the window's second half alone, when they are known. */
  recent?: RecentCounts;
}

/**
 * Counts from `since` (epoch ms, mid-window) to the final poll. A release that
 * turns bad mid-window is diluted in the counts since the deploy; these show it
 * undiluted. Users must be counted over this span by the tracker: the
 * difference of two counts of distinct users since the deploy is not the users
 * seen in between (a returning user is in neither difference of users but can
 * be in the difference of crashed users), so it could fail a healthy release.
 */
export interface RecentCounts {
  since: number;
  counts: HealthCounts;
  projects: Record<string, HealthCounts>;
}
