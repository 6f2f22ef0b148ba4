import type { CheckEvaluation, Outcome, ThresholdEvaluation } from '../gate/types';
import { worstItem } from '../gate/decide';
import type { HealthCounts } from '../sources/sentry/types';
import { buildAlert, notificationsText } from './alert';
import { displayOf, labelOf } from '../sources/sentry/checks';
import { shownRate } from '../sources/sentry/health';
import { codeBlock, codeSpan, escapeMarkdown, mdLink, safeUrl } from './escape';
import {
  checkName,
  firstLine,
  formatCount,
  formatDuration,
  formatElapsed,
  formatEValue,
  formatLimit,
  formatLimitPercent,
  formatMinutesBetween,
  formatObservedPercent,
  formatPercent,
  formatPercentRange,
  formatUtcMinute,
  formatUtcTime,
  shortSha,
  displayInterval,
  displayRate,
} from '../format';
import { evenlySpaced, headAndTail, joinWithinBudget, table } from './markdown';
import { isSkipped, type PollRecord, type RunReport } from './types';
import { formatP, formatValue } from '../format';

/**
 * GitHub rejects a step summary over 1 MiB and the whole job's summaries share a cap;
 * staying at half leaves room for other steps and for multi-byte characters.
 */
export const SUMMARY_MAX_BYTES = 512 * 1024;
const TIMELINE_HEAD = 20;
const TIMELINE_TAIL = 80;
const CHART_POINTS = 60;
const ISSUE_ROWS = 50;
const CHECK_ROWS = 60;
const SUMMARY_COMMITS = 10;
const TITLE_MAX = 200;
const REASON_MAX = 1000;
const ERROR_MAX = 200;

const outcomeEmoji: Record<Outcome, string> = { pass: '✅', fail: '❌', inconclusive: '⚠️' };
const outcomeWord: Record<Outcome, string> = { pass: 'Pass', fail: 'Fail', inconclusive: 'Inconclusive' };
const statusCell: Record<CheckEvaluation['status'], string> = {
  fail: '❌ fail',
  healthy: '✅ healthy',
  watching: '⏳ watching',
};

/** The job summary: GitHub-flavoured markdown, every tracker string escaped, under `SUMMARY_MAX_BYTES`. */
export function buildSummary(report: RunReport): string {
  return joinWithinBudget(
    [
      { name: 'Verdict', text: verdictSection(report) },
      { name: 'Notifications', text: notificationsSection(report) },
      { name: 'Checks', text: checksSection(report) },
      { name: 'New issues', text: newIssuesSection(report) },
      { name: 'Baseline', text: baselineSection(report) },
      { name: 'Timeline', text: timelineSection(report) },
      { name: 'Registration', text: registrationSection(report) },
      { name: 'Links', text: linksSection(report) },
    ],
    SUMMARY_MAX_BYTES,
  );
}

function verdictSection(report: RunReport): string {
  const { verdict } = report;
  const dry = report.dryRun ? (verdict.outcome === 'fail' ? ' (dry run: would have failed the job)' : ' (dry run)') : '';
  const line =
    `${outcomeEmoji[verdict.outcome]} **${outcomeWord[verdict.outcome]}**${dry} · ` +
    `release ${codeSpan(report.release, 200)} → ${codeSpan(report.environment, 100)} · ` +
    escapeMarkdown(verdict.reason, REASON_MAX);
  const context =
    `Deploy finished ${formatUtcMinute(report.deployFinishedAt)}; decided ${formatUtcTime(verdict.decidedAt, report.deployFinishedAt)} ` +
    `(${formatMinutesBetween(report.deployFinishedAt, verdict.decidedAt)} after deploy). ` +
    `Window ${formatDuration(report.windowMs)}, a poll every ${formatDuration(report.intervalMs)}, ` +
    `confidence ${formatLimitPercent(report.confidence)}` +
    // Without Sentry (metrics checks alone, Bugsnag, Rollbar) there are no Sentry projects, and min-sessions counts the tracker's own unit.
    (report.minSessions === null ? '' : `, at least ${formatCount(report.minSessions)} sessions`) +
    (report.projects.length > 0
      ? `, projects ${listed(
          report.projects.map((p) => escapeMarkdown(p, 100)),
          10,
        )}.`
      : '.');
  const parts = ['## Release health gate', line, context];
  if (verdict.outcome === 'fail') parts.push(codeBlock(buildAlert(report), 'text'));
  else if (report.notifications?.length) parts.push(`**Action:** ${escapeMarkdown(notificationsText(report), REASON_MAX)}`);
  return parts.join('\n\n');
}

