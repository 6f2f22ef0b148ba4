import type { CheckEvaluation, Outcome } from '../gate/types';
import { shownRate } from '../sources/sentry/health';
import type { HealthCounts, NewIssue } from '../sources/sentry/types';
import { isoOrNull } from '../format';
import { safeUrl } from './escape';
import type { ActionTaken, Registration, RunReport } from './types';

/**
 * The JSON report, version 1 (`schema: 1`), written to `report-path`.
 * Stable for consumers: fields are only ever added; a breaking change bumps `schema`.
 * Times are ISO-8601 UTC strings; rates are fractions in [0, 1] rounded to 6 places;
 * e-values have 4 significant digits; any number that is not finite is `null`.
 * Strings from the tracker are copied as they are: escape them before display.
 */
export interface JsonReportV1 {
  schema: 1;
  org: string;
  projects: string[];
  release: string;
  environment: string;
  dryRun: boolean;
  deployFinishedAt: string | null;
  settings: {
    windowMs: number | null;
    intervalMs: number | null;
    confidence: number | null;
    minSessions: number | null;
    /** null when the new-issue check is off. */
    maxNewIssueUsers: number | null;
  };
  verdict: {
    outcome: Outcome;
    reason: string;
    check: string | null;
    /** Project slug, or null for all projects together. */
    project: string | null;
    decidedAt: string | null;
    decidedAfterMs: number | null;
    /** The issue that decided a new-issues failure. */
    issue: JsonIssue | null;
    /** Every check at the deciding poll. */
    evaluations: JsonEvaluation[];
    /** Threshold-for checks at the deciding poll, when there are any (no statistical guarantee). */
    thresholds?: { check: string; value: number | null; pastSince: string | null; forMs: number | null; status: string }[];
  };
  /** Every poll, oldest first; a skipped poll has `sample: null` and an `error`. */
  polls: JsonPoll[];
  newIssues: JsonIssue[];
  baseline: JsonBaseline | null;
  registration: Registration | null;
  commits: { id: string; message: string; author: string | null }[];
  action: ActionTaken | (Omit<Extract<ActionTaken, { kind: 'already-dispatched' }>, 'runUrl'> & { runUrl: string | null });
  /** Who was told: one entry per notifier that sent (or, in a dry run, would have sent) something; the payloads are in the summary only. */
  notifications: { notifier: string; kind: string; status: string; requests: number; error: string | null }[];
  links: {
    release: string;
    previousRelease: string | null;
    previousReleaseName: string | null;
    run: string | null;
    runbook: string | null;
    dashboard: string | null;
  };
}

export interface JsonCounts {
  sessions: number | null;
  crashedSessions: number | null;
  erroredSessions: number | null;
  users: number | null;
  crashedUsers: number | null;
  /** Derived; null when there were no users (or sessions). */
  crashFreeUsers: number | null;
  crashFreeSessions: number | null;
  errorRate: number | null;
}

export interface JsonPoll {
  at: string | null;
  sinceDeployMs: number | null;
  sample: (JsonCounts & { projects: Record<string, JsonCounts> }) | null;
  error: string | null;
  newIssues: number | null;
  evaluations: JsonEvaluation[];
}

export interface JsonEvaluation {
  check: string;
  project: string | null;
  maxBadRate: number | null;
  n: number | null;
  k: number | null;
  observedBadRate: number | null;
  interval: [number | null, number | null] | null;
  eFail: number | null;
  ePass: number | null;
  eThreshold: number | null;
  /** The last poll's exact test on the counts since the deploy: p-value and the level it must reach. */
  endOfWindow: { p: number | null; alpha: number | null } | null;
  /** The last poll's exact test on the window's second half alone (from `since`). */
  secondHalf: { since: string | null; n: number | null; k: number | null; observedBadRate: number | null; p: number | null; alpha: number | null } | null;
  status: CheckEvaluation['status'];
}

export interface JsonIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string | null;
  permalink: string | null;
  project: string;
  userCount: number | null;
  count: number | null;
  firstSeen: string | null;
}

export interface JsonBaseline {
  release: string;
  from: string | null;
  to: string | null;
  checks: {
    check: string;
    observedBadRate: number | null;
    interval: [number | null, number | null] | null;
    n: number | null;
    k: number | null;
    absoluteMaxBadRate: number | null;
    effectiveMaxBadRate: number | null;
    note: string | null;
  }[];
}

