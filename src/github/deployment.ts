import { githubClient, toGitHubError, type GitHubTarget } from './client';
import { pastServerTime } from '../util/server-time';

export type DeploymentState = 'success' | 'failure' | 'error' | 'inactive';

/** GitHub rejects deployment-status descriptions longer than this. */
export const MAX_DESCRIPTION = 140;

/** Records the gate's verdict on a GitHub deployment, so the environment page shows it. */
export async function setDeploymentStatus(
  opts: GitHubTarget & {
    deploymentId: number;
    state: DeploymentState;
    description: string;
    logUrl?: string;
    environment?: string;
  },
): Promise<void> {
  const { owner, repo, deploymentId, state } = opts;
  const octokit = await githubClient(opts);
  try {
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deploymentId,
      state,
      description: truncate(opts.description, MAX_DESCRIPTION),
      ...(opts.logUrl ? { log_url: opts.logUrl } : {}),
      ...(opts.environment ? { environment: opts.environment } : {}),
    });
  } catch (err) {
    throw toGitHubError(err, opts.token, `setting the status of deployment ${deploymentId} in ${owner}/${repo} to ${state}`, {
      permission: 'deployments: write',
      notFound: `deployment ${deploymentId} in ${owner}/${repo}`,
    });
  }
}

/** Cuts on a code point boundary and marks the cut, so a split emoji never reaches GitHub. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A later GitHub deployment of other code to the watched deployment's environment. */
export interface NewerDeployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  createdAt: string;
  state: string;
}

/** States of a deployment that replaced, or is replacing, what ran before it. */
const LIVE = new Set(['success', 'in_progress', 'queued', 'pending']);
/** Newer deployments whose statuses are read at most: each costs a request. */
const MAX_STATUS_READS = 5;

/**
 * The newest deployment to the environment of `deploymentId`, created after
 * it, of another commit, whose latest status says it went (or is going) live.
 * Deployments of the same commit (a later job of the same workflow with the
 * same `environment:`) do not replace it; failed ones did not either.
 */
export async function findNewerDeployment(opts: GitHubTarget & { deploymentId: number }): Promise<NewerDeployment | null> {
  const { owner, repo, deploymentId } = opts;
  const octokit = await githubClient(opts);
  const hints = { permission: 'deployments: read', notFound: `deployment ${deploymentId} in ${owner}/${repo}` };
  try {
    const ours = (await octokit.rest.repos.getDeployment({ owner, repo, deployment_id: deploymentId })).data;
    const listed = (await octokit.rest.repos.listDeployments({ owner, repo, environment: ours.environment, per_page: 30 })).data;
    const newer = listed
      // A creation time in the future is no deployment: a broken answer must not call off a rollback.
      .filter(
        (d) =>
          d.id !== ours.id && d.sha !== ours.sha && Date.parse(d.created_at) > Date.parse(ours.created_at) && pastServerTime(d.created_at, Date.now()) !== null,
      )
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
      .slice(0, MAX_STATUS_READS);
    for (const d of newer) {
      const [latest] = (await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d.id, per_page: 1 })).data;
      if (latest && LIVE.has(latest.state)) {
        return { id: d.id, ref: d.ref, sha: d.sha, environment: d.environment, createdAt: d.created_at, state: latest.state };
      }
    }
    return null;
  } catch (err) {
    throw toGitHubError(err, opts.token, `looking for deployments newer than ${deploymentId} in ${owner}/${repo}`, hints);
  }
}
