import type { Config } from '../config/load';
import { notifySecrets } from '../config/notify-inputs';
import { alertmanagerNotifier } from './notify/alertmanager';
import { pagerDutyNotifier } from './notify/pagerduty';
import { slackNotifier } from './notify/slack';
import type { ActLog, ActPort, DeploymentState, Notifier } from './port';

/**
 * The act port from the configuration: the action and the CLI both fill it
 * here, so a flag does the same from either (the CLI used to accept
 * --github-deployment-id and do nothing with it).
 */
export function actPort(config: Config, opts: { log: ActLog; secrets: readonly string[]; signal?: AbortSignal }): ActPort {
  const { inputs, run } = config;
  const signal = opts.signal ? { signal: opts.signal } : {};
  const secrets = [...opts.secrets, ...notifySecrets(inputs)];
  // Not on the job's cancel signal: a fail decided before a cancel still pages
  // (the notifiers' own retry budget bounds them; the runner ends the step anyway).
  const notifiers: Notifier[] = [];
  if (inputs['pagerduty-routing-key'])
    notifiers.push(pagerDutyNotifier({ url: inputs['pagerduty-url'], routingKey: inputs['pagerduty-routing-key'], secrets }));
  if (inputs['slack-webhook-url']) notifiers.push(slackNotifier({ webhookUrl: inputs['slack-webhook-url'], secrets }));
  if (inputs['alertmanager-url']) notifiers.push(alertmanagerNotifier({ url: inputs['alertmanager-url'], headers: inputs['alertmanager-headers'], secrets }));

  const id = inputs['github-deployment-id'];
  const token = inputs['github-token'];
  const repo = run.repository;
  let deploymentStatus: ActPort['deploymentStatus'] = null;
  let deploymentStatusUnavailable: string | undefined;
  if (id && token && repo) {
    deploymentStatus = async (state: DeploymentState, description: string) => {
      const { setDeploymentStatus } = await import('../github/deployment');
      await setDeploymentStatus({
        token,
        apiUrl: run.apiUrl,
        owner: repo.owner,
        repo: repo.repo,
        deploymentId: Number(id),
        state,
        ...(run.runUrl ? { logUrl: run.runUrl } : {}),
        environment: inputs.environment,
        description,
        ...signal,
      });
    };
  } else if (id) {
    deploymentStatusUnavailable = `github-deployment-id ${id} is set but its status cannot be set: ${[!token && 'no github-token', !repo && 'no repository (GITHUB_REPOSITORY=owner/name)'].filter(Boolean).join(' and ')}`;
  }
  return { deploymentStatus, ...(deploymentStatusUnavailable ? { deploymentStatusUnavailable } : {}), notifiers, log: opts.log, secrets };
}