/** The run as a plain, JSON-safe object in the `JsonReportV1` shape. */
export function buildJsonReport(report: RunReport): JsonReportV1 {
  const { verdict } = report;
  return {
    schema: 1,
    org: report.org,
    projects: [...report.projects],
    release: report.release,
    environment: report.environment,
    dryRun: report.dryRun,
    deployFinishedAt: isoOrNull(report.deployFinishedAt),
    settings: {
      windowMs: num(report.windowMs),
      intervalMs: num(report.intervalMs),
      confidence: rate(report.confidence),
      minSessions: num(report.minSessions),
      maxNewIssueUsers: report.maxNewIssueUsers === undefined ? null : num(report.maxNewIssueUsers),
    },
    verdict: {
      outcome: verdict.outcome,
      reason: verdict.reason,
      check: verdict.check,
      project: verdict.project,
      decidedAt: isoOrNull(verdict.decidedAt),
      decidedAfterMs: num(verdict.decidedAt - report.deployFinishedAt),
      issue: verdict.issue ? issue(verdict.issue) : null,
      evaluations: verdict.evaluations.map(evaluation),
      ...(verdict.thresholds?.length
        ? {
            thresholds: verdict.thresholds.map((t) => ({
              check: t.id,
              value: t.value === null ? null : num(t.value),
              pastSince: t.pastSince === null ? null : isoOrNull(t.pastSince),
              forMs: num(t.forMs),
              status: t.status,
            })),
          }
        : {}),
    },
    polls: report.polls.map((p) => ({
      at: isoOrNull(p.at),
      sinceDeployMs: num(p.at - report.deployFinishedAt),
      sample: p.sample
        ? {
            ...counts(p.sample),
            projects: Object.fromEntries(Object.entries(p.sample.projects).map(([slug, c]) => [slug, counts(c)])),
          }
        : null,
      error: p.error ?? null,
      newIssues: num(p.newIssues),
      evaluations: p.evaluations.map(evaluation),
    })),
    newIssues: report.newIssues.map(issue),
    baseline: report.baseline
      ? {
          release: report.baseline.release,
          from: isoOrNull(report.baseline.from),
          to: isoOrNull(report.baseline.to),
          checks: report.baseline.checks.map((b) => ({
            check: b.id,
            observedBadRate: rate(b.observedBadRate),
            interval: range(b.interval),
            n: num(b.n),
            k: num(b.k),
            absoluteMaxBadRate: rate(b.absoluteMaxBadRate),
            effectiveMaxBadRate: rate(b.effectiveMaxBadRate),
            note: b.note,
          })),
        }
      : null,
    registration: report.registration
      ? {
          created: report.registration.created,
          commitMode: report.registration.commitMode,
          commitCount: report.registration.commitCount,
          deployCreated: report.registration.deployCreated,
          finalized: report.registration.finalized,
        }
      : null,
    commits: report.commits.map((c) => ({ id: c.id, message: c.message, author: c.author ?? null })),
    // GitHub's run URL is server text: only a plain http(s) URL is passed on.
    action: report.action.kind === 'already-dispatched' ? { ...report.action, runUrl: safeUrl(report.action.runUrl) } : { ...report.action },
    notifications: (report.notifications ?? []).map((n) => ({
      notifier: n.notifier,
      kind: n.kind,
      status: n.status,
      requests: n.requests,
      error: n.error ?? null,
    })),
    links: {
      release: report.releaseUrl,
      previousRelease: report.previousReleaseUrl,
      previousReleaseName: report.previousRelease,
      run: report.runUrl,
      runbook: report.runbookUrl,
      dashboard: report.dashboardUrl,
    },
  };
}

function evaluation(ev: CheckEvaluation): JsonEvaluation {
  return {
    check: ev.id,
    project: ev.project,
    maxBadRate: rate(ev.maxBadRate),
    n: num(ev.n),
    k: num(ev.k),
    observedBadRate: rate(ev.observedBadRate),
    interval: range(ev.interval),
    eFail: significant(ev.eFail),
    ePass: significant(ev.ePass),
    eThreshold: significant(ev.eThreshold),
    endOfWindow: ev.finalP === undefined ? null : { p: significant(ev.finalP), alpha: significant(ev.finalAlpha ?? NaN) },
    secondHalf: ev.recent
      ? {
          since: isoOrNull(ev.recent.since),
          n: num(ev.recent.n),
          k: num(ev.recent.k),
          observedBadRate: rate(ev.recent.observedBadRate),
          p: significant(ev.recent.p),
          alpha: significant(ev.recent.alpha),
        }
      : null,
    status: ev.status,
  };
}

const rateOrNull = (x: number | null) => (x === null ? null : rate(x));

function counts(c: HealthCounts): JsonCounts {
  return {
    sessions: num(c.sessions),
    crashedSessions: num(c.crashedSessions),
    erroredSessions: num(c.erroredSessions),
    users: num(c.users),
    crashedUsers: num(c.crashedUsers),
    crashFreeUsers: rateOrNull(shownRate('crash-free-users', c)),
    crashFreeSessions: rateOrNull(shownRate('crash-free-sessions', c)),
    errorRate: rateOrNull(shownRate('error-rate', c)),
  };
}

function issue(i: NewIssue): JsonIssue {
  return {
    id: i.id,
    shortId: i.shortId,
    title: i.title,
    culprit: i.culprit,
    permalink: safeUrl(i.permalink),
    project: i.project,
    userCount: num(i.userCount),
    count: num(i.count),
    // Reprinted, never copied: the tracker's text could carry an offset, or anything its parser skips.
    firstSeen: isoOrNull(Date.parse(i.firstSeen)),
  };
}

function num(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Six places: enough to tell 99.95% from 99.96% on a million sessions, without float noise. */
function rate(x: number | null | undefined): number | null {
  const n = num(x);
  return n === null ? null : Math.round(n * 1e6) / 1e6;
}

function significant(x: number): number | null {
  const n = num(x);
  return n === null ? null : Number(n.toPrecision(4));
}

function range(r: [number, number] | null): [number | null, number | null] | null {
  return r === null ? null : [rate(r[0]), rate(r[1])];
}
