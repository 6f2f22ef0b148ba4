import type { NotifyVerdict } from '../config/notify-inputs';
import type { NotificationResult, PlannedRequest } from '../report/types';
import type { Tracker } from '../sources/sentry/types';

export type { NotificationResult, PlannedRequest };

/** What acting may print. */
export interface ActLog {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** The GitHub side of a rollback; null members are skipped (outside Actions, no token). */
export interface RollbackPort {
  dispatchRollback: ((inputs: Record<string, string>) => Promise<{ workflow: string; ref: string }>) | null;
  /**
   * A later GitHub deployment of other code to the environment of `github-deployment-id` (on metrics alone, of
   * this commit's deployment to the environment), or null; `note` hears why it could not look.
   */
  newerDeployment?: ((note?: (message: string) => void) => Promise<{ name: string; at: string } | null>) | null;
  /** A run of the rollback workflow created since `since` (epoch ms) that is queued, running or succeeded. */
  findRollbackRun?: ((since: number, release: string) => Promise<{ url: string; status: string } | null>) | null;
}

/** What the rollback decision reads: the pipeline's dependencies fit it as they are. */
export interface RollbackDeps {
  tracker: Pick<Tracker, 'newerDeploy'>;
  github: RollbackPort;
  clock: { now(): number };
  log: ActLog;
  signal?: AbortSignal;
}

export type DeploymentState = 'success' | 'failure' | 'error';

/** Everything a notifier needs to say, as data: built once from the report, laid out by each notifier. */
export interface AlertFacts {
  verdict: NotifyVerdict;
  /** fail: critical; inconclusive: warning; pass: info. */
  severity: 'critical' | 'warning' | 'info';
  /** The alert's first line: what and how much. One line, no control characters. */
  summary: string;
  headline: string;
  value: string;
  /** The alert body the job summary shows (plain text, several lines). */
  body: string;
  /** "owner/repo", or null outside GitHub Actions. */
  repository: string | null;
  environment: string;
  release: string;
  previousRelease: string | null;
  projects: string[];
  /** The check that decided (crash-free-users, new-issues, ...), or null. */
  check: string | null;
  /** When it went wrong (or the decision, when unknown), and when it was decided: epoch ms. */
  startedAt: number;
  decidedAt: number;
  /**
   * A newer release was deployed to the environment after this one: the
   * verdict is not about what is live, so it neither pages (that release's own
   * gate does) nor resolves (its incident is not this one's to close).
   */
  superseded: boolean;
  /** What happened after the verdict (the rollback), in words. */
  actionTaken: string;
  links: { runbook: string | null; dashboard: string | null; sentry: string | null; run: string | null };
  /** The numbers behind the verdict, for PagerDuty's custom_details. */
  details: Record<string, string | number | null>;
  /**
   * The run attempt when this is a re-run of the workflow run (2 or more).
   * PagerDuty and Alertmanager dedupe a re-run by the incident key and labels;
   * a Slack webhook cannot, so its message says it is a re-run.
   */
  attempt?: number;
}

/** One on-call destination. `send` throws NotifyError (naming the status) when it gives up. */
export interface Notifier {
  readonly name: NotificationResult['notifier'];
  /** Whether this notifier has anything to send for the facts (a pass resolves, or posts only when asked to). */
  wants(facts: AlertFacts, notifyOn: readonly NotifyVerdict[]): boolean;
  /** What `send` would post, for a dry run (secrets still in: the caller redacts). */
  plan(facts: AlertFacts): PlannedRequest[];
  send(facts: AlertFacts, signal?: AbortSignal): Promise<{ requests: number; note?: string }>;
}

/** What the action and the CLI fill: where the verdict goes besides the job's exit code. */
export interface ActPort {
  /** Sets the GitHub deployment's status; null when no github-deployment-id. */
  deploymentStatus: ((state: DeploymentState, description: string) => Promise<void>) | null;
  /** Set when github-deployment-id is given but the status cannot be set: said, not silently skipped. */
  deploymentStatusUnavailable?: string;
  notifiers: readonly Notifier[];
  log: ActLog;
  /** Secrets to redact from the planned payloads a dry run shows. */
  secrets: readonly string[];
  signal?: AbortSignal;
  now?: () => number;
}
