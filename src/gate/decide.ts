import type { HealthCounts, NewIssue } from '../tracker/types';
import { eFail, ePass } from './evalue';
import {
  CHECK_LABELS,
  UNIT_LABELS,
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
import type { CheckEvaluation, GatePolicy, PollInput, RateCheckId, RateLimit, RecentCounts, Verdict } from './types';

/** The counts a rate check tests: n trials, k of them bad. */
export function trials(id: RateCheckId, counts: HealthCounts): { n: number; k: number } {
  switch (id) {
    case 'crash-free-users':
      return { n: counts.users, k: counts.crashedUsers };
    case 'crash-free-sessions':
      return { n: counts.sessions, k: counts.crashedSessions };
    case 'error-rate':
      // The error-rate check is on exactly when unhealthy sessions are asked for.
      return { n: counts.sessions, k: counts.erroredSessions ?? 0 };
  }
}

/**
 * alpha = 1 - confidence, rounded so 0.95 gives exactly 0.05 (and a threshold
 * of exactly 20) rather than 0.050000000000000044.
 */
function alphaOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return Number((1 - confidence).toPrecision(12));
}

/** The scopes tested: all projects together, and each project when there are several. */
function scopes(poll: PollInput): { project: string | null; counts: HealthCounts }[] {
  const projects = Object.entries(poll.projects);
  return [{ project: null, counts: poll.counts }, ...(projects.length > 1 ? projects.map(([project, counts]) => ({ project, counts })) : [])];
}

/** The recent counts of one scope, or undefined when the tracker gave none for it. */
function recentOf(recent: RecentCounts, project: string | null): { since: number; counts: HealthCounts } | undefined {
  const counts = project === null ? recent.counts : recent.projects[project];
  return counts && { since: recent.since, counts };
}

/**
 * The exact tests at the last poll (see FINAL_LOOK_SHARE): on everything since
 * the deploy and, when known, on the window's second half alone, each at half
 * the final share, so a slow burn is judged on the span where it burns.
 */
