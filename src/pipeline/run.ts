import type { Config } from '../config/load';
import { policyFromInputs } from './policy';
import { formatPollLine } from '../report/progress';
import type { Baseline, CommitLine, Registration, ReportVerdict, RunReport } from '../report/types';
import type { CommitInput, ReleaseInfo, Tracker } from '../sources/sentry/types';
import { buildSources, type SourceDeps, type Sources } from '../sources';
import { isNewIssue, newIssuesOf } from '../sources/sentry/health';
import { countChecks } from '../gate/types';
import { applyBaseline, measureBaseline } from './baseline';
import type { Clock } from './clock';
import type { Log } from './log';
import { act } from '../act/rollback';
import { ReleaseNotFoundError, TrackerSetupError } from '../sources/errors';
import { checkTokenForGate } from '../sources/sentry/token';
import { errorMessage } from '../util/errors';
import { oneLine } from '../util/text';
import { UnreachableError } from '../http/errors';
import { unreachableConfigError } from '../config/load';
import { releaseNameProblem, sanitizedName } from '../config/names';
import { usesSentry } from '../config/metrics-inputs';
import { trackerUrlInput } from '../config/tracker-inputs';
import { unreachableTrackerError } from '../sources/vendor-error';
import type { HealthSource, Observation, Registrar } from '../sources/types';

/** Whether a check's last observation holds any evidence. */
const hasData = (o: Observation | undefined) => o !== undefined && (o.kind === 'value' ? o.value !== null : o.kind === 'ratio' ? o.counts.n > 0 : true);

/** How the report and the log name a tracker. */
const TRACKER_NAMES: Record<string, string> = { sentry: 'Sentry', bugsnag: 'Bugsnag', rollbar: 'Rollbar' };
const trackerName = (name: string) => TRACKER_NAMES[name] ?? name;

/** What the pipeline may ask of GitHub; null members are skipped (outside Actions, no token). */
export interface GitHubPort {
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  pushBefore: string | null;
  dispatchRollback: ((inputs: Record<string, string>) => Promise<{ workflow: string; ref: string }>) | null;
  /**
   * A later GitHub deployment of other code to the environment of `github-deployment-id` (on metrics alone, of
   * this commit's deployment to the environment), or null; `note` hears why it could not look.
   */
  newerDeployment?: ((note?: (message: string) => void) => Promise<{ name: string; at: string } | null>) | null;
  /** A run of the rollback workflow created since `since` (epoch ms) that is queued, running or succeeded. */
  findRollbackRun?: ((since: number, release: string) => Promise<{ url: string; status: string } | null>) | null;
}

export interface PipelineDeps {
  tracker: Tracker;
  github: GitHubPort;
  clock: Clock;
  log: Log;
  signal?: AbortSignal;
  /** Builds the run's sources; buildSources (src/sources/index.ts) unless a test or an embedder brings its own. */
  sources?: (config: Config, deps: SourceDeps) => Sources;
}

