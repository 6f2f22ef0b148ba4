import type { Config } from '../config/load';
import { policyFromInputs } from '../gate/policy';
import type { Verdict } from '../gate/types';
import { formatPollLine } from '../report/progress';
import type { ActionTaken, Baseline, CommitLine, Registration, RunReport } from '../report/types';
import type { CommitInput, NewIssue, ReleaseInfo, Tracker } from '../tracker/types';
import { applyBaseline, measureBaseline } from './baseline';
import type { Clock } from './clock';
import type { Log } from './log';
import { findDeployTime, registerRelease } from './register';
import { TrackerSetupError } from '../tracker/errors';
import { errorMessage } from '../util/errors';

/** What the pipeline may ask of GitHub; null members are skipped (outside Actions, no token). */
export interface GitHubPort {
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  pushBefore: string | null;
  dispatchRollback: ((inputs: Record<string, string>) => Promise<{ workflow: string; ref: string }>) | null;
  /** A run of the rollback workflow created since `since` (epoch ms) that is queued, running or succeeded. */
  findRollbackRun?: ((since: number, release: string) => Promise<{ url: string; status: string } | null>) | null;
}

export interface PipelineDeps {
  tracker: Tracker;
  github: GitHubPort;
  clock: Clock;
  log: Log;
  signal?: AbortSignal;
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

/** register → watch → decide → report → act: the one pipeline the action, the CLI and the demo run. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  const { inputs } = config;
  const { tracker, log, clock } = deps;
  const version = inputs.release;
  const projects = inputs['sentry-projects'];
  const environment = inputs.environment;

  const previousRelease = memo(async () => {
    try {
      return await tracker.previousRelease(version, projects, environment);
    } catch (error) {
      log.warning(`Could not find the previous release: ${errorMessage(error)}`);
      return null;
    }
  });

  let registration: Registration | null = null;
  let commits: CommitLine[] = [];
  let deployFinishedAt: number;
  try {
    if (inputs.register) {
      const registered = await log.group('Register the release', () =>
        registerRelease(config, { tracker, log, now: clock.now, listCommits: deps.github.listCommits, pushBefore: deps.github.pushBefore }, previousRelease),
      );
      ({ registration, commits, deployFinishedAt } = registered);
    } else {
      deployFinishedAt = await findDeployTime(config, { tracker, log, now: clock.now });
    }
  } catch (error) {
    // A refused token or an unknown org is the user's to fix: fail loudly. An
    // unreachable tracker is not a verdict on the release: watch on, and let
    // the watch end inconclusive if the outage lasts.
    if (error instanceof TrackerSetupError || !inputs.gate) throw error;
    log.warning(`Could not ${inputs.register ? 'register the release' : 'find the deploy'} (${errorMessage(error)}); watching health from now.`);
    deployFinishedAt = clock.now();
  }
  const previous = await previousRelease();
  const releaseUrl = tracker.releaseUrl(version, projects[0]);
  if (!inputs.gate) return { report: null, previousRelease: previous, releaseUrl, registration };

  let policy = policyFromInputs(inputs);
  let baseline: Baseline | null = null;
  if (inputs.baseline === 'previous-release') {
    if (!previous) {
      log.warning('baseline: no previous release found in Sentry for this environment; using the absolute limits.');
    } else {
      try {
        const measured = await measureBaseline(tracker, { previous: previous.version, projects, environment, deployFinishedAt, windowMs: inputs.window, signal: deps.signal });
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
  const { watch } = await import('../gate/watch');
  const wantIssues = policy.maxNewIssueUsers !== undefined;
  const wantUsers = policy.limits.some((l) => l.id === 'crash-free-users');
  const wantUnhealthy = policy.limits.some((l) => l.id === 'error-rate');
  // A failed issues query must not throw away a good health sample: the rate
  // checks go on with the issues last seen, and the next poll asks again.
  let lastIssues: NewIssue[] = [];
  // Progress counts from the start of the watch, as the window does (the
  // deploy may be older: register: false, or a re-run).
  const watchStart = clock.now();
  const result = await log.group(`Watch ${version} in ${environment}`, () =>
    watch({
      policy,
      schedule: { windowMs: inputs.window, intervalMs: inputs.interval, initialDelayMs: inputs['initial-delay'] },
      clock,
      signal: deps.signal,
      poll: async (signal, usersSince) => {
        const until = clock.now();
        const [sample, issues, users] = await Promise.allSettled([
          tracker.sample({ version, projects, environment, since: deployFinishedAt, until, unhealthy: wantUnhealthy, signal }),
          wantIssues ? tracker.newIssues({ version, projects, environment, signal }) : Promise.resolve([] as NewIssue[]),
          // Only the crash-free-users check needs users counted over the second half.
          usersSince !== undefined && wantUsers ? tracker.usersBetween({ version, projects, environment, since: usersSince, until, signal }) : Promise.resolve(undefined),
        ]);
        if (sample.status === 'rejected') throw sample.reason;
        if (issues.status === 'fulfilled') lastIssues = issues.value;
        else log.warning(`New issues not read this poll (${errorMessage(issues.reason)}); using the ${lastIssues.length} seen before.`);
        if (users.status === 'rejected') log.warning(`Users of the window's second half not read (${errorMessage(users.reason)}); crash-free users are judged on the counts since the deploy.`);
        return { sample: sample.value, newIssues: lastIssues, ...(users.status === 'fulfilled' && users.value ? { users: users.value } : {}) };
      },
      onPoll: (record) => log.info(formatPollLine(record, watchStart, inputs.window)),
    }),
  );

  const action = await act(config, deps, result.verdict, previous, result.cancelled, deployFinishedAt);
  const report: RunReport = {
    org: inputs['sentry-org'],
    projects,
    release: version,
    environment,
    releaseUrl,
    previousRelease: previous?.version ?? null,
    previousReleaseUrl: previous ? tracker.releaseUrl(previous.version, projects[0]) : null,
    deployFinishedAt,
    windowMs: inputs.window,
    intervalMs: inputs.interval,
    confidence: inputs.confidence,
    minSessions: inputs['min-sessions'],
    verdict: result.verdict,
    dryRun: inputs['dry-run'],
    polls: result.polls,
    newIssues: result.newIssues,
    ...(policy.maxNewIssueUsers === undefined ? {} : { maxNewIssueUsers: policy.maxNewIssueUsers }),
    baseline,
    commits,
    registration,
    runbookUrl: inputs['runbook-url'],
    dashboardUrl: inputs['dashboard-url'],
    runUrl: config.run.runUrl,
    action,
  };
  return { report, previousRelease: previous, releaseUrl, registration };
}

/**
 * On a real fail (not inconclusive, not a dry run) dispatch the rollback
 * workflow, once, and only while the watched release is still the newest
 * deploy to its environment: re-running an old gate must not roll back a
 * newer fix, and a second gate must not roll back what another already did.
 */
async function act(config: Config, deps: PipelineDeps, verdict: Verdict, previous: ReleaseInfo | null, cancelled: boolean, deployFinishedAt: number): Promise<ActionTaken> {
  const { inputs } = config;
  const { log, signal } = deps;
  const workflow = inputs['rollback-workflow'];
  const version = inputs.release;
  const environment = inputs.environment;
  if (verdict.outcome !== 'fail') return { kind: 'none', why: cancelled ? 'cancelled' : `verdict ${verdict.outcome}` };
  if (signal?.aborted) return { kind: 'none', why: workflow ? 'cancelled before the rollback was dispatched' : 'no rollback workflow configured' };

  // Asked even without a rollback workflow: the alert must not send a person
  // to roll back a newer fix by hand either. Sentry's deploys are the source
  // of truth: every release gated by this action records one.
  if (deps.tracker.newerDeploy) {
    try {
      const newer = await deps.tracker.newerDeploy({ version, projects: inputs['sentry-projects'], environment, after: deployFinishedAt, signal });
      if (newer) {
        log.warning(`No rollback: ${newer.version} was deployed to ${environment} at ${newer.dateFinished}, after ${version}; rolling back would replace it.`);
        return { kind: 'superseded', workflow, newerRelease: newer.version, deployedAt: newer.dateFinished };
      }
    } catch (error) {
      if (signal?.aborted) return { kind: 'none', why: workflow ? 'cancelled before the rollback was dispatched' : 'no rollback workflow configured' };
      // Not knowing what is live, a rollback could replace a newer fix: hold it.
      const why = `could not confirm that ${version} is still the newest deploy to ${environment} (${errorMessage(error)})`;
      log.warning(`No rollback dispatched: ${why}.`);
      return { kind: 'held', workflow, why };
    }
  }
  if (!workflow) return { kind: 'none', why: 'no rollback workflow configured' };

  const dispatchInputs = {
    release: version,
    'previous-release': previous?.version ?? '',
    environment,
    reason: verdict.reason.slice(0, 1000),
  };
  if (inputs['dry-run']) return { kind: 'would-dispatch', workflow, ref: inputs['rollback-ref'] ?? 'the default branch', previousRelease: previous?.version ?? null };
  if (!deps.github.dispatchRollback) return { kind: 'dispatch-failed', workflow, error: 'not running in GitHub Actions with a github-token: nothing dispatched' };

  if (deps.github.findRollbackRun) {
    try {
      const run = await deps.github.findRollbackRun(deployFinishedAt, version);
      if (run) {
        log.notice(`Rollback not dispatched again: ${workflow} already has a ${run.status} run since this deploy: ${run.url}`);
        return { kind: 'already-dispatched', workflow, runUrl: run.url, status: run.status };
      }
    } catch (error) {
      if (signal?.aborted) return { kind: 'none', why: 'cancelled before the rollback was dispatched' };
      // A second rollback to the same release does less harm than none at all.
      log.warning(`Could not check for a rollback already running (${errorMessage(error)}); dispatching.`);
    }
  }
  if (signal?.aborted) return { kind: 'none', why: 'cancelled before the rollback was dispatched' };
  try {
    const { ref } = await deps.github.dispatchRollback(dispatchInputs);
    log.notice(`Rollback: ${workflow} dispatched on ${ref} for ${previous?.version ?? '(no previous release known)'}`);
    return { kind: 'dispatched', workflow, ref, previousRelease: previous?.version ?? null };
  } catch (error) {
    // Matched by name: the GitHub modules load only when a dispatch happens.
    if (error instanceof Error && error.name === 'DispatchUnconfirmedError') {
      const { ref, reason } = error as Error & { ref: string; reason: string };
      log.warning(`Rollback ${errorMessage(error)}: check the Actions tab for a run of ${workflow} before rolling back by hand.`);
      return { kind: 'dispatch-unconfirmed', workflow, ref, previousRelease: previous?.version ?? null, error: reason };
    }
    log.warning(`Rollback dispatch failed: ${errorMessage(error)}`);
    return { kind: 'dispatch-failed', workflow, error: errorMessage(error) };
  }
}
