/**
 * The ports every source of evidence plugs into (issue #14). A *check* is
 * data: an id, a label, a kind and a limit. A *health source* answers one poll
 * with observations keyed by check id; the decision core judges observations
 * and never knows where they came from. A *registrar* tells a tracker about the
 * release. Sentry is the first of each; Prometheus, Datadog (health only),
 * Bugsnag and Rollbar (both) follow in their own folders under src/sources/.
 *
 * Nothing here does I/O; sources implement these interfaces in their folders.
 */

/** Bad events out of total events, judged by the anytime-valid test (crash-free users, error rate, 5xx rate). */
export interface RatioCheck {
  kind: 'ratio';
  /** Stable id: a key of observations, of outputs and of the report. Built-ins: 'crash-free-users', 'crash-free-sessions', 'error-rate'. */
  id: string;
  /** What people read: "crash-free users", "5xx rate". */
  label: string;
  /** The source that serves it ('sentry', 'prometheus', 'datadog', 'bugsnag', 'rollbar'). */
  source: string;
  /** p0: the largest acceptable share of bad events. */
  maxBadRate: number;
  /** The limit from the inputs, and whether maxBadRate was moved by a baseline. */
  absoluteMaxBadRate: number;
  limitSource: 'absolute' | 'baseline';
  /** What n and k count, for sentences: { trials: 'users', bad: 'crashed' }, { trials: 'requests', bad: '5xx' }. */
  units: { trials: string; bad: string };
  /** 'good': shown as the good share (crash-free 99.2%); 'bad': as the bad share (5xx rate 0.8%). */
  display: 'good' | 'bad';
}

/** Items (new issues) over a number of affected users: fails when one affects more than maxUsers. */
export interface CountCheck {
  kind: 'count';
  id: string;
  label: string;
  source: string;
  maxUsers: number;
}

/**
 * A value with no counts behind it (a gauge, a probe) past a limit at every
 * poll for `forMs`: the classic "p95 > 3 s FOR 10 m" alert. It carries no
 * statistical guarantee, and reports say so.
 */
export interface ThresholdForCheck {
  kind: 'threshold-for';
  id: string;
  label: string;
  source: string;
  /** Fails when the value is below min, or above max (at least one is set). */
  min?: number;
  max?: number;
  forMs: number;
  /** For sentences: '' for a plain number, 's' for seconds, '%' when the value is a fraction. */
  unit: string;
}

export type Check = RatioCheck | CountCheck | ThresholdForCheck;

/** n trials, k of them bad. */
export interface RatioCounts {
  n: number;
  k: number;
  /**
   * The bad units the fail tests count, when fewer than k may be counted
   * validly (Sentry's session checks count bad users: see testedTrials). Unset: k.
   */
  kTested?: number;
}

export interface RatioObservation {
  kind: 'ratio';
  /** Since the deploy, over everything the check covers. */
  counts: RatioCounts;
  /** The same per scope (a Sentry project) when there are several; each is a test of its own. */
  scopes?: Record<string, RatioCounts>;
}

/** An item the count check judges. Every string is server text: escape before display. */
export interface CountItem {
  id: string;
  shortId: string;
  title: string;
  userCount: number;
  /** The scope (project) it belongs to, when the source has several. */
  scope: string | null;
}

export interface CountObservation {
  kind: 'count';
  items: CountItem[];
}

/** One reading of a gauge at the poll; null when the query returned no data. */
export interface ValueObservation {
  kind: 'value';
  value: number | null;
}

export type Observation = RatioObservation | CountObservation | ValueObservation;

/** What one poll asks for: everything from `since` (the deploy) to `until`, epoch ms. */
export interface PollWindow {
  since: number;
  until: number;
  /** Nothing after `until` may be counted (data is still arriving): a source may end earlier, and says where in `at`. */
  settled: boolean;
  /**
   * At the last poll: also count each ratio check from `recentSince` to `until`
   * alone (the window's second half), counted over that span, not as a
   * difference of rates. A source that cannot leaves `recent` unset.
   */
  recentSince?: number;
  signal?: AbortSignal;
}