export interface PipelineResult {
  /** null when gate: false (registration only). */
  report: RunReport | null;
  previousRelease: ReleaseInfo | null;
  releaseUrl: string;
  registration: Registration | null;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

/** The host of an http:// sentry-url that is not this machine (loopback is fine: the tracker in tests and demos), else null. */
function cleartextHost(sentryUrl: string): string | null {
  const url = new URL(sentryUrl);
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  return url.protocol === 'http:' && !loopback ? url.host : null;
}

/** register → watch → decide → report → act: the one pipeline the action, the CLI and the demo run. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  const { inputs } = config;
  const { tracker, log, clock } = deps;
  const version = inputs.release;
  const projects = inputs['sentry-projects'];
  const environment = inputs.environment;
  // Bugsnag and Rollbar register, find the previous release and link to it through their registrar;
  // a gate on metrics checks alone talks to no tracker: nothing to register, no previous release.
  const sentry = inputs.tracker === 'sentry' && usesSentry(inputs);
  let other: Registrar | null = null;
  // Before any request: registration would succeed and the first poll be refused.
  if (sentry) checkTokenForGate(inputs['sentry-auth-token'], inputs.gate);
  const urlInput = trackerUrlInput(inputs.tracker);
  const cleartext = cleartextHost(String(inputs[urlInput]));
  if (cleartext)
    log.warning(
      `${urlInput} is http:// to ${cleartext}: the auth token crosses the network unencrypted on every request; use https:// unless that network is yours alone.`,
    );

  const previousRelease = memo(async () => {
    let found: ReleaseInfo | null;
    try {
      const known = sentry ? null : await (other?.previousRelease(version, environment, deps.signal) ?? null);
      found = sentry
        ? await tracker.previousRelease(version, projects, environment)
        : known && { version: known.version, dateCreated: '', dateReleased: null, lastCommitId: null, projects: [] };
    } catch (error) {
      log.warning(`Could not find the previous release: ${errorMessage(error)}`);
      return null;
    }
    // The name goes to the rollback workflow as the version to deploy: one
    // that would not pass as the release input is not dispatched, nor used.
    const problem = found && releaseNameProblem(found.version);
    if (found && problem) {
      log.warning(`Ignoring the previous release Sentry reports, "${sanitizedName(found.version)}": it ${problem}. Going on with no previous release.`);
      return null;
    }
    return found;
  });

  const {
    registrar,
    health,
    checks: sourceChecks = [],
    close: closeSources,
  } = (deps.sources ?? buildSources)(config, {
    tracker,
    log,
    now: clock.now,
    listCommits: deps.github.listCommits,
    pushBefore: deps.github.pushBefore,
    previousRelease,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!sentry) other = registrar;
  try {
    let registration: Registration | null = null;
    let commits: CommitLine[] = [];
    let deployFinishedAt: number;
    let registrationFailed: string | null = null;
    try {
      if (inputs.register && registrar) {
        const startedAt = clock.now();
        const { run } = config;
        const registered = await log.group('Register the release', () =>
          registrar.register({
            version,
            environment,
            startedAt,
            finishedAt: startedAt,
            repository: run.repository ? `${run.repository.owner}/${run.repository.repo}` : null,
            commit: run.sha,
            runUrl: run.runUrl,
            ...(deps.signal ? { signal: deps.signal } : {}),
          }),
        );
        commits = registered.commits ?? [];
        deployFinishedAt = registered.deployFinishedAt;
        registration = {
          created: registered.created,
          commitMode: registered.commitMode ?? 'skip',
          commitCount: commits.length,
          deployCreated: registered.deployCreated,
          finalized: registered.finalized,
        };
      } else {
        // The registrar knows when the release was deployed (its deploy, build or deploy record); a gate on metrics alone starts now.
        const found = registrar?.deployTime
          ? await registrar.deployTime({ version, environment, now: clock.now(), ...(deps.signal ? { signal: deps.signal } : {}) })
          : undefined;
        if (found === null) log.warning(`${trackerName(registrar!.name)} has no deploy of ${version} to ${environment}: watching health from now.`);
        deployFinishedAt = found ?? clock.now();
      }
    } catch (error) {
      // The very first request never reached Sentry: a wrong sentry-url (or token), not an outage.
      if (error instanceof UnreachableError) {
        throw sentry
          ? unreachableConfigError(error.reason, error.message, inputs['sentry-url'])
          : unreachableTrackerError(inputs.tracker, urlInput, String(inputs[urlInput]), error.message);
      }
      // A refused token or an unknown org is the user's to fix: fail loudly. An
      // unreachable tracker is not a verdict on the release: watch on, and let
      // the watch end inconclusive if the outage lasts.
      if (error instanceof TrackerSetupError || !inputs.gate) throw error;
      if (inputs.register) registrationFailed = errorMessage(error);
      log.warning(`Could not ${inputs.register ? 'register the release' : 'find the deploy'} (${errorMessage(error)}); watching health from now.`);
      deployFinishedAt = clock.now();
    }
    const previous = await previousRelease();
    const releaseUrl = sentry ? tracker.releaseUrl(version, projects[0]) : (other?.releaseUrl(version) ?? '');
    if (!inputs.gate) return { report: null, previousRelease: previous, releaseUrl, registration };

    let policy = policyFromInputs(inputs, sourceChecks);
    let baseline: Baseline | null = null;
    if (inputs.baseline === 'previous-release') {
      // The tracker's health source measures the previous release; one without a baseline says so, once.
      const source = health.find((s) => s.name === (registrar?.name ?? inputs.tracker));
      const tracked = trackerName(registrar?.name ?? inputs.tracker);
      if (!source?.baseline) {
        log.warning(`baseline: ${tracked} offers no previous-release baseline here; the absolute limits apply.`);
      } else if (!previous) {
        log.warning(`baseline: no previous release found in ${tracked} for this environment; using the absolute limits.`);
      } else {
        try {
          const measured = await measureBaseline(source as HealthSource & Required<Pick<HealthSource, 'baseline'>>, policy.checks, {
            previous: previous.version,
            deployFinishedAt,
            windowMs: inputs.window,
            ...(deps.signal ? { signal: deps.signal } : {}),
          });
          const applied = applyBaseline(policy, measured.counts, inputs['max-crash-rate-increase'] ?? 0);
          policy = applied.policy;
          baseline = { release: previous.version, from: measured.from, to: measured.to, checks: applied.checks };
        } catch (error) {
          log.warning(`baseline: could not read the health of ${previous.version} (${errorMessage(error)}); using the absolute limits.`);
        }
      }
    }

    // Loaded here, not at the top: the gate's maths is not needed before the
    // watch, and loading it only now keeps it out of the memory peak of
    // registration, when V8 optimizes undici's HTTP parser.
    const { watch } = await import('./watch');
    const watchOrExplain = (opts: Parameters<typeof watch>[0]) =>
      watch(opts).catch((error: unknown) => {
        // "Register it first" would mislead when registering is what failed.
        if (error instanceof ReleaseNotFoundError && registrationFailed !== null) {
          throw new TrackerSetupError(
            `Sentry has no release "${version}": registering it failed (${registrationFailed}) and the release did not appear since, so there is no health to watch. Re-run the job once Sentry accepts it.`,
          );
        }
        throw error;
      });

    const watchAndClose = (opts: Parameters<typeof watch>[0]) => watchOrExplain(opts).finally(() => Promise.all(health.map((s) => s.close?.())));

    // Progress counts from the start of the watch, as the window does (the
    // deploy may be older: register: false, or a re-run).
    const watchStart = clock.now();
    const result = await log.group(`Watch ${version} in ${environment}`, () =>
      watchAndClose({
        policy,
        schedule: { windowMs: inputs.window, intervalMs: inputs.interval, initialDelayMs: inputs['initial-delay'], settleMs: inputs.settle },
        clock,
        sources: health,
        since: deployFinishedAt,
        ...(deps.signal ? { signal: deps.signal } : {}),
        onPoll: (record) => log.info(formatPollLine(record, watchStart, inputs.window)),
      }),
    );

    // A pass says every check was made: a count check that never got an answer (every issues query failed) was not.
    const issuesCheck = countChecks(policy)[0];
    const issuesRead = !issuesCheck || issuesCheck.id in result.observations;
    if (!issuesRead && result.verdict.outcome === 'pass') {
      const issuesError = result.missing[issuesCheck.id] ?? '';
      const reason = `the new-issue check got no answer: every issues query failed (last error: ${oneLine(issuesError, 200)}); the other checks passed: ${result.verdict.reason}`;
      result.verdict = { ...result.verdict, outcome: 'inconclusive', reason };
    }
    // A check that never had data says why (a query matching no series, Datadog's "unknown metric"): an
    // inconclusive gate on metrics alone named only min-sessions, a Sentry input, and the source's words were lost.
    if (result.verdict.outcome === 'inconclusive') {
      const unread = policy.checks.filter((c) => c.kind !== 'count' && result.missing[c.id] !== undefined && !hasData(result.observations[c.id]));
      if (unread.length > 0) {
        const why = unread.map((c) => `${c.label}: ${oneLine(result.missing[c.id] as string, 200)}`).join('; ');
        result.verdict = { ...result.verdict, reason: `${result.verdict.reason}; no data from ${why}` };
      }
    }
    const newIssues = issuesCheck ? newIssuesOf(result.observations[issuesCheck.id]) : [];
    const { issue, ...decided } = result.verdict;
    const verdict: ReportVerdict = { ...decided, ...(isNewIssue(issue) ? { issue } : {}) };

    // Bugsnag's and Rollbar's deploys say whether a newer one replaced this release (act asks the tracker port).
    const newerOther = other?.newerDeploy?.bind(other);
    const actDeps: PipelineDeps = sentry
      ? deps
      : {
          ...deps,
          tracker: {
            ...tracker,
            newerDeploy: newerOther
              ? async (q) => {
                  const found = await newerOther({
                    version: q.version,
                    environment: q.environment,
                    after: q.after,
                    now: q.now,
                    ...(q.signal ? { signal: q.signal } : {}),
                  });
                  return found && { version: found.version, dateFinished: new Date(found.at).toISOString() };
                }
              : undefined,
          },
        };
    const action = await act(config, actDeps, verdict, previous, result.cancelled, deployFinishedAt);
    const report: RunReport = {
      org: inputs['sentry-org'],
      projects,
      release: version,
      environment,
      releaseUrl,
      previousRelease: previous?.version ?? null,
      previousReleaseUrl: previous ? (sentry ? tracker.releaseUrl(previous.version, projects[0]) : (other?.releaseUrl(previous.version) ?? null)) : null,
      deployFinishedAt,
      windowMs: inputs.window,
      intervalMs: inputs.interval,
      confidence: inputs.confidence,
      minSessions: sentry || other ? inputs['min-sessions'] : null,
      verdict,
      dryRun: inputs['dry-run'],
      polls: result.polls,
      newIssues,
      ...(issuesRead ? {} : { issuesUnread: true as const }),
      ...(issuesCheck ? { maxNewIssueUsers: issuesCheck.maxUsers } : {}),
      baseline,
      commits,
      registration,
      runbookUrl: inputs['runbook-url'],
      dashboardUrl: inputs['dashboard-url'],
      runUrl: config.run.runUrl,
      action,
    };
    return { report, previousRelease: previous, releaseUrl, registration };
  } finally {
    await closeSources?.();
  }
}
