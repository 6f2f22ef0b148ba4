import type { CountCheck, CountItem, RatioCheck, RatioCounts } from '../sources/types';
import { eFail, ePass } from './evalue';
import { binomialTailP, FINAL_LOOK_SHARE } from './final-look';
import { exactInterval, lowerConfidenceBound, trialsToRuleOut, upperConfidenceBound } from './interval';
import { evaluateThreshold } from './threshold';
import {
  countChecks,
  ratioChecks,
  thresholdChecks,
  type CheckEvaluation,
  type GatePolicy,
  type PollInput,
  type Decision,
  type ThresholdEvaluation,
} from './types';

/**
 * alpha = 1 - confidence, rounded so 0.95 gives exactly 0.05 (and a threshold
 * of exactly 20) rather than 0.050000000000000044.
 */
function alphaOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return Number((1 - confidence).toPrecision(12));
}

const NO_DATA: RatioCounts = { n: 0, k: 0 };

/** The scopes a ratio check is tested on: all of them together, and each scope when there are several. */
function scopes(poll: PollInput, check: RatioCheck): { project: string | null; counts: RatioCounts }[] {
  const observation = poll.observations[check.id];
  if (observation?.kind !== 'ratio') return [{ project: null, counts: NO_DATA }];
  const each = Object.entries(observation.scopes ?? {});
  return [{ project: null, counts: observation.counts }, ...(each.length > 1 ? each.map(([project, counts]) => ({ project, counts })) : [])];
}

/** The recent counts of one scope, or undefined when the source gave none for it. */
function recentOf(poll: PollInput, check: RatioCheck, project: string | null): { since: number; counts: RatioCounts } | undefined {
  const recent = poll.recent?.[check.id];
  if (!recent) return undefined;
  const counts = project === null ? recent.observation.counts : recent.observation.scopes?.[project];
  return counts && { since: recent.since, counts };
}

/**
 * The exact tests at the last poll (see FINAL_LOOK_SHARE): on everything since
 * the deploy and, when known, on the window's second half alone, each at half
 * the final share, so a slow burn is judged on the span where it burns.
 */
function finalLook(e: CheckEvaluation, recent: { since: number; counts: RatioCounts } | undefined, finalAlpha: number): void {
  // Half each, also when the recent counts are missing, so a missing query never makes the other test stricter or looser.
  const level = finalAlpha / 2;
  e.finalP = binomialTailP(e.n, e.kTested ?? e.k, e.maxBadRate);
  e.finalAlpha = level;
  if (e.finalP <= level) {
    // Decided by this exact test, not the e-process: show the interval of this test (see exactInterval).
    if (e.status !== 'fail') e.interval = exactInterval(e.n, e.k, level);
    e.status = 'fail';
  }
  if (!recent) return;
  const { n, k } = recent.counts;
  const p = binomialTailP(n, recent.counts.kTested ?? k, e.maxBadRate);
  e.recent = { since: recent.since, n, k, observedBadRate: n > 0 ? k / n : null, p, alpha: level };
  if (p <= level) e.status = 'fail';
}

/**
 * Every (check, scope) is a separate test; splitting alpha over the m of them
 * (Bonferroni: each needs E >= m/alpha) keeps the chance that any of them
 * falsely fails the release at most alpha, at every poll at once (Ville).
 * The interval is taken at the same per-test level, so a check fails exactly
 * when its interval lies wholly past the limit.
 */
function evaluate(check: RatioCheck, project: string | null, counts: RatioCounts, threshold: number, perTestConfidence: number): CheckEvaluation {
  const { n, k } = counts;
  const kTested = counts.kTested ?? k;
  const p0 = check.maxBadRate;
  const fail = eFail(n, kTested, p0);
  // Shown for the record; no check may pass on it (see PASS_EARLY_CHECKS).
  const pass = ePass(n, k, p0);
  return {
    id: check.id,
    label: check.label,
    units: check.units,
    display: check.display,
    project,
    maxBadRate: p0,
    n,
    k,
    kTested,
    observedBadRate: n > 0 ? k / n : null,
    // The low end is the test's (it fails exactly when the limit is below it); the high end describes the counts.
    interval: n > 0 ? [lowerConfidenceBound(n, kTested, perTestConfidence), upperConfidenceBound(n, k, perTestConfidence)] : null,
    eFail: fail,
    ePass: pass,
    eThreshold: threshold,
    status: fail >= threshold ? 'fail' : pass >= threshold && PASS_EARLY_CHECKS.has(check.id) ? 'healthy' : 'watching',
  };
}

