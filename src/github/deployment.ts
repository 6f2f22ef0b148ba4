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

type Octokit = Awaited<ReturnType<typeof githubClient>>;
type Listed = { id: number; sha: string; ref: string; environment: string; created_at: string };

/**
 * The newest of `listed` created after `ours`, of another commit, whose latest
 * status says it went (or is going) live. Deployments of the same commit (a
 * later job of the same workflow with the same `environment:`) do not replace
 * it; failed ones did not either.
 */
async function newestLiveAfter(octokit: Octokit, target: GitHubTarget, ours: Listed, listed: Listed[]): Promise<NewerDeployment | null> {
  const { owner, repo } = target;
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
}

/** The newest deployment to the environment of `deploymentId` that replaced it (see newestLiveAfter). */
export async function findNewerDeployment(opts: GitHubTarget & { deploymentId: number }): Promise<NewerDeployment | null> {
  const { owner, repo, deploymentId } = opts;
  const octokit = await githubClient(opts);
  const hints = { permission: 'deployments: read', notFound: `deployment ${deploymentId} in ${owner}/${repo}` };
  try {
    const ours = (await octokit.rest.repos.getDeployment({ owner, repo, deployment_id: deploymentId })).data;
    const listed = (await octokit.rest.repos.listDeployments({ owner, repo, environment: ours.environment, per_page: 30 })).data;
    return await newestLiveAfter(octokit, opts, ours, listed);
  } catch (err) {
    throw toGitHubError(err, opts.token, `looking for deployments newer than ${deploymentId} in ${owner}/${repo}`, hints);
  }
}

/**
 * Without a deployment id: this commit's oldest listed deployment to
 * `environment` (a deploy job with `environment:` creates one) stands for its
 * deploy. The oldest, because a re-run of a job with `environment:` (the gate
 * itself, for the environment's secrets) creates a later one of the same
 * commit, which would make a fix deployed in between look older.
 * Null when the commit has no deployment there: nothing to compare against.
 */
export async function findNewerDeploymentOfCommit(opts: GitHubTarget & { environment: string; sha: string }): Promise<NewerDeployment | null> {
  const { owner, repo, environment, sha } = opts;
  const octokit = await githubClient(opts);
  try {
    const listed = (await octokit.rest.repos.listDeployments({ owner, repo, environment, per_page: 30 })).data;
    const ours = listed.filter((d) => d.sha === sha).sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[0];
    return ours ? await newestLiveAfter(octokit, opts, ours, listed) : null;
  } catch (err) {
    throw toGitHubError(err, opts.token, `looking for deployments to ${environment} newer than ${sha.slice(0, 7)}'s in ${owner}/${repo}`, {
      permission: 'deployments: read',
      notFound: `${owner}/${repo}`,
    });
  }
}
