import type { CountItem, RatioCheck, ThresholdForCheck } from '../sources/types';
import { judge } from '../gate/decide';
import type { CheckEvaluation, Decision, Finding, GatePolicy, PollInput, ThresholdEvaluation, Verdict } from '../gate/types';
import {
  displayInterval,
  displayRate,
  formatCount,
  formatDuration,
  formatEValue,
  formatLimitPercent,
  formatP,
  formatPercent,
  formatPercentRange,
  formatValue,
  showsGoodFraction,
} from '../format';
import { oneLine } from '../util/text';

/*
 * The gate's reasons: one human sentence per decision, naming the check, the
 * scope and the numbers. The core (src/gate) decides on numbers alone; the
 * words are here.
 */

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

const MARGIN_NOUNS: Record<string, string> = {
  'crash-free-users': 'a crashed-user rate',
  'crash-free-sessions': 'a crash rate',
  'error-rate': 'an error rate',
};

function marginReason(u: { e: CheckEvaluation; upper: number; effective: number; needed?: number }, limit: RatioCheck, margin: number): string {
  const e = u.e;
  const units = e.units.trials;
  const scope = e.project === null ? '' : ` in ${e.project}`;
  const clustered = u.effective < e.n - 0.5 ? ` (bad ${units} come in bunches per user: worth ${formatCount(Math.floor(u.effective))})` : '';
  return (
    `too little data to pass: with ${formatCount(e.n)} ${units}${scope}${clustered}, ${MARGIN_NOUNS[e.id] ?? `a ${e.units.bad} rate`} up to ${formatPercent(u.upper)} cannot be ruled out, ` +
    `more than ${formatMargin(margin)} the ${formatLimitPercent(limit.maxBadRate)} the ${limitText(limit)} allows (pass-margin ${formatMargin(margin).replace('×', 'x')}); observed ${formatPercent(e.observedBadRate ?? 0)}` +
    neededText(u.needed, e.n, units)
  );
}

/** "; at the observed rate that takes about 1,900 users, a window about 11× as long at this traffic" */
function neededText(needed: number | undefined, n: number, units: string): string {
  if (needed === undefined || !(needed > n)) return '';
  const times = needed / n;
  return `; at the observed rate that takes about ${formatCount(roundNeeded(needed))} ${units}, a window about ${Number(times.toPrecision(2)).toLocaleString('en-US')}× as long at this traffic`;
}

/** Two significant figures, rounded up: an estimate, never short of what was computed. */
function roundNeeded(x: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / step) * step;
}

const formatMargin = (m: number) => `${Number(m.toPrecision(3))}×`;

function thresholdReason(t: ThresholdEvaluation, check: ThresholdForCheck): string {
  const limit =
    check.max !== undefined && t.value !== null && t.value > check.max
      ? `above ${formatValue(check.max, check.unit)}`
      : `below ${formatValue(check.min ?? 0, check.unit)}`;
  return `${t.label} ${t.value === null ? '–' : formatValue(t.value, check.unit)} has been ${limit} for ${formatDuration(spanMs(t.forMs))} (threshold-for; no statistical guarantee)`;
}

/** The one sentence of a decision. */
export function explain(finding: Finding, at: number): string {
  switch (finding.kind) {
    case 'rate-fail':
      return failReason(finding.e, finding.check, at);
    case 'count-fail':
      return newIssueReason(finding.item, finding.check.maxUsers);
    case 'threshold-fail':
      return thresholdReason(finding.evaluation, finding.check);
    case 'passed-early': {
      const { e, check } = finding;
      const side = showsGoodFraction(e.display) ? 'above' : 'below';
      return `passed early, every check is confidently within its limit: ${describeEvaluation(e)} is ${side} the ${limitText(check)} (e-value ${formatEValue(e.ePass)} ≥ ${formatEValue(finding.eThreshold)}); ${sessionsText(finding.sessions)}`;
    }
    case 'too-few-sessions':
      return `only ${formatCount(finding.sessions)} sessions, fewer than the ${formatCount(finding.minSessions)} needed (min-sessions)`;
    case 'too-little-data':
      return marginReason(finding, finding.check, finding.margin);
    case 'not-significant': {
      const { e: past, check } = finding;
      const side = showsGoodFraction(past.display) ? 'below' : 'above';
      const test = past.finalP === undefined ? '' : ` (end-of-window test p = ${formatP(past.finalP)} > ${formatP(past.finalAlpha ?? 0)})`;
      return `no check is confidently past its limit: ${describeEvaluation(past)} is ${side} the ${limitText(check)}, but not significantly${test}; ${sessionsText(finding.sessions)}`;
    }
    case 'within-limits': {
      const detail = finding.e && finding.check ? `: ${describeEvaluation(finding.e)} against the ${limitText(finding.check)}` : '';
      return `all checks within limits${detail}; ${sessionsText(finding.sessions)}`;
    }
  }
}

const sessionsText = (sessions: number) => `${formatCount(sessions)} sessions`;

/** A decision in words. */
export function verdictOf(decision: Decision): Verdict {
  const { finding, ...rest } = decision;
  return { ...rest, reason: explain(finding, decision.decidedAt) };
}

/** One poll's verdict: the core's decision (src/gate/decide.ts judge), put in words. */
export function decide(policy: GatePolicy, poll: PollInput): { evaluations: CheckEvaluation[]; thresholds: ThresholdEvaluation[]; verdict: Verdict | null } {
  const { evaluations, thresholds, decision } = judge(policy, poll);
  return { evaluations, thresholds, verdict: decision && verdictOf(decision) };
}