export interface HealthPoll {
  /** Epoch ms the counts run up to. */
  at: number;
  /**
   * By check id, for the checks this source serves. A check missing here had
   * no data this poll ("no data", never zero traffic that passes).
   */
  observations: Record<string, Observation>;
  /** Ratio counts over the recent span, by check id, when `recentSince` was given. */
  recent?: Record<string, RatioObservation>;
  /** Why a check has no observation this poll, by check id (shown in the report). */
  missing?: Record<string, string>;
  /**
   * Added for the core reshape: the sessions and users the release saw since
   * the deploy, for the min-sessions rule, the progress line and the report's
   * chart. Sources that count no sessions (gauges, request rates) leave it unset.
   */
  totals?: SessionSample;
}

/** Cumulative session and user counts since the deploy (Sentry's release health). */
export interface SessionCounts {
  sessions: number;
  crashedSessions: number;
  /** Sessions that were not healthy (errored + crashed + abnormal); null when not asked for. */
  erroredSessions: number | null;
  users: number;
  crashedUsers: number;
  /** Users with at least one unhealthy session, when counted. */
  erroredUsers?: number | null;
}

/** One poll's session counts up to `at`, in total and per scope (project). */
export interface SessionSample extends SessionCounts {
  at: number;
  projects: Record<string, SessionCounts>;
}

/** What a baseline reads: the previous release's health over [since, until) before this deploy, epoch ms. */
export interface BaselineWindow {
  /** The previous release's version (the registrar's previousRelease). */
  previous: string;
  since: number;
  until: number;
  signal?: AbortSignal;
}

/**
 * One source of health evidence. A poll that throws is an outage (skipped,
 * recorded); a TrackerSetupError (bad token, bad query) ends the run loudly.
 */
export interface HealthSource {
  /** 'sentry', 'prometheus', ...: matches Check.source. */
  readonly name: string;
  poll(checks: readonly Check[], window: PollWindow): Promise<HealthPoll>;
  /** HTTP requests made so far (for the benchmark and the report). */
  requests(): number;
  /** Releases what the source holds open (its HTTP client), once the watch is over. */
  close?(): Promise<void>;
  /**
   * Added for issue #14 (baseline: previous-release): the previous release's
   * counts over `window`, by check id, for the ratio checks among `checks`
   * it can compare (the others are left out, and keep their absolute limits).
   * A source without it offers no baseline, and the gate says so.
   */
  baseline?(checks: readonly Check[], window: BaselineWindow): Promise<Record<string, RatioCounts>>;
}

/** What a registrar needs to know about the run to register the release. */
export interface RegisterRequest {
  version: string;
  environment: string;
  /** The deploy's start and end, epoch ms (when the gate sent them). */
  startedAt: number;
  finishedAt: number;
  /** Repository "owner/name" and the commit deployed, when known. */
  repository: string | null;
  commit: string | null;
  runUrl: string | null;
  signal?: AbortSignal;
}

export interface RegisterResult {
  created: boolean;
  deployCreated: boolean;
  finalized: boolean;
  /** Epoch ms the watch starts from: the deploy this registration recorded (or found, on a re-run). */
  deployFinishedAt: number;
  /** Added for the core reshape: how commits were associated, and the ones sent (for the report). */
  commitMode?: 'refs' | 'commits' | 'skip' | 'none-found';
  commits?: { id: string; message: string; author?: string }[];
}

/** A release the tracker knows: the previous one is the rollback target and the baseline. */
export interface KnownRelease {
  version: string;
  url: string | null;
}

/**
 * Tells a tracker about the release. Idempotent: a re-run of the same job
 * registers nothing twice.
 */
export interface Registrar {
  readonly name: string;
  register(req: RegisterRequest): Promise<RegisterResult>;
  /** The release deployed to the environment before `version`, or null. */
  previousRelease(version: string, environment: string, signal?: AbortSignal): Promise<KnownRelease | null>;
  /** Link to the release page for people. */
  releaseUrl(version: string): string | null;
  /**
   * Added for Bugsnag and Rollbar (issue #17): a deploy of other code to the
   * environment after `after` (epoch ms, no later than `now` plus clock skew),
   * so a rollback never replaces a newer fix. Sentry answers through its tracker.
   */
  newerDeploy?(q: { version: string; environment: string; after: number; now: number; signal?: AbortSignal }): Promise<{ version: string; at: number } | null>;
  /**
   * Added for issue #14: when `version` was last deployed to the environment
   * (epoch ms, never later than `now` plus clock skew), or null when the
   * tracker knows no such deploy. With register: false the watch starts there.
   */
  deployTime?(q: { version: string; environment: string; now: number; signal?: AbortSignal }): Promise<number | null>;
}
