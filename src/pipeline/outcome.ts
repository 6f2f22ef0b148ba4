import type { Inputs } from '../config/schema';
import type { PipelineResult } from './run';
import { oneLine } from '../util/text';
import type { Verdict } from '../gate/types';

/** The action's outputs, by name: the one list action.yml's outputs are checked against. */
export const OUTPUT_NAMES = [
  'verdict',
  'healthy',
  'reason',
  'release',
  'previous-release',
  'release-url',
  'crash-free-users',
  'crash-free-sessions',
  'error-rate',
  'sessions',
  'users',
  'new-issues',
  'checks',
  'report-path',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** The action's outputs, as strings; the same names in the CLI's --json. */
export function outputsOf(inputs: Inputs, result: PipelineResult, reportPath: string | null): Record<OutputName, string> {
  const { report } = result;
  const last = report?.polls.findLast((p) => p.sample)?.sample ?? null;
  const rate = (bad: number, n: number) => (n > 0 ? String(Number((1 - bad / n).toFixed(6))) : '');
  return {
    verdict: report ? report.verdict.outcome : 'skipped',
    healthy: String(report?.verdict.outcome !== 'fail'),
    reason: report ? report.verdict.reason : 'gate: false (registration only)',
    release: inputs.release,
    'previous-release': result.previousRelease?.version ?? '',
    'release-url': result.releaseUrl,
    'crash-free-users': last ? rate(last.crashedUsers, last.users) : '',
    'crash-free-sessions': last ? rate(last.crashedSessions, last.sessions) : '',
    'error-rate': last && last.sessions > 0 && last.erroredSessions !== null ? String(Number((last.erroredSessions / last.sessions).toFixed(6))) : '',
    sessions: last ? String(last.sessions) : '',
    users: last ? String(last.users) : '',
    // Empty when the check is off: "0" would claim the gate looked.
    // Nor when the issues were never read: "0" would claim none was new.
    'new-issues': report && report.maxNewIssueUsers !== undefined && !report.issuesUnread ? String(report.newIssues.length) : '',
    checks: report ? checksOutput(report.verdict) : '',
    'report-path': reportPath ?? '',
  };
}

/**
 * The `checks` output: each check's verdict, observed value and limit, by
 * check id (a metrics check's id is its name), as compact JSON. Ratio checks
 * over all scopes; threshold-for checks at the deciding poll.
 */
export function checksOutput(verdict: Verdict): string {
  const out: Record<string, { verdict: string; observed: number | null; limit: number | null }> = {};
  const decided = (id: string) => verdict.outcome === 'fail' && verdict.check === id;
  const overall = (failed: boolean) => (failed ? 'fail' : verdict.outcome === 'fail' ? 'undecided' : verdict.outcome);
  for (const e of verdict.evaluations) {
    if (e.project !== null) continue;
    out[e.id] = { verdict: overall(e.status === 'fail' || decided(e.id)), observed: round(e.observedBadRate), limit: round(e.maxBadRate) };
  }
  for (const t of verdict.thresholds ?? []) {
    out[t.id] = { verdict: overall(t.status === 'fail' || decided(t.id)), observed: round(t.value), limit: t.min ?? t.max ?? null };
  }
  return JSON.stringify(out);
}

const round = (x: number | null) => (x === null ? null : Number(x.toPrecision(6)));

export interface JobOutcome {
  /** Whether the job (or the CLI) should fail. */
  failed: boolean;
  level: 'error' | 'warning' | 'notice';
  message: string;
}

/** fail fails the job; inconclusive warns, and fails only with on-inconclusive: fail; dry runs never fail. */
export function jobOutcome(inputs: Inputs, result: PipelineResult): JobOutcome {
  const verdict = result.report?.verdict;
  if (!verdict) return { failed: false, level: 'notice', message: `Release ${inputs.release} registered (gate: false).` };
  const dry = inputs['dry-run'];
  if (verdict.outcome === 'fail') {
    const { action } = result.report!;
    // A newer release is live: failing the job would start the rollback job of
    // the README's first wiring and replace that newer release (a re-run of an
    // old gate, or a fix deployed while this gate watched). The verdict stands
    // in the outputs, the report and the summary; the job does not fail.
    if (action.kind === 'superseded' && !dry) {
      return {
        failed: false,
        level: 'warning',
        message: `Release health gate failed, but ${inputs.release} is no longer live: ${oneLine(action.newerRelease, 200)} was deployed to ${inputs.environment} after it (${action.deployedAt}), so the job does not fail and nothing is rolled back: ${verdict.reason}`,
      };
    }
    return dry
      ? { failed: false, level: 'warning', message: `Dry run: the gate would have failed the job: ${verdict.reason}` }
      : { failed: true, level: 'error', message: `Release health gate failed: ${verdict.reason}` };
  }
  if (verdict.outcome === 'inconclusive') {
    const fails = inputs['on-inconclusive'] === 'fail' && !dry;
    return { failed: fails, level: fails ? 'error' : 'warning', message: `Release health inconclusive: ${verdict.reason}` };
  }
  return { failed: false, level: 'notice', message: `Release health passed: ${verdict.reason}` };
}
