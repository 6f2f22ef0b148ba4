import type { CheckEvaluation } from '../gate/types';
import { worstItem } from '../gate/decide';
import type { NewIssue } from '../sources/sentry/types';
import { oneLine, safeUrl } from './escape';
import {
  checkName,
  firstLine,
  formatCount,
  formatLimitPercent,
  formatMinutesBetween,
  formatObservedPercent,
  formatPercentRange,
  formatUtcMinute,
  formatUtcTime,
  showsGoodFraction,
  shortSha,
  displayInterval,
  displayRate,
} from '../format';
import { isSkipped, type RunReport } from './types';

// Plain text for pagers and chat: the same tracker strings as in the summary, but
// only flattened to one line and shortened, since nothing here is rendered.
const TITLE_MAX = 160;
const TEXT_MAX = 300;
const ALERT_COMMITS = 5;

/** The alert body (plain text) for the on-call, in the style of design.md's example. */
export function buildAlert(report: RunReport): string {
  const { headline, value } = describe(report);
  const lines: [string, string][] = [
    ['Alert:', headline],
    ['Value:', value],
    ['Release:', `${oneLine(report.release, TEXT_MAX)} -> ${oneLine(report.environment, TEXT_MAX)}   Previous: ${previousName(report)}`],
    ['Started:', started(report)],
    ['Decided:', decided(report)],
  ];
  const runbook = safeUrl(report.runbookUrl);
  if (runbook) lines.push(['Runbook:', runbook]);
  const dashboard = safeUrl(report.dashboardUrl);
  if (dashboard) lines.push(['Dashboard:', dashboard]);
  const sentry = safeUrl(report.releaseUrl);
  if (sentry) lines.push(['Sentry:', sentry]);
  const run = safeUrl(report.runUrl);
  if (run) lines.push(['Run:', run]);
  lines.push(['Action:', actionText(report)]);

  const out = lines.map(([label, text]) => label.padEnd(9) + ' ' + text);
  const commits = report.commits.slice(0, ALERT_COMMITS).map((c) => `${oneLine(shortSha(c.id), 40)} ${oneLine(firstLine(c.message), 100)}`);
  if (report.commits.length > ALERT_COMMITS) commits.push(`… and ${report.commits.length - ALERT_COMMITS} more`);
  commits.forEach((text, i) => out.push((i === 0 ? 'Commits:' : '').padEnd(9) + ' ' + text));
  return out.join('\n');
}

/** At most three lines for the job's error annotation: what, where, what next. */
export function buildAnnotation(report: RunReport): string {
  const { headline, value } = describe(report);
  const lines = [
    `${headline}: ${value}`,
    `Release ${oneLine(report.release, TEXT_MAX)} -> ${oneLine(report.environment, TEXT_MAX)}, previous ${previousName(report)}. Action: ${actionText(report)}`,
  ];
  const runbook = safeUrl(report.runbookUrl);
  if (runbook) lines.push(`Runbook: ${runbook}`);
  return lines.join('\n');
}

/** What happened after the verdict, in words an on-call can act on: the rollback, then who was told. */
export function actionText(report: RunReport): string {
  const told = notificationsText(report);
  return told ? `${rollbackText(report)}; ${told}` : rollbackText(report);
}

/** One clause per notification: "PagerDuty trigger sent", "Slack message FAILED: HTTP 503". */
export function notificationsText(report: RunReport): string {
  return (report.notifications ?? [])
    .map((n) =>
      n.status === 'sent'
        ? `${n.notifier} ${n.kind} sent${n.note ? ` (${oneLine(n.note, 80)})` : ''}`
        : n.status === 'planned'
          ? `dry run: would send ${n.notifier} ${n.kind}`
          : `${n.notifier} ${n.kind} FAILED: ${oneLine((n.error ?? '').replace(/^\S+ notification failed: /, ''), TEXT_MAX)}`,
    )
    .join('; ');
}

