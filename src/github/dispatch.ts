import { GitHubError, githubClient, toGitHubError, type GitHubTarget } from './client';
import { neverSentCode } from '../http/errors';

/**
 * The dispatch request may have reached GitHub but its answer never came back
 * (cancelled, timed out, connection dropped): the rollback may be running.
 * Saying it failed would send someone to roll back by hand a second time.
 */
export class DispatchUnconfirmedError extends GitHubError {
  override name = 'DispatchUnconfirmedError';
  readonly ref: string;
  /** Why no answer came: the job was cancelled, a timeout, a dropped connection. */
  readonly reason: string;
  constructor(workflow: string, ref: string, reason: string, options?: ErrorOptions) {
    super(`dispatch of ${workflow} on ${ref} sent, answer not received (${reason})`, 0, options);
    this.ref = ref;
    this.reason = reason;
  }
}

/** Failures that happen before a request leaves the machine (anywhere in the cause chain): nothing can have reached GitHub. */
function neverSent(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (neverSentCode((e as { code?: unknown }).code)) return true;
  }
  return false;
}

const answered = (err: unknown) => typeof err === 'object' && err !== null && (err as { response?: unknown }).response !== undefined;

/**
 * Starts the rollback workflow with `workflow_dispatch`. `workflow` is the file
 * name under .github/workflows (rollback.yml) or the numeric workflow id; `ref`
 * defaults to the repository's default branch, which is also where GitHub reads
 * the workflow file from.
 */
export async function dispatchRollback(
  opts: GitHubTarget & { workflow: string; ref?: string; inputs: Record<string, string> },
): Promise<{ workflow: string; ref: string }> {
  const { owner, repo, workflow, inputs } = opts;
  const repository = `${owner}/${repo}`;
  const what = `dispatching rollback workflow ${workflow}`;
  const octokit = await githubClient(opts);

  let ref = opts.ref;
  if (!ref) {
    try {
      ref = (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    } catch (err) {
      throw toGitHubError(err, opts.token, `${what} (looking up the default branch of ${repository})`, {
        permission: 'contents: read',
        notFound: `repository ${repository}`,
      });
    }
  }

  if (opts.signal?.aborted) throw new GitHubError(`${what}: cancelled before the request was sent`, 0);
  try {
    await octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: workflow, ref, inputs });
  } catch (err) {
    if (!answered(err) && !neverSent(err)) {
      const why = opts.signal?.aborted
        ? 'the job was cancelled while waiting for GitHub'
        : toGitHubError(err, opts.token, what).message.replace(/^.*? failed: /, '');
      throw new DispatchUnconfirmedError(workflow, ref, why, { cause: err });
    }
    throw toGitHubError(err, opts.token, what, {
      permission: 'actions: write',
      notFound: `workflow ${workflow} in ${repository}`,
      unprocessable: unprocessableHint(err, ref),
    });
  }
  return { workflow, ref };
}

/** Advice for GitHub's usual 422 reasons; its message says which one it is. */
function unprocessableHint(err: unknown, ref: string): string {
  const text = JSON.stringify((err as { response?: { data?: unknown } }).response?.data ?? '');
  if (/unexpected inputs/i.test(text)) {
    return 'declare every input under `on.workflow_dispatch.inputs` in the rollback workflow, or stop sending it';
  }
  if (/workflow_dispatch/i.test(text)) {
    return `add a \`workflow_dispatch:\` trigger to the workflow on ${ref}`;
  }
  if (/required input/i.test(text)) return 'give the missing input a default in the workflow, or send it';
  if (/ref/i.test(text)) return `check \`rollback-ref\`: ${ref} must be a branch or tag of the repository`;
  return `check the workflow's \`workflow_dispatch\` trigger and inputs on ${ref}`;
}