function finalLook(e: CheckEvaluation, limit: RateLimit, recent: { since: number; counts: HealthCounts } | undefined, finalAlpha: number): void {
  // Half each, also when the recent counts are missing, so a missing query never makes the other test stricter or looser.
  const level = finalAlpha / 2;
  e.finalP = binomialTailP(e.n, e.k, e.maxBadRate);
  e.finalAlpha = level;
  if (e.finalP <= level) {
    // Decided by this exact test, not the e-process: show the interval of this test (see exactInterval).
    if (e.status !== 'fail') e.interval = exactInterval(e.n, e.k, level);
    e.status = 'fail';
  }
  if (!recent) return;
  const { n, k } = trials(limit.id, recent.counts);
  const p = binomialTailP(n, k, e.maxBadRate);
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
function evaluate(limit: RateLimit, project: string | null, counts: HealthCounts, threshold: number, perTestConfidence: number): CheckEvaluation {
  const { n, k } = trials(limit.id, counts);
  const p0 = limit.maxBadRate;
  const fail = eFail(n, k, p0);
  const pass = ePass(n, k, p0);
  return {
    id: limit.id,
    project,
    maxBadRate: p0,
    n,
    k,
    observedBadRate: n > 0 ? k / n : null,
    interval: n > 0 ? [lowerConfidenceBound(n, k, perTestConfidence), upperConfidenceBound(n, k, perTestConfidence)] : null,
    eFail: fail,
    ePass: pass,
    eThreshold: threshold,
    status: fail >= threshold ? 'fail' : pass >= threshold ? 'healthy' : 'watching',
  };
}

/** "92.4% (interval 90.1–94.3%, 1,204 users, 92 crashed)": the numbers of an evaluation, without its label. */
function describeNumbers(e: CheckEvaluation): string {
  const units = UNIT_LABELS[e.id];
  if (e.observedBadRate === null || e.interval === null) return `no data yet (0 ${units.trials})`;
  const counts = `${formatCount(e.n)} ${units.trials}, ${formatCount(e.k)} ${units.bad}`;
  return `${formatPercent(displayRate(e.id, e.observedBadRate))} (interval ${formatPercentRange(displayInterval(e.id, e.interval))}, ${counts})`;
}

const labelOf = (e: CheckEvaluation): string => `${CHECK_LABELS[e.id]}${e.project === null ? '' : ` in ${e.project}`}`;

/** "crash-free users in shop-web 92.4% (interval 90.1–94.3%, 1,204 users, 92 crashed)" */
export function describeEvaluation(e: CheckEvaluation): string {
  const numbers = describeNumbers(e);
  return e.observedBadRate === null ? `${labelOf(e)}: ${numbers}` : `${labelOf(e)} ${numbers}`;
}

function limitText(limit: RateLimit): string {
  const value = formatLimitPercent(displayRate(limit.id, limit.maxBadRate));
  return limit.source === 'baseline' ? `${value} limit (from the previous release)` : `${value} limit`;
}

/** Polls drift by the time requests take: "the last 8 min" reads better than "7 min 59 s". */
const spanMs = (ms: number) => (ms >= 120_000 ? Math.round(ms / 60_000) * 60_000 : ms);

function failReason(e: CheckEvaluation, limit: RateLimit, at: number): string {
  const side = showsGoodFraction(e.id) ? 'below' : 'above';
  const sequential = e.eFail >= e.eThreshold;
  const recent = e.recent;
  const cumulativeFailed = sequential || (e.finalP !== undefined && e.finalP <= (e.finalAlpha ?? 0));
  if (!cumulativeFailed && recent && recent.p <= recent.alpha) {
    const units = UNIT_LABELS[e.id];
    const rate = recent.observedBadRate === null ? '–' : formatPercent(displayRate(e.id, recent.observedBadRate));
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

function newIssueReason(issue: NewIssue, max: number): string {
  return `new issue ${oneLine(issue.shortId, 40)} "${oneLine(issue.title, 80)}" affects ${formatCount(issue.userCount)} users, more than the ${formatCount(max)} allowed (max-new-issue-users)`;
}

/** The evaluation that should name a failure: the overall scope first, then the strongest evidence. */
function pickFailure(failing: CheckEvaluation[]): CheckEvaluation | undefined {
  const rank = (e: CheckEvaluation): number => (e.project === null ? 1 : 0);
  return [...failing].sort((x, y) => rank(y) - rank(x) || y.eFail - x.eFail)[0];
}

/**
 * One poll's decision. Pure: the same policy and poll always give the same
 * answer, and time enters only as `poll.at`. Returns every (check, scope)
 * evaluation, and a verdict once the release is decided (null means keep watching).
 */
export function decide(policy: GatePolicy, poll: PollInput): { evaluations: CheckEvaluation[]; verdict: Verdict | null } {
  const alpha = alphaOf(policy.confidence);
  const tested = scopes(poll);
  const m = Math.max(1, policy.limits.length * tested.length);
  // alpha is shared between the anytime-valid test at every poll and one exact test at the last poll.
  const alphaSequential = alpha * (1 - FINAL_LOOK_SHARE);
  const finalAlpha = (alpha * FINAL_LOOK_SHARE) / m;
  const threshold = m / alphaSequential;
  const perTestConfidence = 1 - alphaSequential / m;
  const evaluations: CheckEvaluation[] = [];
  const limitOf = new Map<CheckEvaluation, RateLimit>();
  for (const limit of policy.limits) {
    for (const scope of tested) {
      const e = evaluate(limit, scope.project, scope.counts, threshold, perTestConfidence);
      if (poll.final) finalLook(e, limit, poll.recent && recentOf(poll.recent, scope.project), finalAlpha);
      evaluations.push(e);
      limitOf.set(e, limit);
    }
  }
  const verdict = (v: Omit<Verdict, 'decidedAt' | 'evaluations'>): { evaluations: CheckEvaluation[]; verdict: Verdict } => ({
    evaluations,
    verdict: { ...v, decidedAt: poll.at, evaluations },
  });

  const failed = pickFailure(evaluations.filter((e) => e.status === 'fail'));
  if (failed) {
    return verdict({ outcome: 'fail', reason: failReason(failed, limitOf.get(failed)!, poll.at), check: failed.id, project: failed.project });
  }

  const max = policy.maxNewIssueUsers;
  if (max !== undefined) {
    const worst = poll.newIssues.filter((i) => i.userCount > max).sort((x, y) => y.userCount - x.userCount)[0];
    if (worst) return verdict({ outcome: 'fail', reason: newIssueReason(worst, max), check: 'new-issues', project: worst.project, issue: worst });
  }

  const sessions = poll.counts.sessions;
  const enough = sessions >= policy.minSessions;
  const main = evaluations[0];
  const sessionsText = `${formatCount(sessions)} sessions`;
  if (policy.passEarly && enough && main && evaluations.every((e) => e.status === 'healthy')) {
    const limit = limitOf.get(main)!;
    const side = showsGoodFraction(main.id) ? 'above' : 'below';
    return verdict({
      outcome: 'pass',
      reason: `passed early, every check is confidently within its limit: ${describeEvaluation(main)} is ${side} the ${limitText(limit)} (e-value ${formatEValue(main.ePass)} ≥ ${formatEValue(threshold)}); ${sessionsText}`,
      check: main.id,
      project: null,
    });
  }

  if (!poll.final) return { evaluations, verdict: null };
  if (!enough) {
    return verdict({
      outcome: 'inconclusive',
      reason: `only ${formatCount(sessions)} sessions, fewer than the ${formatCount(policy.minSessions)} needed (min-sessions)`,
      check: null,
      project: null,
    });
  }
  // A pass is "not shown to be past a limit". When a rate is on the wrong side of its limit but
  // within chance for its counts, say so: "within limits" would misstate what was observed.
  const past = evaluations.filter((e) => e.observedBadRate !== null && e.observedBadRate > e.maxBadRate).sort((x, y) => (x.finalP ?? 1) - (y.finalP ?? 1))[0];
  if (past) {
    const side = showsGoodFraction(past.id) ? 'below' : 'above';
    const test = past.finalP === undefined ? '' : ` (end-of-window test p = ${formatP(past.finalP)} > ${formatP(past.finalAlpha ?? 0)})`;
    const reason = `no check is confidently past its limit: ${describeEvaluation(past)} is ${side} the ${limitText(limitOf.get(past)!)}, but not significantly${test}; ${sessionsText}`;
    return verdict({ outcome: 'pass', reason, check: past.id, project: null });
  }
  const detail = main ? `: ${describeEvaluation(main)} against the ${limitText(limitOf.get(main)!)}` : '';
  return verdict({ outcome: 'pass', reason: `all checks within limits${detail}; ${sessionsText}`, check: main?.id ?? null, project: null });
}
