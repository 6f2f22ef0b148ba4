import type { Inputs } from '../../config/schema';
import type { RunContext } from '../../config/load';
import { actionText, buildAlert, buildAnnotation, onset } from '../../report/alert';
import { safeUrl } from '../../report/escape';
import { formatEValue, formatPercent, formatPercentRange } from '../../format';
import type { RunReport } from '../../report/types';
import { oneLine } from '../../util/text';
import type { AlertFacts } from '../port';

const SEVERITY = { fail: 'critical', inconclusive: 'warning', pass: 'info' } as const;

/** PagerDuty's limit on a summary, and a fair one for every other title. */
export const SUMMARY_MAX = 1024;

/** The facts of one verdict, from the report every notifier lays out in its own way. */
export function alertFacts(
  report: RunReport,
  inputs: Pick<Inputs, 'sentry-projects'>,
  run: Pick<RunContext, 'repository'> & Partial<Pick<RunContext, 'runAttempt'>>,
): AlertFacts {
  const { verdict } = report;
  const [headline = '', value = ''] = buildAnnotation(report)
    .split('\n')[0]!
    .split(/: (.*)/s);
  const decisive = verdict.evaluations.find((e) => e.id === verdict.check && e.project === verdict.project);
  const issue = verdict.check === 'new-issues' ? (verdict.issue ?? null) : null;
  const details: AlertFacts['details'] = {
    verdict: verdict.outcome,
    check: verdict.check,
    reason: oneLine(verdict.reason, 1000),
    release: report.release,
    'previous release': report.previousRelease,
    environment: report.environment,
    'action taken': actionText(report),
  };
  if (decisive) {
    Object.assign(details, {
      'observed bad rate': decisive.observedBadRate === null ? null : formatPercent(decisive.observedBadRate, 2),
      interval: decisive.interval ? formatPercentRange(decisive.interval) : null,
      n: decisive.n,
      'bad (k)': decisive.k,
      'limit (bad rate)': formatPercent(decisive.maxBadRate, 2),
      'evidence (e-value)': `${formatEValue(decisive.eFail)} (fail at ${formatEValue(decisive.eThreshold)})`,
    });
  }
  if (issue) Object.assign(details, { issue: oneLine(issue.shortId, 60), 'issue title': oneLine(issue.title, 160), 'issue users': issue.userCount });
  return {
    verdict: verdict.outcome,
    severity: SEVERITY[verdict.outcome],
    summary: oneLine(`${headline}: ${value}`, SUMMARY_MAX),
    headline: oneLine(headline, 300),
    value: oneLine(value, 1000),
    body: buildAlert(report),
    repository: run.repository ? `${run.repository.owner}/${run.repository.repo}` : null,
    environment: report.environment,
    release: report.release,
    previousRelease: report.previousRelease,
    projects: inputs['sentry-projects'],
    check: verdict.check,
    startedAt: onset(report)?.at ?? verdict.decidedAt,
    decidedAt: verdict.decidedAt,
    superseded: report.action.kind === 'superseded',
    actionTaken: actionText(report),
    links: { runbook: safeUrl(report.runbookUrl), dashboard: safeUrl(report.dashboardUrl), sentry: safeUrl(report.releaseUrl), run: safeUrl(report.runUrl) },
    details,
    ...(rerun(run.runAttempt) ? { attempt: rerun(run.runAttempt) as number } : {}),
  };
}

/** GITHUB_RUN_ATTEMPT when it says this is a re-run (2 or more), else null. */
function rerun(attempt: string | null | undefined): number | null {
  const n = Number(attempt);
  return Number.isSafeInteger(n) && n > 1 ? n : null;
}

/**
 * The incident's identity: one per repository and environment, so a re-run,
 * or a second gate for the same environment, lands on the same incident, and a
 * later pass there closes it.
 */
export function incidentKey(facts: Pick<AlertFacts, 'repository' | 'environment' | 'projects'>): string {
  const where = facts.repository ?? projectsKey(facts.projects);
  return oneLine(`release-health-gate/${where}/${facts.environment}`, 255);
}

/** The projects as an identity: in one order, so "web,api" in one workflow and "api,web" in another are the same incident. */
export const projectsKey = (projects: readonly string[]) => [...new Set(projects)].sort().join(',');
