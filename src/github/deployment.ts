import { githubClient, toGitHubError, type GitHubTarget } from './client';

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
