import { readFileSync } from 'node:fs';
import type { Config } from '../config/load';
import type { GitHubPort } from './run';

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
        : null,
    findRollbackRun:
      base && workflow ? async (since, release) => (await import('../github/runs')).findRollbackRun({ ...base, workflow, since, release }) : null,
  };
}
