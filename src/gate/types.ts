import type { Check, CountCheck, CountItem, Observation, RatioCheck, RatioObservation, ThresholdForCheck } from '../sources/types';

export type Outcome = 'pass' | 'fail' | 'inconclusive';

export interface GatePolicy {
  /** What is judged: ratio checks (the anytime-valid test), count checks (new issues) and threshold-for checks. */
  checks: Check[];
  /** 0 < confidence < 1; the false-fail probability is bounded by 1 - confidence however often we poll. */
  confidence: number;
  /** Sessions the release must have seen for a pass (when a source counts sessions). */
  minSessions: number;
  /** Accepted for compatibility: no rate check can pass early validly (see PASS_EARLY_CHECKS in decide.ts). */
  passEarly: boolean;
  /**
   * At the window end, pass only when each bad rate's upper confidence bound
   * is below this multiple of its limit; else inconclusive. Null: off.
   */
  passMargin?: number | null;
}

export const ratioChecks = (policy: GatePolicy): RatioCheck[] => policy.checks.filter((c): c is RatioCheck => c.kind === 'ratio');
export const countChecks = (policy: GatePolicy): CountCheck[] => policy.checks.filter((c): c is CountCheck => c.kind === 'count');
export const thresholdChecks = (policy: GatePolicy): ThresholdForCheck[] => policy.checks.filter((c): c is ThresholdForCheck => c.kind === 'threshold-for');

/** The state of one ratio check on one scope (a project, or all of them) after one poll. */
export interface CheckEvaluation {
  id: string;
  /** What people read ("crash-free users"), what n and k count, and which share is shown: from the check. */
  label: string;
  units: { trials: string; bad: string };
  display: 'good' | 'bad';
  /** Scope (a project slug), or null for all scopes together. */
  project: string | null;
  maxBadRate: number;
  /** Trials (users or sessions) and bad trials (crashed users, crashed or unhealthy sessions). */
  n: number;
  k: number;
  /** The bad units the fail tests count: k, or bad users for the session checks (see the Sentry source). */
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
  /** At the last poll only: the same exact test on the second half of the window alone (see PollInput.recent). */
  recent?: { since: number; n: number; k: number; observedBadRate: number | null; p: number; alpha: number };
  status: 'fail' | 'healthy' | 'watching';
}

/** The state of one threshold-for check after one poll. */
export interface ThresholdEvaluation {
  id: string;
  label: string;
  /** The value read at this poll, or null (no data: the run is broken). */
  value: number | null;
  /** Epoch ms the current unbroken run past the limit started, or null when the value is within it. */
  pastSince: number | null;
  forMs: number;
  /** The check's limits and unit, for the report. */
  min?: number;
  max?: number;
  unit: string;
  status: 'fail' | 'watching';
}

export interface Verdict {
  outcome: Outcome;
  /** One human sentence naming the check, the scope and the numbers. */
  reason: string;
  /** Epoch ms of the poll that decided it. */
  decidedAt: number;
  /** The id of the check that decided it, or null. */
  check: string | null;
  project: string | null;
  evaluations: CheckEvaluation[];
  /** The item that decided a count check's failure (a new issue; the source's item, with whatever else it carries). */
  issue?: Pick<CountItem, 'id' | 'shortId' | 'title' | 'userCount'>;
  /** Threshold-for checks at the deciding poll, when the policy has any. */
  thresholds?: ThresholdEvaluation[];
}

/** What decided the release, as data: src/reasons puts it in words. */
export type Finding =
  | { kind: 'rate-fail'; e: CheckEvaluation; check: RatioCheck }
  | { kind: 'count-fail'; check: CountCheck; item: CountItem }
  | { kind: 'threshold-fail'; evaluation: ThresholdEvaluation; check: ThresholdForCheck }
  | { kind: 'passed-early'; e: CheckEvaluation; check: RatioCheck; eThreshold: number; sessions: number }
  | { kind: 'too-few-sessions'; sessions: number; minSessions: number }
  /** pass-margin: the bad rate's upper bound (on `effective` trials, after the design effect) is not below margin × the limit. */
  /** `needed`: the trials (as counted) that would rule out margin × the limit if bad ones kept coming at the observed rate. */
  | { kind: 'too-little-data'; e: CheckEvaluation; check: RatioCheck; upper: number; effective: number; margin: number; needed?: number }
  /** A pass with a rate on the wrong side of its limit, within chance for its counts. */
  | { kind: 'not-significant'; e: CheckEvaluation; check: RatioCheck; sessions: number }
  | { kind: 'within-limits'; e: CheckEvaluation | undefined; check: RatioCheck | undefined; sessions: number };

/** A verdict before it is put in words. */
export interface Decision extends Omit<Verdict, 'reason'> {
  finding: Finding;
}

/** One reading of a threshold-for check's value; null when that poll had no data for it. */
export interface ValuePoint {
  at: number;
  value: number | null;
}

/** What the decision core is given at each poll: observations by check id, from whichever sources. */
export interface PollInput {
  observations: Record<string, Observation>;
  /**
   * At the last poll, by ratio check id: the counts of the window's second
   * half alone (from `since` to the poll), counted over that span by the
   * source. A release that turns bad mid-window is diluted in the counts since
   * the deploy; these show it undiluted.
   */
  recent?: Record<string, { since: number; observation: RatioObservation }>;
  /** Every reading so far of each threshold-for check, oldest first, this poll's last. */
  series?: Record<string, ValuePoint[]>;
  /** Sessions since the deploy, for min-sessions; null when no source counts sessions. */
  sessions: number | null;
  at: number;
  /** True at the last poll of the window: undecided checks become pass or inconclusive. */
  final: boolean;
}
