import type { CountCheck, CountItem, RatioCheck, RatioCounts, ThresholdForCheck } from '../sources/types';
import { eFail, ePass } from './evalue';
import {
  displayInterval,
  displayRate,
  formatCount,
  formatEValue,
  formatLimitPercent,
  formatP,
  formatPercent,
  formatPercentRange,
  showsGoodFraction,
} from './format';
import { binomialTailP, FINAL_LOOK_SHARE } from './final-look';
import { exactInterval, lowerConfidenceBound, upperConfidenceBound } from './interval';
import { oneLine } from '../util/text';
import { formatDuration } from '../report/format';
import { formatValue } from './format';
import { evaluateThreshold } from './threshold';
import { countChecks, ratioChecks, thresholdChecks, type CheckEvaluation, type GatePolicy, type PollInput, type ThresholdEvaluation, type Verdict } from './types';

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

/** "92.4% (interval 90.1–94.3%, 1,204 users, 92 crashed)": the numbers of an evaluation, without its label. */
function describeNumbers(e: CheckEvaluation): string {
  const units = e.units;
  if (e.observedBadRate === null || e.interval === null) return `no data yet (0 ${units.trials})`;
  const users = e.kTested !== undefined && e.kTested !== e.k ? ` in ${formatCount(e.kTested ?? e.k)} users` : '';
  const counts = `${formatCount(e.n)} ${units.trials}, ${formatCount(e.k)} ${units.bad}${users}`;
  return `${formatPercent(displayRate(e.display, e.observedBadRate))} (interval ${formatPercentRange(displayInterval(e.display, e.interval))}, ${counts})`;
}

const labelOf = (e: CheckEvaluation): string => `${e.label}${e.project === null ? '' : ` in ${e.project}`}`;

/** "crash-free users in shop-web 92.4% (interval 90.1–94.3%, 1,204 users, 92 crashed)" */
export function describeEvaluation(e: CheckEvaluation): string {
  const numbers = describeNumbers(e);
  return e.observedBadRate === null ? `${labelOf(e)}: ${numbers}` : `${labelOf(e)} ${numbers}`;
}

function limitText(limit: RatioCheck): string {
  const value = formatLimitPercent(displayRate(limit.display, limit.maxBadRate));
  return limit.limitSource === 'baseline' ? `${value} limit (from the previous release)` : `${value} limit`;
}

/** Polls drift by the time requests take: "the last 8 min" reads better than "7 min 59 s". */
const spanMs = (ms: number) => (ms >= 120_000 ? Math.round(ms / 60_000) * 60_000 : ms);

function failReason(e: CheckEvaluation, limit: RatioCheck, at: number): string {
  const side = showsGoodFraction(e.display) ? 'below' : 'above';
  const sequential = e.eFail >= e.eThreshold;
  const recent = e.recent;
  const cumulativeFailed = sequential || (e.finalP !== undefined && e.finalP <= (e.finalAlpha ?? 0));
  if (!cumulativeFailed && recent && recent.p <= recent.alpha) {
    const units = e.units;
    const rate = recent.observedBadRate === null ? '–' : formatPercent(displayRate(e.display, recent.observedBadRate));
    return (
      `${labelOf(e)} over the last ${formatDuration(spanMs(at - recent.since))} ${rate} (${formatCount(recent.n)} ${units.trials}, ${formatCount(recent.k)} ${units.bad}) ` +
      `is ${side} the ${limitText(limit)} (end-of-window test of the window's second half p = ${formatP(recent.p)} ≤ ${formatP(recent.alpha)}); since the deploy: ${describeNumbers(e)}`
    );
  }
  const evidence =
    sequential || e.finalP === undefined
      ? `e-value ${formatEValue(e.eFail)} ≥ ${formatEValue(e.eThreshold)}`
      : `end-of-window test p = ${formatP(e.finalP)} ≤ ${formatP(e.finalAlpha ?? 0)}`;
  return `${describeEvaluation(e)} is ${side} the ${limitText(limit)} (${evidence})`;
}