function rollbackText(report: RunReport): string {
  const action = report.action;
  const failed = report.verdict.outcome === 'fail';
  switch (action.kind) {
    case 'dispatched': {
      const target = action.previousRelease ?? report.previousRelease;
      return target !== null
        ? `rolling back: workflow ${oneLine(action.workflow, TEXT_MAX)} dispatched for ${oneLine(target, TEXT_MAX)}`
        : `rolling back: workflow ${oneLine(action.workflow, TEXT_MAX)} dispatched on ${oneLine(action.ref, TEXT_MAX)} (previous release unknown)`;
    }
    case 'dispatch-failed':
      return `dispatch of ${oneLine(action.workflow, TEXT_MAX)} FAILED: ${oneLine(action.error, TEXT_MAX)} — roll back by hand to ${handTarget(report)}`;
    case 'dispatch-unconfirmed': {
      const target = action.previousRelease ?? report.previousRelease;
      return `rollback workflow ${oneLine(action.workflow, TEXT_MAX)}: dispatch sent, answer not received (${oneLine(action.error, TEXT_MAX)}) — check the Actions tab for a new run of it before rolling back by hand to ${target !== null ? oneLine(target, TEXT_MAX) : 'the previous release'}`;
    }
    case 'superseded':
      return `no rollback: ${oneLine(action.newerRelease, TEXT_MAX)} was deployed to ${oneLine(report.environment, TEXT_MAX)} after this release (${oneLine(action.deployedAt, TEXT_MAX)}); rolling back would replace it${action.workflow ? `, so ${oneLine(action.workflow, TEXT_MAX)} was not dispatched` : ''}`;
    case 'already-dispatched':
      return `no second rollback: ${oneLine(action.workflow, TEXT_MAX)} already ${action.status === 'success' ? 'ran' : 'runs'} for this deploy (${oneLine(action.status, 40)}): ${safeUrl(action.runUrl) ?? 'see the Actions tab'}`;
    case 'held':
      return `no rollback dispatched: ${oneLine(action.why, TEXT_MAX)} — if ${oneLine(report.release, TEXT_MAX)} is still live in ${oneLine(report.environment, TEXT_MAX)}, roll back by hand to ${handTarget(report)}`;
    case 'would-dispatch': {
      const target = action.previousRelease ?? report.previousRelease;
      return `dry run: would dispatch workflow ${oneLine(action.workflow, TEXT_MAX)} ${target !== null ? `for ${oneLine(target, TEXT_MAX)}` : `on ${oneLine(action.ref, TEXT_MAX)}`}`;
    }
    case 'none': {
      const why = oneLine(action.why, TEXT_MAX) || 'no rollback workflow configured';
      return failed ? `${why}: roll back by hand to ${handTarget(report)}` : `none (${why})`;
    }
  }
}

interface Description {
  headline: string;
  value: string;
}

function describe(report: RunReport): Description {
  const { verdict } = report;
  if (verdict.outcome === 'fail' && verdict.check === 'new-issues') {
    const issue = verdict.issue ?? worstIssue(report.newIssues);
    if (issue) return describeIssue(report, issue);
  }
  if (verdict.outcome === 'fail' && verdict.check !== null && verdict.check !== 'new-issues') {
    const check = verdict.check;
    const ev = verdict.evaluations.find((e) => e.id === check && e.project === verdict.project);
    if (ev) return describeRate(report, ev);
  }
  return {
    headline: `Release health ${verdict.outcome} after deploy`,
    value: oneLine(verdict.reason, TEXT_MAX * 2),
  };
}

function describeRate(report: RunReport, ev: CheckEvaluation): Description {
  const scope = ev.project !== null ? ` in ${oneLine(ev.project, TEXT_MAX)}` : '';
  const limit = displayRate(ev.display, ev.maxBadRate);
  const headline = `${checkName(ev.label)} ${showsGoodFraction(ev.display) ? 'below' : 'above'} ${formatLimitPercent(limit)}${scope} after deploy`;
  if (ev.observedBadRate === null) return { headline, value: oneLine(report.verdict.reason, TEXT_MAX * 2) };
  const observed = formatObservedPercent(displayRate(ev.display, ev.observedBadRate), limit);
  const what = ev.id === 'error-rate' ? 'errored sessions' : checkName(ev.label).toLowerCase();
  const interval = ev.interval ? `, interval ${formatPercentRange(displayInterval(ev.display, ev.interval))}` : '';
  const since = formatMinutesBetween(report.deployFinishedAt, report.verdict.decidedAt);
  return {
    headline,
    value: `${observed} ${what}${scope} (${formatCount(ev.n)} ${ev.units.trials}, last ${since})${interval}`,
  };
}

