import { readFileSync } from 'node:fs';
import type { Config } from '../config/load';
import type { GitHubPort } from './run';
import { usesSentry } from '../config/metrics-inputs';

function readEvent(path: string | null): unknown {
  if (!path) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The GitHub side, wired from the run context. Modules that load Octokit are
 * imported on first use: most runs never need them, and loading them costs
 * more start-up time than everything else together.
 */
export async function gitHubPort(config: Config, signal?: AbortSignal): Promise<GitHubPort> {
  const { run, inputs } = config;
  const token = inputs['github-token'];
  const repo = run.repository;
  const workflow = inputs['rollback-workflow'];
  const { pushBefore } = await import('../github/event');
  // The cancel signal rides on every request: a SIGINT must not wait out a GitHub call.
  const base = token && repo ? { token, apiUrl: run.apiUrl, owner: repo.owner, repo: repo.repo, ...(signal ? { signal } : {}) } : null;
  return {
    pushBefore: pushBefore(readEvent(run.eventPath)),
    listCommits: base ? async (from, head) => (await import('../github/commits')).listCommitsBetween({ ...base, base: from, head }) : null,
    dispatchRollback:
      base && workflow
        ? async (dispatchInputs) =>
            (await import('../github/dispatch')).dispatchRollback({
              ...base,
              workflow,
              ...(inputs['rollback-ref'] ? { ref: inputs['rollback-ref'] } : {}),
              inputs: dispatchInputs,
            })
        : null,
    newerDeployment:
      base && inputs['github-deployment-id']
        ? async () => {
            const d = await (await import('../github/deployment')).findNewerDeployment({ ...base, deploymentId: Number(inputs['github-deployment-id']) });
            return d && { name: `${d.ref}@${d.sha.slice(0, 7)} (GitHub deployment ${d.id}, ${d.state})`, at: d.createdAt };
          }
        : base && run.sha && inputs.tracker === 'sentry' && !usesSentry(inputs)
          ? // A gate on metrics alone recorded no deploy anywhere: a re-run must not roll back a newer fix, so the
            // deployment a deploy job with `environment:` creates for this commit stands for the run's deploy.
            async (note) => {
              const [{ findNewerDeploymentOfCommit }, { GitHubError }] = await Promise.all([import('../github/deployment'), import('../github/client')]);
              try {
                const d = await findNewerDeploymentOfCommit({ ...base, environment: inputs.environment, sha: run.sha! });
                return d && { name: `${d.ref}@${d.sha.slice(0, 7)} (GitHub deployment ${d.id}, ${d.state})`, at: d.createdAt };
              } catch (error) {
                // Not asked for: a token without deployments: read must not hold every rollback, as before this check.
                if (!(error instanceof GitHubError) || ![403, 404].includes(error.status)) throw error;
                note?.(
                  `Could not read GitHub's deployments to ${inputs.environment} to rule out a newer deploy (${error.message}); give the job deployments: read, or github-deployment-id.`,
                );
                return null;
              }
            }
          : null,
    findRollbackRun:
      base && workflow ? async (since, release) => (await import('../github/runs')).findRollbackRun({ ...base, workflow, since, release }) : null,
  };
}
