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

/** The counts a rate check reports: n trials, k of them bad (what people read as the rate). */
export function trials(id: RateCheckId, counts: HealthCounts): { n: number; k: number } {
  switch (id) {
    case 'crash-free-users':
      // Never more crashed than seen: a span without its own count of users has none (see recentCounts).
      return { n: counts.users, k: Math.min(counts.crashedUsers, counts.users) };
    case 'crash-free-sessions':
      return { n: counts.sessions, k: counts.crashedSessions };
    case 'error-rate':
      // The error-rate check is on exactly when unhealthy sessions are asked for.
      return { n: counts.sessions, k: counts.erroredSessions ?? 0 };
  }
}

/**
 * A release whose sessions carry no user at all. Decided on the counts since the
 * deploy: a span's users may be zero only because nobody counted them (see recentCounts).
 */
export const isAnonymous = (counts: HealthCounts): boolean => counts.sessions > 0 && counts.users === 0;

/**
 * The counts a rate check is judged on. Users are independent of each other,
 * their sessions are not: one broken account crashes or errors in every
 * session, so bad sessions vary up to ~3× more than independent trials would
 * (issue #19.1) and a binomial test on them fails releases at the limit far
 * more often than 1 − confidence. The session checks therefore count bad
 * USERS (users with at least one crashed, resp. unhealthy, session) against
 * the limit times SESSIONS. That is valid under any dependence within a user:
 * a user is bad with probability at most their expected bad sessions
 * (P(k_i ≥ 1) ≤ E[k_i]), users are independent, and for a sum of independent
 * Bernoullis over U ≤ n users with total mean ≤ p0·n the binomial(n, p0)
 * likelihood ratio still has expectation ≤ 1 ((1 + x/U)^U grows with U), so
 * the e-process and the exact test keep their level. It loses power only when
 * a user's bad sessions come in bunches, which is exactly when sessions say
 * less than their number. Without the count of unhealthy users (recordings
 * made before it existed) the error-rate check falls back to sessions.
 */
export function testedTrials(id: RateCheckId, counts: HealthCounts, anonymous = isAnonymous(counts)): { n: number; k: number } {
  // Sessions with no user at all (a server's request-mode aggregates, an app
  // that never sets one) have no users to count: judged on sessions, as
  // independent trials, or a server crashing in 10% of requests could never fail.
  if (id !== 'crash-free-users' && anonymous) return trials(id, counts);
  switch (id) {
    case 'crash-free-users':
      return trials(id, counts);
    case 'crash-free-sessions':
      return { n: counts.sessions, k: Math.min(counts.crashedSessions, counts.crashedUsers) };
    case 'error-rate': {
      const errored = counts.erroredSessions ?? 0;
      const users = counts.erroredUsers;
      return { n: counts.sessions, k: users === undefined || users === null ? errored : Math.min(errored, users) };
    }
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
function finalLook(e: CheckEvaluation, limit: RateLimit, recent: { since: number; counts: HealthCounts } | undefined, finalAlpha: number, anonymous: boolean): void {
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
  const { n, k } = trials(limit.id, recent.counts);
  const p = binomialTailP(n, testedTrials(limit.id, recent.counts, anonymous).k, e.maxBadRate);
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
  const kTested = testedTrials(limit.id, counts).k;
  const p0 = limit.maxBadRate;
  const fail = eFail(n, kTested, p0);
  // Shown for the record; no check may pass on it (see PASS_EARLY_CHECKS).
  const pass = ePass(n, k, p0);
  return {
    id: limit.id,
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
    status: fail >= threshold ? 'fail' : pass >= threshold && PASS_EARLY_CHECKS.has(limit.id) ? 'healthy' : 'watching',
  };
}

/** "92.4% (interval 90.1–94.3%, 1,204 users, 92 crashed)": the numbers of an evaluation, without its label. */
function describeNumbers(e: CheckEvaluation): string {
  const units = UNIT_LABELS[e.id];
  if (e.observedBadRate === null || e.interval === null) return `no data yet (0 ${units.trials})`;
  const users = e.kTested !== undefined && e.kTested !== e.k ? ` in ${formatCount(e.kTested ?? e.k)} users` : '';
  const counts = `${formatCount(e.n)} ${units.trials}, ${formatCount(e.k)} ${units.bad}${users}`;
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
export const PASS_EARLY_CHECKS: ReadonlySet<RateCheckId> = new Set<RateCheckId>();

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

const MARGIN_NOUNS: Record<RateCheckId, string> = {
  'crash-free-users': 'a crashed-user rate',
  'crash-free-sessions': 'a crash rate',
  'error-rate': 'an error rate',
};

function marginReason(u: Unresolved, limit: RateLimit, margin: number): string {
  const e = u.e;
  const units = UNIT_LABELS[e.id].trials;
  const scope = e.project === null ? '' : ` in ${e.project}`;
  const clustered = u.effective < e.n - 0.5 ? ` (bad ${units} come in bunches per user: worth ${formatCount(Math.floor(u.effective))})` : '';
  return (
    `too little data to pass: with ${formatCount(e.n)} ${units}${scope}${clustered}, ${MARGIN_NOUNS[e.id]} up to ${formatPercent(u.upper)} cannot be ruled out, ` +
    `more than ${formatMargin(margin)} the ${formatLimitPercent(limit.maxBadRate)} the ${limitText(limit)} allows (pass-margin ${formatMargin(margin).replace('×', 'x')}); observed ${formatPercent(e.observedBadRate ?? 0)}`
  );
}

const formatMargin = (m: number) => `${Number(m.toPrecision(3))}×`;

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
      if (poll.final) finalLook(e, limit, poll.recent && recentOf(poll.recent, scope.project), finalAlpha, isAnonymous(scope.counts));
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
  const margin = policy.passMargin ?? null;
  const unresolved = margin === null ? undefined : weakest(evaluations, margin, alpha / m);
  if (unresolved && margin !== null) {
    return verdict({ outcome: 'inconclusive', reason: marginReason(unresolved, limitOf.get(unresolved.e)!, margin), check: unresolved.e.id, project: unresolved.e.project });
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
