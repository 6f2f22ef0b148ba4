import { readFileSync } from 'node:fs';
import type { OnTestFinishedHandler } from 'vitest';
import { type GitHubStub, startGitHubStub } from './github-stub';

/** The inputs a rollback workflow (`rollback.yml`) declares, as the README's example does. */
export const ROLLBACK_INPUTS = ['release', 'previous-release', 'environment', 'reason'];

type Cleanup = (fn: OnTestFinishedHandler) => void;

/**
 * A GitHub stub for acme/shop with `rollback.yml` to dispatch. `cleanup` is the test context's
 * onTestFinished: the global one may attach to another of the concurrent tests.
 */
export async function rollbackGitHub(cleanup: Cleanup, token: string, extra: Partial<Parameters<typeof startGitHubStub>[0]> = {}): Promise<GitHubStub> {
  const stub = await startGitHubStub({
    token,
    repository: 'acme/shop',
    workflows: ['rollback.yml'],
    workflowInputs: { 'rollback.yml': ROLLBACK_INPUTS },
    defaultBranch: 'main',
    ...extra,
  });
  cleanup(() => stub.close());
  return stub;
}

/** The workflow dispatches the stub received. */
export const dispatches = (stub: GitHubStub) => stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));

/** What the report file says the gate did about a rollback. */
export const actionOf = (run: { outputs: Record<string, string> }) =>
  (JSON.parse(readFileSync(run.outputs['report-path'] ?? '', 'utf8')) as { action: { kind: string } }).action;
