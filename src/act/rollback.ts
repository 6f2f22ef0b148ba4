import type { Config } from '../config/load';
import type { Verdict } from '../gate/types';
import type { ActionTaken } from '../report/types';
import type { ReleaseInfo } from '../sources/sentry/types';
import { errorMessage } from '../util/errors';
import { serverTime } from '../util/text';
import { safeUrl } from '../report/escape';
import type { RollbackDeps } from './port';
import { usesSentry } from '../config/metrics-inputs';

/**
 * A deploy of other code to the environment after the watched release's own:
 * Sentry's deploys (every release gated by this action records one), then
 * GitHub's deployments when the run names its deployment. Throws when a source
 * cannot answer.
 */
async function newerDeploy(config: Config, deps: RollbackDeps, deployFinishedAt: number): Promise<{ name: string; at: string; source: string } | null> {
  const { inputs } = config;
  // A gate on metrics alone recorded no deploy in any tracker: GitHub's deployments are what it can ask.
  // Bugsnag's and Rollbar's deploys come through the same port (the pipeline fills it from their registrar).
  if (deps.tracker.newerDeploy && (inputs.tracker !== 'sentry' || usesSentry(inputs))) {
    const found = await deps.tracker.newerDeploy({
      version: inputs.release,
      projects: inputs['sentry-projects'],
      environment: inputs.environment,
      after: deployFinishedAt,
      now: deps.clock.now(),
      signal: deps.signal,
    });
    // The time is the tracker's text: parsed and re-printed, never echoed.
    if (found)
      return { name: found.version, at: serverTime(found.dateFinished), source: { sentry: 'Sentry', bugsnag: 'Bugsnag', rollbar: 'Rollbar' }[inputs.tracker] };
  }
  const found = await deps.github.newerDeployment?.((message) => deps.log.notice(message));
  return found ? { ...found, at: serverTime(found.at), source: 'GitHub' } : null;
}

/** Whether a pass sends a resolve: PagerDuty and Alertmanager close the environment's incident. */
const resolvesIncidents = (config: Config) => Boolean(config.inputs['pagerduty-routing-key'] || config.inputs['alertmanager-url']);

/**
 * On a real fail (not inconclusive, not a dry run) dispatch the rollback
 * workflow, once, and only while the watched release is still the newest
 * deploy to its environment: re-running an old gate must not roll back a
 * newer fix, and a second gate must not roll back what another already did.
 */
export async function act(
  config: Config,
  deps: RollbackDeps,
  verdict: Verdict,
  previous: ReleaseInfo | null,
  cancelled: boolean,
  deployFinishedAt: number,
): Promise<ActionTaken> {
  const { inputs } = config;
  const { log, signal } = deps;
  const workflow = inputs['rollback-workflow'];
  const version = inputs.release;
  const environment = inputs.environment;
  if (verdict.outcome === 'pass' && !cancelled && resolvesIncidents(config) && !signal?.aborted) {
    // A pass resolves the environment's on-call incident: only while this release is what is live there.
    // A late pass of an older release (a fix deployed while it watched, a re-run) says nothing of the newer one.
    try {
      const newer = await newerDeploy(config, deps, deployFinishedAt);
      if (newer) {
        log.notice(
          `On-call incidents of ${environment} left open: ${newer.name} was deployed there at ${newer.at}, after ${version} (${newer.source}); this pass says nothing about it.`,
        );
        return { kind: 'superseded', workflow: null, newerRelease: newer.name, deployedAt: newer.at };
      }
    } catch (error) {
      // Not knowing is the common case of an unreachable tracker; the pass resolves as it would have.
      if (!signal?.aborted)
        log.warning(
          `Could not confirm that ${version} is still the newest deploy to ${environment} (${errorMessage(error)}); resolving on-call incidents anyway.`,
        );
    }
  }
  if (verdict.outcome !== 'fail') return { kind: 'none', why: cancelled ? 'cancelled' : `verdict ${verdict.outcome}` };
  if (signal?.aborted) return { kind: 'none', why: workflow ? 'cancelled before the rollback was dispatched' : 'no rollback workflow configured' };

  // Asked even without a rollback workflow: the alert must not send a person
  // to roll back a newer fix by hand either.
  try {
    const newer = await newerDeploy(config, deps, deployFinishedAt);
    if (newer) {
      log.warning(
        `No rollback: ${newer.name} was deployed to ${environment} at ${newer.at}, after ${version} (${newer.source}); rolling back would replace it.`,
      );
      return { kind: 'superseded', workflow, newerRelease: newer.name, deployedAt: newer.at };
    }
  } catch (error) {
    if (signal?.aborted) return { kind: 'none', why: workflow ? 'cancelled before the rollback was dispatched' : 'no rollback workflow configured' };
    // Not knowing what is live, a rollback could replace a newer fix: hold it.
    const why = `could not confirm that ${version} is still the newest deploy to ${environment} (${errorMessage(error)})`;
    log.warning(`No rollback dispatched: ${why}.`);
    return { kind: 'held', workflow, why };
  }
  if (!workflow) return { kind: 'none', why: 'no rollback workflow configured' };

  const dispatchInputs = {
    release: version,
    'previous-release': previous?.version ?? '',
    environment,
    reason: verdict.reason.slice(0, 1000),
  };
  if (inputs['dry-run'])
    return { kind: 'would-dispatch', workflow, ref: inputs['rollback-ref'] ?? 'the default branch', previousRelease: previous?.version ?? null };
  if (!deps.github.dispatchRollback)
    return { kind: 'dispatch-failed', workflow, error: 'not running in GitHub Actions with a github-token: nothing dispatched' };

  if (deps.github.findRollbackRun) {
    try {
      const run = await deps.github.findRollbackRun(deployFinishedAt, version);
      if (run) {
        log.notice(
          `Rollback not dispatched again: ${workflow} already has a ${run.status} run since this deploy: ${safeUrl(run.url) ?? 'see the Actions tab'}`,
        );
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