/** The evaluation that should name a failure: the overall scope first, then the strongest evidence. */
function pickFailure(failing: CheckEvaluation[]): CheckEvaluation | undefined {
  const rank = (e: CheckEvaluation): number => (e.project === null ? 1 : 0);
  return [...failing].sort((x, y) => rank(y) - rank(x) || y.eFail - x.eFail)[0];
}

/**
 * Pass-early stops the watch on the mirrored test (evidence that the bad rate
 * is below the limit). That test is valid only on units whose outcome is
 * final when counted, and independent. No rate check has such units in
 * Sentry's counts (issue #19.4):
 * - crash-free users: a user counted healthy can crash in a later session
 *   within the window, so the crashed share so far is biased low (at the limit,
 *   3.5–100% of releases passed early where 5% was promised);
 * - crash-free sessions and error rate: a session is counted when it starts and
 *   its crash or error arrives later, and bad sessions cluster by user, which
 *   makes a low count more likely than binomial; bad users (see testedTrials)
 *   bound bad sessions from below, which serves a fail and never a pass.
 * The fail side stays valid: counting a bad unit late only delays a fail.
 * So pass-early passes no rate check; the set is where a valid one would go.
 */
export const PASS_EARLY_CHECKS: ReadonlySet<string> = new Set<string>();

export interface Unresolved {
  e: CheckEvaluation;
  upper: number;
  /** Trials the bound stands on, after the design effect. */
  effective: number;
  /** Trials (as counted, before the design effect) that would rule out margin × the limit at the observed rate; unset when none would. */
  needed?: number;
}

/**
 * The check whose data rule out least (issue #19.6): a pass must mean that
 * each bad rate's upper bound is below `margin` × its limit. Bad sessions that
 * come in bunches per user carry less information than their number: the
 * bound is taken on the sessions divided by a design-effect estimate from the
 * bad sessions per bad user m, 2m − 1 (the variance ratio if a bad user's bad
 * sessions were geometric; 1 when every bad session is another user's). It is
 * an estimate, not a bound: with heavy-tailed users at design effect 3 the
 * benchmark passes 4–10% of 2× regressions (11% at worst with m alone, 40–83%
 * judging sessions as independent; bench/RESULTS.md, clustered traffic).
 */
function weakest(evaluations: CheckEvaluation[], margin: number, alpha: number): Unresolved | undefined {
  let worst: (Unresolved & { ratio: number; deff: number }) | undefined;
  for (const e of evaluations) {
    if (e.n === 0) continue;
    const deff = (e.kTested ?? e.k) > 0 ? Math.max(1, (2 * e.k) / (e.kTested ?? e.k) - 1) : 1;
    const n = e.n / deff;
    // The pass claim is made once, at the window end: a fixed-sample (Clopper–Pearson) bound is the right one.
    const trialsN = Math.max(1, Math.floor(n));
    const upper = exactInterval(trialsN, Math.min(trialsN, Math.round(e.k / deff)), alpha)![1];
    const ratio = upper / (margin * e.maxBadRate);
    if (ratio >= 1 && (!worst || ratio > worst.ratio)) worst = { e, upper, effective: n, ratio, deff };
  }
  if (!worst) return undefined;
  // Said with the inconclusive verdict so a user can size the window (or min traffic) the limit needs; it decides nothing.
  const { e, deff } = worst;
  const needed = trialsToRuleOut(e.k / e.n, margin * e.maxBadRate, alpha);
  return { e, upper: worst.upper, effective: worst.effective, ...(needed === undefined ? {} : { needed: Math.ceil(needed * deff) }) };
}

/** The worst of some items (new issues): the one affecting most users, the first of equals. The one place it is picked. */
export function worstItem<T extends Pick<CountItem, 'userCount'>>(items: readonly T[]): T | undefined {
  return items.reduce<T | undefined>((worst, i) => (!worst || i.userCount > worst.userCount ? i : worst), undefined);
}

/** The worst item past a count check's limit. */
function worstPast(check: CountCheck, poll: PollInput): CountItem | undefined {
  const observation = poll.observations[check.id];
  if (observation?.kind !== 'count') return undefined;
  return worstItem(observation.items.filter((i) => i.userCount > check.maxUsers));
}

/**
 * One poll's decision. Pure: the same policy and poll always give the same
 * answer, and time enters only as `poll.at`. Returns every (check, scope)
 * evaluation, and a decision once the release is decided (null means keep
 * watching): what was found, as data; src/reasons puts it in words.
 */