function newIssueReason(issue: CountItem, max: number): string {
  return `new issue ${oneLine(issue.shortId, 40)} "${oneLine(issue.title, 80)}" affects ${formatCount(issue.userCount)} users, more than the ${formatCount(max)} allowed (max-new-issue-users)`;
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

interface Unresolved {
  e: CheckEvaluation;
  upper: number;
  /** Trials the bound stands on, after the design effect. */
  effective: number;
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
  let worst: (Unresolved & { ratio: number }) | undefined;
  for (const e of evaluations) {
    if (e.n === 0) continue;
    const deff = (e.kTested ?? e.k) > 0 ? Math.max(1, (2 * e.k) / (e.kTested ?? e.k) - 1) : 1;
    const n = e.n / deff;
    // The pass claim is made once, at the window end: a fixed-sample (Clopper–Pearson) bound is the right one.
    const trialsN = Math.max(1, Math.floor(n));
    const upper = exactInterval(trialsN, Math.min(trialsN, Math.round(e.k / deff)), alpha)![1];
    const ratio = upper / (margin * e.maxBadRate);
    if (ratio >= 1 && (!worst || ratio > worst.ratio)) worst = { e, upper, effective: n, ratio };
  }
  return worst;
}

const MARGIN_NOUNS: Record<string, string> = {
  'crash-free-users': 'a crashed-user rate',
  'crash-free-sessions': 'a crash rate',
  'error-rate': 'an error rate',
};

function marginReason(u: Unresolved, limit: RatioCheck, margin: number): string {
  const e = u.e;
  const units = e.units.trials;
  const scope = e.project === null ? '' : ` in ${e.project}`;
  const clustered = u.effective < e.n - 0.5 ? ` (bad ${units} come in bunches per user: worth ${formatCount(Math.floor(u.effective))})` : '';
  return (
    `too little data to pass: with ${formatCount(e.n)} ${units}${scope}${clustered}, ${MARGIN_NOUNS[e.id] ?? `a ${e.units.bad} rate`} up to ${formatPercent(u.upper)} cannot be ruled out, ` +
    `more than ${formatMargin(margin)} the ${formatLimitPercent(limit.maxBadRate)} the ${limitText(limit)} allows (pass-margin ${formatMargin(margin).replace('×', 'x')}); observed ${formatPercent(e.observedBadRate ?? 0)}`
  );
}

const formatMargin = (m: number) => `${Number(m.toPrecision(3))}×`;

/** The worst item past a count check's limit: the one affecting most users. */
function worstItem(check: CountCheck, poll: PollInput): CountItem | undefined {
  const observation = poll.observations[check.id];
  if (observation?.kind !== 'count') return undefined;
  return observation.items.filter((i) => i.userCount > check.maxUsers).sort((x, y) => y.userCount - x.userCount)[0];
}

function thresholdReason(t: ThresholdEvaluation, check: ThresholdForCheck): string {
  const limit = check.max !== undefined && t.value !== null && t.value > check.max ? `above ${formatValue(check.max, check.unit)}` : `below ${formatValue(check.min ?? 0, check.unit)}`;
  return `${t.label} ${t.value === null ? '–' : formatValue(t.value, check.unit)} has been ${limit} for ${formatDuration(spanMs(t.forMs))} (threshold-for; no statistical guarantee)`;
}

/**
 * One poll's decision. Pure: the same policy and poll always give the same
 * answer, and time enters only as `poll.at`. Returns every (check, scope)
 * evaluation, and a verdict once the release is decided (null means keep watching).
 */
export function decide(policy: GatePolicy, poll: PollInput): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; verdict: Verdict | null } {
  const alpha = alphaOf(policy.confidence);
  const ratios = ratioChecks(policy);
  const tested = ratios.map((check) => ({ check, scopes: scopes(poll, check) }));
  const m = Math.max(1, tested.reduce((sum, t) => sum + t.scopes.length, 0));
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
  const verdict = (v: Omit<Verdict, 'decidedAt' | 'evaluations'>): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; verdict: Verdict } => ({
    evaluations,
    thresholds,
    verdict: { ...v, decidedAt: poll.at, evaluations, ...(thresholds.length > 0 ? { thresholds } : {}) },
  });

  const failed = pickFailure(evaluations.filter((e) => e.status === 'fail'));
  if (failed) {
    return verdict({ outcome: 'fail', reason: failReason(failed, limitOf.get(failed)!, poll.at), check: failed.id, project: failed.project });
  }

  for (const check of countChecks(policy)) {
    const worst = worstItem(check, poll);
    if (worst) return verdict({ outcome: 'fail', reason: newIssueReason(worst, check.maxUsers), check: check.id, project: worst.scope, issue: worst });
  }

  const held = thresholds.find((t) => t.status === 'fail');
  if (held) return verdict({ outcome: 'fail', reason: thresholdReason(held, gauges.find((c) => c.id === held.id)!), check: held.id, project: null });

  // Sessions when a source counts them; else the most trials any ratio check saw.
  const sessions = poll.sessions ?? Math.max(0, ...evaluations.filter((e) => e.project === null).map((e) => e.n));
  const enough = sessions >= policy.minSessions;
  const main = evaluations[0];
  const sessionsText = `${formatCount(sessions)} sessions`;
  if (policy.passEarly && enough && main && evaluations.every((e) => e.status === 'healthy')) {
    const limit = limitOf.get(main)!;
    const side = showsGoodFraction(main.display) ? 'above' : 'below';
    return verdict({
      outcome: 'pass',
      reason: `passed early, every check is confidently within its limit: ${describeEvaluation(main)} is ${side} the ${limitText(limit)} (e-value ${formatEValue(main.ePass)} ≥ ${formatEValue(threshold)}); ${sessionsText}`,
      check: main.id,
      project: null,
    });
  }

  if (!poll.final) return { evaluations, thresholds, verdict: null };
  if (!enough) {
    return verdict({
      outcome: 'inconclusive',
      reason: `only ${formatCount(sessions)} sessions, fewer than the ${formatCount(policy.minSessions)} needed (min-sessions)`,
      check: null,
      project: null,
    });
  }
  const margin = policy.passMargin ?? null;
  const unresolved = margin === null ? undefined : weakest(evaluations, margin, alpha / m);
  if (unresolved && margin !== null) {
    return verdict({ outcome: 'inconclusive', reason: marginReason(unresolved, limitOf.get(unresolved.e)!, margin), check: unresolved.e.id, project: unresolved.e.project });
  }
  // A pass is "not shown to be past a limit". When a rate is on the wrong side of its limit but
  // within chance for its counts, say so: "within limits" would misstate what was observed.
  const past = evaluations.filter((e) => e.observedBadRate !== null && e.observedBadRate > e.maxBadRate).sort((x, y) => (x.finalP ?? 1) - (y.finalP ?? 1))[0];
  if (past) {
    const side = showsGoodFraction(past.display) ? 'below' : 'above';
    const test = past.finalP === undefined ? '' : ` (end-of-window test p = ${formatP(past.finalP)} > ${formatP(past.finalAlpha ?? 0)})`;
    const reason = `no check is confidently past its limit: ${describeEvaluation(past)} is ${side} the ${limitText(limitOf.get(past)!)}, but not significantly${test}; ${sessionsText}`;
    return verdict({ outcome: 'pass', reason, check: past.id, project: null });
  }
  const detail = main ? `: ${describeEvaluation(main)} against the ${limitText(limitOf.get(main)!)}` : '';
  return verdict({ outcome: 'pass', reason: `all checks within limits${detail}; ${sessionsText}`, check: main?.id ?? null, project: null });
}
