import { githubClient, toGitHubError, type GitHubTarget } from './client';

/** A run of the rollback workflow that already answers for this deploy. */
export interface RollbackRun {
  url: string;
  status: string;
  createdAt: string;
}

/** Conclusions after which the rollback did not happen, so dispatching again is right. */
const DID_NOT_ROLL_BACK = new Set(['failure', 'cancelled', 'timed_out', 'startup_failure', 'skipped', 'action_required', 'stale']);

/**
 * The newest `workflow_dispatch` run of the rollback workflow created since
 * `since` (the watched deploy) that is queued, running or succeeded, and that
 * may be for `release`: GitHub does not return a run's inputs, so a run is
 * taken for another release only when its title (the workflow's `run-name`)
 * is not the bare workflow name and does not mention `release`.
 */
export async function findRollbackRun(opts: GitHubTarget & { workflow: string; since: number; release: string }): Promise<RollbackRun | null> {
  const { owner, repo, workflow } = opts;
  const octokit = await githubClient(opts);
  // Whole seconds: GitHub's `created` filter takes search syntax dates.
  const since = new Date(Math.floor(opts.since / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  let runs;
  try {
    const res = await octokit.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: workflow,
      event: 'workflow_dispatch',
      created: `>=${since}`,
      per_page: 50,
    });
    runs = res.data.workflow_runs;
  } catch (err) {
    throw toGitHubError(err, opts.token, `listing runs of ${workflow} in ${owner}/${repo}`, {
      permission: 'actions: read',
      notFound: `workflow ${workflow} in ${owner}/${repo}`,
    });
  }
  const found = runs
    .filter((r) => Date.parse(r.created_at) >= opts.since - 1000)
    .filter((r) => r.status !== 'completed' || !DID_NOT_ROLL_BACK.has(r.conclusion ?? ''))
    .filter((r) => !r.display_title || r.display_title === r.name || r.display_title.includes(opts.release))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
  return found
    ? {
        url: found.html_url,
        status: found.status === 'completed' ? (found.conclusion ?? 'completed') : (found.status ?? 'queued'),
        createdAt: found.created_at,
      }
    : null;
}
