import type { Config } from '../config/load';
import type { RunReport } from '../report/types';
import { errorMessage } from '../util/errors';
import { alertFacts } from './notify/facts';
import { notifyAll } from './notify';
import type { ActPort, NotificationResult } from './port';

export { act } from './rollback';
export { actPort } from './wire';
export type { ActPort, Notifier } from './port';

/**
 * After the verdict and the rollback: the GitHub deployment's status and the
 * on-call notifications, the same from the action and the CLI. Never throws
 * and never changes the verdict; returns the report with what was sent, for
 * the summary's Action line.
 */
export async function announce(
  port: ActPort,
  config: Config,
  report: RunReport | null,
  outcome: { failed: boolean; cancelled: boolean },
): Promise<RunReport | null> {
  if (!report || outcome.cancelled) return report;
  const { inputs } = config;
  const { log } = port;
  const deployment = (async () => {
    if (port.deploymentStatusUnavailable) log.warning(port.deploymentStatusUnavailable);
    if (!port.deploymentStatus) return;
    // A superseded release failed its gate though the job does not: its deployment still records that.
    const state = outcome.failed || (report.action.kind === 'superseded' && report.verdict.outcome === 'fail') ? 'failure' : 'success';
    // A dry run changes nothing anyone else sees: it says what it would have set instead.
    if (inputs['dry-run']) {
      // The job does not fail in a dry run; the status says what a real run would have set.
      const { outcome: verdict } = report.verdict;
      const would = verdict === 'fail' || (verdict === 'inconclusive' && inputs['on-inconclusive'] === 'fail') ? 'failure' : state;
      log.info(`Dry run: would set GitHub deployment ${inputs['github-deployment-id'] ?? ''} to ${would} ("Release health: ${verdict}")`);
      return;
    }
    await port
      .deploymentStatus(state, `Release health: ${report.verdict.outcome}`)
      .catch((error: unknown) => log.warning(`Could not set the GitHub deployment status: ${errorMessage(error)}`));
  })();
  let notifications: NotificationResult[] = [];
  if (port.notifiers.length) {
    const facts = alertFacts(report, inputs, config.run);
    notifications = await notifyAll(port.notifiers, facts, {
      notifyOn: inputs['notify-on'],
      dryRun: inputs['dry-run'],
      log,
      secrets: port.secrets,
      ...(port.signal ? { signal: port.signal } : {}),
    });
  }
  await deployment;
  return notifications.length ? { ...report, notifications } : report;
}
