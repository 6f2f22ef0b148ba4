import type { CheckEvaluation, ThresholdEvaluation, Verdict } from '../gate/types';
import type { CommitLine, Registration } from '../sources/sentry/register';
import type { HealthSample, NewIssue } from '../sources/sentry/types';

/**
 * One poll as the report shows it. A poll that failed to complete has `sample: null`,
 * no evaluations and an `error`; a poll of sources that count no sessions has
 * `sample: null` and its evaluations.
 */
export interface PollRecord {
  at: number;
  sample: HealthSample | null;
  error?: string;
  evaluations: CheckEvaluation[];
  newIssues: number;
  /** The threshold-for checks' readings at this poll (a gauge source serves no counts, yet it answered). */
  thresholds?: ThresholdEvaluation[];
}

/** A poll no source answered: it neither starts nor breaks a run, and shows only its error. */
export const isSkipped = (poll: PollRecord): boolean => poll.sample === null && poll.evaluations.length === 0 && !poll.thresholds?.length;

export interface BaselineCheck {
  id: CheckEvaluation['id'];
  /** The previous release's bad rate over the comparable window, its interval, and its sample. */
  observedBadRate: number | null;
  interval: [number, number] | null;
  n: number;
  k: number;
  absoluteMaxBadRate: number;
  effectiveMaxBadRate: number;
  /** Why the absolute limit was kept, when it was. */
  note: string | null;
}

export interface Baseline {
  release: string;
  /** Epoch ms of the comparable window. */
  from: number;
  to: number;
  checks: BaselineCheck[];
}

export type { CommitLine, Registration };

export type ActionTaken =
  | { kind: 'none'; why: string }
  | { kind: 'dispatched'; workflow: string; ref: string; previousRelease: string | null }
  | { kind: 'dispatch-failed'; workflow: string; error: string }
  /** The request went out and no answer came back: the rollback may be running. */
  | { kind: 'dispatch-unconfirmed'; workflow: string; ref: string; previousRelease: string | null; error: string }
  /** Another release was deployed to the environment after this one: rolling back would replace it. */
  | { kind: 'superseded'; workflow: string | null; newerRelease: string; deployedAt: string }
  /** A run of the rollback workflow since this deploy is queued, running or succeeded (another gate, or an earlier attempt). */
  | { kind: 'already-dispatched'; workflow: string; runUrl: string; status: string }
  /** Nothing dispatched because it could not be confirmed that the release is still the newest deploy. */
  | { kind: 'held'; workflow: string | null; why: string }
  | { kind: 'would-dispatch'; workflow: string; ref: string; previousRelease: string | null };

/** The verdict as the report shows it: a new-issues failure names the tracker's issue. */
export type ReportVerdict = Omit<Verdict, 'issue'> & { issue?: NewIssue };

/** One request a notifier sends or, in a dry run, would send. */
export interface PlannedRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
}

/** What happened to one notification: the summary's Action line and the report show it. */
export interface NotificationResult {
  notifier: 'PagerDuty' | 'Slack' | 'Alertmanager';
  /** sent; failed (with the HTTP status or error); planned (dry run: nothing sent). */
  status: 'sent' | 'failed' | 'planned';
  kind: 'trigger' | 'resolve' | 'message';
  requests: number;
  error?: string;
  /** Dry run: the requests it would have sent, already redacted. */
  planned?: PlannedRequest[];
  note?: string;
}

/** Everything the report builders need; built by the pipeline, read by pure builders. */
export interface RunReport {
  org: string;
  projects: string[];
  release: string;
  environment: string;
  releaseUrl: string;
  previousRelease: string | null;
  previousReleaseUrl: string | null;
  /** Epoch ms when the deploy finished (the start of the health window). */
  deployFinishedAt: number;
  windowMs: number;
  intervalMs: number;
  confidence: number;
  /** Null when no tracker counts sessions (a gate on metrics checks alone). */
  minSessions: number | null;
  verdict: ReportVerdict;
  dryRun: boolean;
  polls: PollRecord[];
  newIssues: NewIssue[];
  /** Set when the new-issue check was on and no issues query ever answered. */
  issuesUnread?: true;
  maxNewIssueUsers?: number;
  baseline: Baseline | null;
  commits: CommitLine[];
  registration: Registration | null;
  runbookUrl: string | null;
  dashboardUrl: string | null;
  runUrl: string | null;
  action: ActionTaken;
  /** On-call notifications sent (or, in a dry run, planned) after the verdict. */
  notifications?: NotificationResult[];
}