function describeIssue(report: RunReport, issue: NewIssue): Description {
  const id = oneLine(issue.shortId, 60);
  const limit = report.maxNewIssueUsers !== undefined ? ` (limit ${formatCount(report.maxNewIssueUsers)})` : '';
  const culprit = issue.culprit ? ` at ${oneLine(issue.culprit, TEXT_MAX)}` : '';
  const firstSeen = Date.parse(issue.firstSeen);
  // A tracker's date is re-printed, never echoed.
  const seen = Number.isNaN(firstSeen) ? 'at an unreadable time' : formatUtcTime(firstSeen, report.verdict.decidedAt);
  return {
    headline: `New issue ${id} affects ${formatCount(issue.userCount)} users${limit} after deploy`,
    value: `${id} "${oneLine(issue.title, TITLE_MAX)}"${culprit} (${oneLine(issue.project, TEXT_MAX)}): ${formatCount(issue.userCount)} users, ${formatCount(issue.count)} events, first seen ${seen}`,
  };
}

const worstIssue = (issues: NewIssue[]): NewIssue | undefined => worstItem(issues);

/**
 * When things went wrong, as on-call reads "Started": for a rate, the first
 * poll of the run of polls that ended in the fail with the rate over its limit
 * (or, for a fail on the window's second half alone, that half's start); for a
 * new issue, when Sentry first saw it. The decision comes later, on its own line.
 */
export function onset(report: RunReport): { at: number; what: string } | null {
  const { verdict } = report;
  if (verdict.outcome !== 'fail' || verdict.check === null) return null;
  if (verdict.check === 'new-issues') {
    const issue = verdict.issue ?? worstIssue(report.newIssues);
    const seen = issue ? Date.parse(issue.firstSeen) : NaN;
    return Number.isFinite(seen) && seen <= verdict.decidedAt ? { at: Math.max(seen, report.deployFinishedAt), what: 'issue first seen' } : null;
  }
  const over = (p: RunReport['polls'][number]) =>
    p.evaluations.some((e) => e.id === verdict.check && e.project === verdict.project && e.observedBadRate !== null && e.observedBadRate > e.maxBadRate);
  let first: number | null = null;
  for (const poll of report.polls) {
    if (poll.at > verdict.decidedAt) break;
    // A skipped poll (no data) neither starts nor breaks the run.
    if (isSkipped(poll)) continue;
    if (over(poll)) first ??= poll.at;
    else first = null;
  }
  if (first !== null) return { at: first, what: 'first poll over the limit' };
  // Failed on the window's second half alone: the change came after its start.
  const decisive = verdict.evaluations.find((e) => e.id === verdict.check && e.project === verdict.project);
  const recent = decisive?.recent;
  if (recent && recent.observedBadRate !== null && recent.observedBadRate > decisive.maxBadRate)
    return { at: recent.since, what: 'start of the second half, over the limit on its own' };
  return null;
}

function started(report: RunReport): string {
  const { decidedAt } = report.verdict;
  const from = onset(report);
  const at = from?.at ?? decidedAt;
  const what = from ? `${from.what}; ` : '';
  return `${formatUtcMinute(at)}, ${formatMinutesBetween(report.deployFinishedAt, at)} after deploy (${what}deploy finished ${formatUtcTime(report.deployFinishedAt, at)})`;
}

function decided(report: RunReport): string {
  const { decidedAt } = report.verdict;
  return `${formatUtcMinute(decidedAt)}, ${formatMinutesBetween(report.deployFinishedAt, decidedAt)} after deploy`;
}

function previousName(report: RunReport): string {
  return report.previousRelease !== null ? oneLine(report.previousRelease, TEXT_MAX) : 'none found';
}

function handTarget(report: RunReport): string {
  return report.previousRelease !== null ? oneLine(report.previousRelease, TEXT_MAX) : 'the previous release';
}