export function judge(policy: GatePolicy, poll: PollInput): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; decision: Decision | null } {
  const alpha = alphaOf(policy.confidence);
  const ratios = ratioChecks(policy);
  const tested = ratios.map((check) => ({ check, scopes: scopes(poll, check) }));
  const m = Math.max(
    1,
    tested.reduce((sum, t) => sum + t.scopes.length, 0),
  );
  // alpha is shared between the anytime-valid test at every poll and one exact test at the last poll.
  const alphaSequential = alpha * (1 - FINAL_LOOK_SHARE);
  const finalAlpha = (alpha * FINAL_LOOK_SHARE) / m;
  const threshold = m / alphaSequential;
  const perTestConfidence = 1 - alphaSequential / m;
  const evaluations: CheckEvaluation[] = [];
  const limitOf = new Map<CheckEvaluation, RatioCheck>();
  for (const { check, scopes: each } of tested) {
    for (const scope of each) {
      const e = evaluate(check, scope.project, scope.counts, threshold, perTestConfidence);
      if (poll.final) finalLook(e, recentOf(poll, check, scope.project), finalAlpha);
      evaluations.push(e);
      limitOf.set(e, check);
    }
  }
  const gauges = thresholdChecks(policy);
  const thresholds = gauges.map((check) => evaluateThreshold(check, poll.series?.[check.id] ?? []));
  const decided = (
    d: Omit<Decision, 'decidedAt' | 'evaluations'>,
  ): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; decision: Decision } => ({
    evaluations,
    thresholds,
    decision: { ...d, decidedAt: poll.at, evaluations, ...(thresholds.length > 0 ? { thresholds } : {}) },
  });

  const failed = pickFailure(evaluations.filter((e) => e.status === 'fail'));
  if (failed) {
    return decided({ outcome: 'fail', finding: { kind: 'rate-fail', e: failed, check: limitOf.get(failed)! }, check: failed.id, project: failed.project });
  }

  for (const check of countChecks(policy)) {
    const worst = worstPast(check, poll);
    if (worst) return decided({ outcome: 'fail', finding: { kind: 'count-fail', check, item: worst }, check: check.id, project: worst.scope, issue: worst });
  }

  const held = thresholds.find((t) => t.status === 'fail');
  if (held)
    return decided({
      outcome: 'fail',
      finding: { kind: 'threshold-fail', evaluation: held, check: gauges.find((c) => c.id === held.id)! },
      check: held.id,
      project: null,
    });

  // Sessions when a source counts them; else the most trials any ratio check saw.
  const sessions = poll.sessions ?? Math.max(0, ...evaluations.filter((e) => e.project === null).map((e) => e.n));
  const enough = sessions >= policy.minSessions;
  const main = evaluations[0];
  if (policy.passEarly && enough && main && evaluations.every((e) => e.status === 'healthy')) {
    return decided({
      outcome: 'pass',
      finding: { kind: 'passed-early', e: main, check: limitOf.get(main)!, eThreshold: threshold, sessions },
      check: main.id,
      project: null,
    });
  }

  if (!poll.final) return { evaluations, thresholds, decision: null };
  if (!enough) {
    return decided({ outcome: 'inconclusive', finding: { kind: 'too-few-sessions', sessions, minSessions: policy.minSessions }, check: null, project: null });
  }
  const margin = policy.passMargin ?? null;
  const unresolved = margin === null ? undefined : weakest(evaluations, margin, alpha / m);
  if (unresolved && margin !== null) {
    const finding = {
      kind: 'too-little-data' as const,
      e: unresolved.e,
      check: limitOf.get(unresolved.e)!,
      upper: unresolved.upper,
      effective: unresolved.effective,
      margin,
      ...(unresolved.needed === undefined ? {} : { needed: unresolved.needed }),
    };
    return decided({ outcome: 'inconclusive', finding, check: unresolved.e.id, project: unresolved.e.project });
  }
  // A pass is "not shown to be past a limit". When a rate is on the wrong side of its limit but
  // within chance for its counts, say so: "within limits" would misstate what was observed.
  const past = evaluations.filter((e) => e.observedBadRate !== null && e.observedBadRate > e.maxBadRate).sort((x, y) => (x.finalP ?? 1) - (y.finalP ?? 1))[0];
  if (past)
    return decided({ outcome: 'pass', finding: { kind: 'not-significant', e: past, check: limitOf.get(past)!, sessions }, check: past.id, project: null });
  return decided({
    outcome: 'pass',
    finding: { kind: 'within-limits', e: main, check: main && limitOf.get(main), sessions },
    check: main?.id ?? null,
    project: null,
  });
}
