import type { CheckEvaluation, ThresholdEvaluation } from '../gate/types';
import { oneLine } from './escape';
import { checkName, formatCount, formatDuration, formatElapsed, formatValue, formatPercent, formatPercentRange, displayInterval, displayRate } from '../format';
import { isSkipped, type PollRecord } from './types';
import { labelOf, type SessionCheckId } from '../sources/sentry/checks';
import { shownRate } from '../sources/sentry/health';

/** A log line is short: "errors" for the error rate; every other check goes by its label. */
const SHORT: Record<string, string> = { 'error-rate': 'errors' };
const short = (id: string, label: string) => SHORT[id] ?? label;
/** Sentry's checks keep their place in the line even when unevaluated; other sources' follow. */
const order: SessionCheckId[] = ['crash-free-users', 'crash-free-sessions', 'error-rate'];

/**
 * One log line per poll, e.g.
 * `[03:00/10:00] 1,204 sessions, 880 users · crash-free users 99.2% (97.9–99.7) · errors 1.1% · watching`.
 * Flattened to one line: a tracker error starting a new line with `::` would be a workflow command.
 */
export function formatPollLine(poll: PollRecord, watchStart: number, windowMs: number): string {
  // The window-end poll starts late when the poll before it was slow; it still
  // is the window's last look, so the clock stops at the window's length.
  const clock = `[${formatElapsed(Math.min(windowMs, Math.max(0, poll.at - watchStart)))}/${formatElapsed(windowMs)}]`;
  const sample = poll.sample;
  if (isSkipped(poll)) return `${clock} poll skipped: ${oneLine(poll.error ?? 'no data', 300)}`;

  const parts = sample ? [`${formatCount(sample.sessions)} sessions, ${formatCount(sample.users)} users`] : [];
  const overall = poll.evaluations.filter((e) => e.project === null);
  for (const id of order) {
    const ev = overall.find((e) => e.id === id);
    if (ev) parts.push(rateText(ev));
    // Unevaluated (below min-sessions, or not configured): the raw counts still tell the story.
    else if (sample && id !== 'crash-free-sessions') {
      const rate = shownRate(id, sample);
      if (rate !== null) parts.push(`${short(id, labelOf(id))} ${formatPercent(rate)}`);
    }
  }
  for (const ev of overall) if (!(order as string[]).includes(ev.id)) parts.push(rateText(ev));
  const thresholds = poll.thresholds ?? [];
  for (const t of thresholds) parts.push(valueText(t, poll.at));
  if (poll.newIssues > 0) parts.push(`${formatCount(poll.newIssues)} new issue${poll.newIssues === 1 ? '' : 's'}`);
  parts.push(status(poll.evaluations, thresholds));
  return `${clock} ${parts.join(' · ')}`;
}

function rateText(ev: CheckEvaluation): string {
  const label = short(ev.id, ev.label);
  if (ev.observedBadRate === null) return `${label} –`;
  const interval = ev.interval ? ` (${formatPercentRange(displayInterval(ev.display, ev.interval), '')})` : '';
  return `${label} ${formatPercent(displayRate(ev.display, ev.observedBadRate))}${interval}`;
}

/** A gauge's reading, and how long it has been past its limit: "p95 latency 4.2 s (above 3 s for 2m)". */
function valueText(t: ThresholdEvaluation, at: number): string {
  const label = oneLine(t.label, 60);
  if (t.value === null) return `${label} – (no data)`;
  const value = formatValue(t.value, t.unit);
  if (t.pastSince === null) return `${label} ${value}`;
  const limit = t.max !== undefined && t.value > t.max ? `above ${formatValue(t.max, t.unit)}` : `below ${formatValue(t.min ?? 0, t.unit)}`;
  return `${label} ${value} (${limit} for ${formatDuration(Math.max(0, at - t.pastSince))})`;
}

function status(evaluations: CheckEvaluation[], thresholds: ThresholdEvaluation[] = []): string {
  const failed = evaluations.filter((e) => e.status === 'fail');
  const failedValues = thresholds.filter((t) => t.status === 'fail');
  if (failed.length > 0 || failedValues.length > 0) {
    const names = [
      ...failed.map((e) => `${checkName(e.label).toLowerCase()}${e.project !== null ? ` in ${oneLine(e.project, 60)}` : ''}`),
      ...failedValues.map((t) => oneLine(t.label, 60)),
    ];
    return `FAIL: ${names.join(', ')}`;
  }
  if (evaluations.length > 0 && evaluations.every((e) => e.status === 'healthy')) return 'healthy';
  return 'watching';
}