/** A dry run's notifications as they would have been sent (secrets already redacted), so they can be checked before going live. */
function notificationsSection(report: RunReport): string | null {
  const planned = (report.notifications ?? []).filter((n) => n.status === 'planned' && n.planned);
  if (planned.length === 0) return null;
  const parts = ['### Notifications (dry run: nothing sent)'];
  for (const n of planned) {
    for (const r of n.planned ?? []) {
      parts.push(`${escapeMarkdown(n.notifier, 40)} ${escapeMarkdown(n.kind, 20)}: ${codeSpan(`${r.method} ${r.url}`, 300)}`);
      if (r.body !== undefined) parts.push(codeBlock(JSON.stringify(r.body, null, 2), 'json'));
    }
  }
  return parts.join('\n\n');
}

function checksSection(report: RunReport): string | null {
  const evaluations = report.verdict.evaluations;
  const newIssueRow = newIssueCheckRow(report);
  const thresholds = report.verdict.thresholds ?? [];
  if (evaluations.length === 0 && newIssueRow === null && thresholds.length === 0) return null;
  const rows = evaluations.slice(0, CHECK_ROWS).map((ev) => checkRow(report, ev));
  if (newIssueRow) rows.push(newIssueRow);
  rows.push(...thresholds.slice(0, CHECK_ROWS).map((t) => thresholdRow(report, t)));
  const parts = [
    '### Checks',
    table(['Check', 'Scope', 'Limit', 'Observed', 'Interval', 'n', 'k', 'E-value vs threshold', 'Decision'], rows, [
      'l',
      'l',
      'l',
      'r',
      'r',
      'r',
      'r',
      'l',
      'l',
    ]),
  ];
  if (evaluations.length > CHECK_ROWS) parts.push(`_Showing ${CHECK_ROWS} of ${formatCount(evaluations.length)} checks._`);
  parts.push(
    '_E-values: evidence that the release is unhealthy (fail) or healthy (pass); a check decides when one reaches the threshold, ' +
      `which keeps the chance of a false verdict under ${formatLimitPercent(1 - report.confidence)} however often it polls._`,
  );
  return parts.join('\n\n');
}

/** A threshold-for check: its value at the deciding poll and how long it has been past the limit. It has no e-value. */
function thresholdRow(report: RunReport, t: ThresholdEvaluation): string[] {
  const limit = [t.min === undefined ? null : `≥ ${formatValue(t.min, t.unit)}`, t.max === undefined ? null : `≤ ${formatValue(t.max, t.unit)}`]
    .filter(Boolean)
    .join(', ');
  const past = t.pastSince === null ? 'within the limit' : `past it for ${formatDuration(Math.max(0, report.verdict.decidedAt - t.pastSince))}`;
  return [
    escapeMarkdown(checkName(t.label), 100),
    'all',
    `${limit} (for ${formatDuration(t.forMs)})`,
    t.value === null ? 'no data' : formatValue(t.value, t.unit),
    '–',
    '–',
    '–',
    `${past}; no statistical guarantee`,
    statusCell[t.status],
  ];
}

/** The exact tests of the last poll, for the evidence cell: "; end of window p 0.21, second half p 0.0012 (needs ≤ 0.019)". */
function endOfWindowTests(ev: CheckEvaluation): string {
  if (ev.finalP === undefined || ev.finalAlpha === undefined) return '';
  const half = ev.recent ? `, second half p ${formatP(ev.recent.p)}` : '';
  return `; end of window p ${formatP(ev.finalP)}${half} (needs ≤ ${formatP(ev.finalAlpha)})`;
}

function checkRow(report: RunReport, ev: CheckEvaluation): string[] {
  const fromBaseline = report.baseline?.checks.some(
    (b) => b.id === ev.id && b.effectiveMaxBadRate === ev.maxBadRate && b.effectiveMaxBadRate !== b.absoluteMaxBadRate,
  );
  const limit = displayRate(ev.display, ev.maxBadRate);
  return [
    // A metric check's label is its name from the checks input: any text, escaped like a server's.
    escapeMarkdown(checkName(ev.label), 100),
    ev.project === null ? 'all projects' : escapeMarkdown(ev.project, 100),
    formatLimit(ev.display, ev.maxBadRate) + (fromBaseline ? ' (baseline)' : ''),
    ev.observedBadRate === null ? '–' : formatObservedPercent(displayRate(ev.display, ev.observedBadRate), limit),
    ev.interval === null ? '–' : formatPercentRange(displayInterval(ev.display, ev.interval)),
    formatCount(ev.n),
    formatCount(ev.k),
    `fail ${formatEValue(ev.eFail)} / pass ${formatEValue(ev.ePass)} (needs ${formatEValue(ev.eThreshold)})` + endOfWindowTests(ev),
    statusCell[ev.status],
  ];
}

function newIssueCheckRow(report: RunReport): string[] | null {
  const limit = report.maxNewIssueUsers;
  if (limit === undefined) return null;
  const worst = worstItem(report.newIssues);
  const failed = report.verdict.check === 'new-issues' || (worst !== undefined && worst.userCount > limit);
  return [
    checkName(labelOf('new-issues')),
    'all projects',
    `≤ ${formatCount(limit)} users per issue`,
    worst ? `${formatCount(worst.userCount)} users (${escapeMarkdown(worst.shortId, 60)})` : 'none',
    '–',
    `${formatCount(report.newIssues.length)} issues`,
    '–',
    '–',
    failed ? '❌ fail' : '✅ within limit',
  ];
}

/**
 * The tracker's link to an issue, if it is on the host the release page is on
 * (the one sentry-url names): an answer could otherwise put a link to any site
 * under an issue id in the summary people act on during an incident.
 */
function onSentryHost(url: string | null, releaseUrl: string): string | null {
  const link = safeUrl(url);
  const home = safeUrl(releaseUrl);
  return link !== null && home !== null && new URL(link).hostname === new URL(home).hostname ? link : null;
}

function newIssuesSection(report: RunReport): string | null {
  if (report.newIssues.length === 0) return null;
  const issues = [...report.newIssues].sort((a, b) => b.userCount - a.userCount);
  const rows = issues.slice(0, ISSUE_ROWS).map((issue) => {
    const seenAt = Date.parse(issue.firstSeen);
    const seen = Number.isNaN(seenAt)
      ? 'unreadable' // a tracker's date is re-printed, never echoed
      : `${formatUtcTime(seenAt, report.deployFinishedAt)} (+${formatElapsed(seenAt - report.deployFinishedAt)})`;
    const culprit = issue.culprit ? ` — ${escapeMarkdown(issue.culprit, TITLE_MAX)}` : '';
    return [
      mdLink(issue.shortId, onSentryHost(issue.permalink, report.releaseUrl)),
      escapeMarkdown(issue.title, TITLE_MAX) + culprit,
      escapeMarkdown(issue.project, 100),
      formatCount(issue.userCount),
      formatCount(issue.count),
      seen,
    ];
  });
  const parts = [
    `### New issues (${formatCount(issues.length)})`,
    table(['Issue', 'Title', 'Project', 'Users', 'Events', 'First seen'], rows, ['l', 'l', 'l', 'r', 'r', 'l']),
  ];
  if (issues.length > ISSUE_ROWS) {
    parts.push(`_Showing the ${ISSUE_ROWS} issues with the most users; ${formatCount(issues.length - ISSUE_ROWS)} more not shown._`);
  }
  return parts.join('\n\n');
}

function baselineSection(report: RunReport): string | null {
  const baseline = report.baseline;
  if (!baseline) return null;
  const rows = baseline.checks
    .slice(0, CHECK_ROWS)
    .map((b) => [
      checkName(labelOf(b.id)),
      b.observedBadRate === null ? '–' : formatPercent(displayRate(displayOf(b.id), b.observedBadRate)),
      b.interval === null ? '–' : formatPercentRange(displayInterval(displayOf(b.id), b.interval)),
      formatCount(b.n),
      formatCount(b.k),
      formatLimit(displayOf(b.id), b.absoluteMaxBadRate),
      formatLimit(displayOf(b.id), b.effectiveMaxBadRate),
      b.note ? escapeMarkdown(b.note, 300) : '–',
    ]);
  return [
    `### Baseline: previous release ${codeSpan(baseline.release, 200)}`,
    `Measured from ${formatUtcMinute(baseline.from)} to ${formatUtcTime(baseline.to, baseline.from)}. ` +
      'The effective limit is the baseline at its worse confidence bound plus the allowed increase, never looser than the absolute limit.',
    table(['Check', 'Baseline observed', 'Interval', 'n', 'k', 'Absolute limit', 'Effective limit', 'Note'], rows, ['l', 'r', 'r', 'r', 'r', 'l', 'l', 'l']),
  ].join('\n\n');
}

interface RatePoint {
  poll: PollRecord;
  minutes: number;
  users: number | null;
  sessions: number | null;
}

const crashFree = (counts: HealthCounts, of: 'users' | 'sessions'): number | null =>
  shownRate(of === 'users' ? 'crash-free-users' : 'crash-free-sessions', counts);

function timelineSection(report: RunReport): string | null {
  if (report.polls.length === 0) return null;
  const parts = [`### Timeline (${formatCount(report.polls.length)} polls)`];
  const chart = timelineChart(report);
  if (chart) parts.push(chart);

  const { head, omitted, tail } = headAndTail(report.polls, TIMELINE_HEAD, TIMELINE_TAIL);
  const rows = head.map((p) => timelineRow(report, p));
  if (omitted > 0) rows.push([`… ${formatCount(omitted)} polls omitted …`, '', '', '', '', '', '']);
  rows.push(...tail.map((p) => timelineRow(report, p)));
  parts.push(
    table(['Since deploy', 'Sessions', 'Users', 'Crash-free users', 'Crash-free sessions', 'Error rate', 'Note'], rows, ['r', 'r', 'r', 'r', 'r', 'r', 'l']),
  );
  if (omitted > 0) {
    parts.push(`_Showing the first ${TIMELINE_HEAD} and last ${TIMELINE_TAIL} of ${formatCount(report.polls.length)} polls; the JSON report has them all._`);
  }
  return parts.join('\n\n');
}

function timelineRow(report: RunReport, poll: PollRecord): string[] {
  const since = formatElapsed(poll.at - report.deployFinishedAt);
  const notes: string[] = [];
  if (poll.at === report.verdict.decidedAt) notes.push(`**verdict: ${report.verdict.outcome}**`);
  if (poll.newIssues > 0) notes.push(`${formatCount(poll.newIssues)} new issue${poll.newIssues === 1 ? '' : 's'}`);
  const s = poll.sample;
  if (isSkipped(poll)) notes.unshift(`skipped: ${escapeMarkdown(poll.error ?? 'no data', ERROR_MAX)}`);
  if (s === null) return [since, '–', '–', '–', '–', '–', notes.join('; ')];
  const shown = (x: number | null) => (x === null ? '–' : formatPercent(x));
  return [
    since,
    formatCount(s.sessions),
    formatCount(s.users),
    shown(crashFree(s, 'users')),
    shown(crashFree(s, 'sessions')),
    shown(shownRate('error-rate', s)),
    notes.join('; '),
  ];
}

/**
 * Mermaid's xychart has no legend and no gaps, so skipped polls are left out and the
 * series are named in a line under the chart.
 */
function timelineChart(report: RunReport): string | null {
  const all: RatePoint[] = report.polls.flatMap((poll) =>
    poll.sample && poll.sample.sessions > 0
      ? [{ poll, minutes: (poll.at - report.deployFinishedAt) / 60_000, users: crashFree(poll.sample, 'users'), sessions: crashFree(poll.sample, 'sessions') }]
      : [],
  );
  if (all.length === 0) return '_No poll returned sessions yet, so there is nothing to chart._';
  const points = evenlySpaced(all, CHART_POINTS);
  const series: { name: string; values: number[] }[] = [];
  // A series with holes cannot be drawn; users are missing when the SDK sends no user ids.
  if (points.every((p) => p.users !== null)) series.push({ name: 'crash-free users', values: points.map((p) => (p.users ?? 0) * 100) });
  series.push({ name: 'crash-free sessions', values: points.map((p) => (p.sessions ?? 0) * 100) });
  const limits = new Map<string, number>();
  for (const ev of report.verdict.evaluations) {
    if (ev.project !== null || ev.id === 'error-rate') continue;
    const percent = (1 - ev.maxBadRate) * 100;
    if (![...limits.values()].includes(percent))
      limits.set(`limit ${formatLimitPercent(1 - ev.maxBadRate)} (${escapeMarkdown(checkName(ev.label).toLowerCase(), 100)})`, percent);
  }
  for (const [name, value] of limits) series.push({ name, values: points.map(() => value) });

  // A loop, not Math.min(...): 10,000 polls times several series is past what a spread may pass.
  const low = series.reduce((m, s) => s.values.reduce((a, v) => Math.min(a, v), m), Infinity);
  const [yMin, yMax] = yRange(low);
  const labels = points.map((p) => `"${trimNumber(p.minutes, 1)}"`).join(', ');
  const lines = [
    'xychart-beta',
    '    title "Crash-free % since deploy (all projects)"',
    `    x-axis "Minutes since deploy" [${labels}]`,
    `    y-axis "Crash-free %" ${trimNumber(yMin, 2)} --> ${trimNumber(yMax, 2)}`,
    ...series.map((s) => `    line [${s.values.map((v) => trimNumber(v, 3)).join(', ')}]`),
  ];
  const caption = [`_Lines, in order: ${series.map((s) => s.name).join(', ')}._`];
  if (points.length < all.length) caption.push(`_The chart shows ${points.length} of ${formatCount(all.length)} polls, evenly spaced._`);
  return [codeBlock(lines.join('\n'), 'mermaid'), caption.join(' ')].join('\n\n');
}

/** A y-axis from a round number below the lowest value to 100%, so small dips are visible. */
function yRange(lowest: number): [number, number] {
  const span = Math.max(100 - lowest, 0.1);
  const step = span <= 1 ? 0.1 : span <= 5 ? 0.5 : span <= 20 ? 1 : 5;
  const min = Math.max(0, Math.floor((lowest - span * 0.1) / step) * step);
  return [Math.min(min, 100 - step), 100];
}

function listed(items: string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${formatCount(items.length - max)} more` : shown;
}

function trimNumber(n: number, decimals: number): string {
  return String(Number(n.toFixed(decimals)));
}

function registrationSection(report: RunReport): string | null {
  const reg = report.registration;
  if (!reg && report.commits.length === 0) return null;
  const parts: string[] = [];
  if (reg) {
    const release = codeSpan(report.release, 200);
    const commitText: Record<typeof reg.commitMode, string> = {
      refs: 'associated by Sentry from the connected repository (refs: it walks the commits since the previous release itself)',
      commits: `${formatCount(reg.commitCount)} sent from the GitHub compare (commit list)`,
      skip: 'not associated (set-commits: skip)',
      'none-found': 'none found to associate',
    };
    parts.push(
      '### Release registration',
      [
        `- Release ${release}: ${reg.created ? 'created' : 'already existed'}`,
        `- Commits: ${commitText[reg.commitMode]}`,
        `- Deploy to ${codeSpan(report.environment, 100)}: ${reg.deployCreated ? 'recorded' : 'already recorded'}`,
        `- Finalized: ${reg.finalized ? 'yes' : 'no'}`,
      ].join('\n'),
    );
  }
  if (report.commits.length > 0) {
    const items = report.commits.slice(0, SUMMARY_COMMITS).map((c) => {
      const sha = shortSha(c.id);
      const shown = /^[0-9a-f]+$/i.test(sha) ? `\`${sha}\`` : escapeMarkdown(sha, 40);
      const author = c.author ? ` (${escapeMarkdown(c.author, 80)})` : '';
      return `- ${shown} ${escapeMarkdown(firstLine(c.message), 120)}${author}`;
    });
    if (report.commits.length > SUMMARY_COMMITS) items.push(`- … and ${formatCount(report.commits.length - SUMMARY_COMMITS)} more`);
    parts.push(`#### Commits (${formatCount(report.commits.length)})`, items.join('\n'));
  }
  return parts.join('\n\n');
}

function linksSection(report: RunReport): string {
  const items: string[] = [];
  if (safeUrl(report.releaseUrl)) items.push(`- Release ${mdLink(report.release, report.releaseUrl, { code: true })} in Sentry`);
  items.push(
    report.previousRelease === null
      ? '- Previous release: none found'
      : `- Previous release: ${mdLink(report.previousRelease, report.previousReleaseUrl, { code: true })}`,
  );
  if (safeUrl(report.runUrl)) items.push(`- ${mdLink('Workflow run', report.runUrl)}`);
  if (safeUrl(report.runbookUrl)) items.push(`- ${mdLink('Runbook', report.runbookUrl)}`);
  if (safeUrl(report.dashboardUrl)) items.push(`- ${mdLink('Dashboard', report.dashboardUrl)}`);
  return ['### Links', items.join('\n')].join('\n\n');
}
