import type { Config } from '../../config/load';
import type { CommitInput, ReleaseInfo, Tracker } from './types';
import { TrackerSetupError } from '../errors';
import { errorMessage } from '../../util/errors';
import { serverTime } from '../../util/text';
import { pastServerTime } from '../../util/server-time';

/** Where registration reports its steps (the pipeline's log). */
export interface StepLog {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** How commits were associated with the release. */
export interface Registration {
  created: boolean;
  commitMode: 'refs' | 'commits' | 'skip' | 'none-found';
  commitCount: number;
  deployCreated: boolean;
  finalized: boolean;
}

/** A commit as the report lists it: the subject line. */
export interface CommitLine {
  id: string;
  message: string;
  author?: string;
}

export interface RegisterDeps {
  tracker: Tracker;
  log: StepLog;
  now: () => number;
  /** Lists commits base..head with the GitHub compare API; absent outside GitHub Actions. */
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  /** The push event's `before`, when the run was triggered by a push. */
  pushBefore: string | null;
}

export interface RegisterResult {
  registration: Registration;
  deployFinishedAt: number;
  commits: CommitLine[];
}

const firstLine = (message: string) => message.split('\n')[0] ?? '';

/** The run URL without `/attempts/N`, so a re-run finds the deploy its first attempt recorded. */
const runBase = (runUrl: string | null) => runUrl?.replace(/\/attempts\/\d+$/, '') ?? null;

/** Whether a deploy's URL names this run (any attempt): run 4242 must not adopt run 42421's deploy. */
export const isSameRun = (url: string | null | undefined, base: string) =>
  url === base || (url?.startsWith(`${base}/attempts/`) === true && /^\d+$/.test(url.slice(base.length + '/attempts/'.length)));

async function associateCommits(config: Config, deps: RegisterDeps, previousRelease: () => Promise<ReleaseInfo | null>) {
  const { inputs, run } = config;
  const mode = inputs['set-commits'];
  const version = inputs.release;
  const repository = run.repository ? `${run.repository.owner}/${run.repository.repo}` : null;
  const head = run.sha;
  if (mode === 'skip') return { commitMode: 'skip' as const, commits: [] };
  if (!repository || !head) {
    deps.log.warning('No commits associated: GITHUB_REPOSITORY and GITHUB_SHA are not set (set-commits: skip silences this).');
    return { commitMode: 'none-found' as const, commits: [] };
  }
  const base = inputs['previous-commit'] ?? (await previousRelease())?.lastCommitId ?? deps.pushBefore;
  if (mode === 'auto') {
    const repos = await deps.tracker.listRepos(repository);
    const connected = repos.find((name) => name.toLowerCase() === repository.toLowerCase());
    if (connected) {
      // Sentry walks the repository itself from previousCommit to commit.
      await deps.tracker.setRefs(version, [{ repository: connected, commit: head, ...(base ? { previousCommit: base } : {}) }]);
      deps.log.info(`Commits: refs ${base ? `${base.slice(0, 7)}..` : ''}${head.slice(0, 7)} of ${connected} (repository connected to Sentry)`);
      return { commitMode: 'refs' as const, commits: [] };
    }
  }
  if (!deps.listCommits) {
    deps.log.warning('No commits associated: no github-token to list them with (set-commits: skip silences this).');
    return { commitMode: 'none-found' as const, commits: [] };
  }
  let commits: CommitInput[];
  if (base) {
    commits = await deps.listCommits(base, head);
  } else {
    deps.log.notice('No previous commit known (no previous-commit input, previous release without commits, no push event): associating only the head commit.');
    commits = (await deps.listCommits(head, head)).slice(-1);
    if (commits.length === 0) commits = [{ id: head, repository, message: '' }];
  }
  if (commits.length === 0) {
    deps.log.warning(`No commits between ${base?.slice(0, 7)} and ${head.slice(0, 7)}.`);
    return { commitMode: 'none-found' as const, commits: [] };
  }
  await deps.tracker.setCommits(version, commits);
  deps.log.info(`Commits: ${commits.length} from ${repository} (${base ? `${base.slice(0, 7)}..` : ''}${head.slice(0, 7)})`);
  return { commitMode: 'commits' as const, commits };
}

/**
 * Creates the release, associates its commits, records the deploy and
 * finalizes it. Every step is safe to repeat: a re-run finds the release
 * (208) and the deploy its first attempt recorded, and creates neither again.
 * `previousRelease` is asked only after the release exists, so Sentry can
 * tell which releases came before it.
 */
export async function registerRelease(config: Config, deps: RegisterDeps, previousRelease: () => Promise<ReleaseInfo | null>): Promise<RegisterResult> {
  const { inputs, run } = config;
  const version = inputs.release;
  const projects = inputs['sentry-projects'];
  const { created } = await deps.tracker.createRelease(version, projects);
  deps.log.info(`Release ${version}: ${created ? 'created' : 'already existed'} for ${projects.join(', ')}`);

  // Commits are a nicety; the deploy and the finalize are what the next
  // release's previous-release lookup and the rollback target depend on.
  const { commitMode, commits } = await associateCommits(config, deps, previousRelease).catch((error: unknown) => {
    if (error instanceof TrackerSetupError) throw error;
    deps.log.warning(`No commits associated: ${errorMessage(error)}`);
    return { commitMode: 'none-found' as const, commits: [] as CommitInput[] };
  });

  const base = runBase(run.runUrl);
  const existing = base ? (await deps.tracker.listDeploys(version)).find((d) => d.environment === inputs.environment && isSameRun(d.url, base)) : undefined;
  let deployFinishedAt: number;
  if (existing) {
    const recorded = pastServerTime(existing.dateFinished, deps.now());
    deployFinishedAt = recorded ?? deps.now();
    deps.log.info(`Deploy to ${inputs.environment}: already recorded by this run at ${serverTime(existing.dateFinished)}`);
    if (recorded === null)
      deps.log.warning(`Sentry's time of that deploy (${serverTime(existing.dateFinished)}) is not a past time: watching health from now.`);
  } else {
    const at = new Date(deps.now()).toISOString();
    const deploy = await deps.tracker.createDeploy(version, {
      environment: inputs.environment,
      name: run.runId ? `run ${run.runId}` : undefined,
      url: run.runUrl,
      dateStarted: at,
      dateFinished: at,
      projects,
    });
    // The time sent, not the one Sentry echoes: an answer's time could be anything (a
    // future one made every health query ask for the future and fail the step).
    deployFinishedAt = Date.parse(at);
    deps.log.info(`Deploy to ${inputs.environment}: recorded at ${at}`);
    if (deploy.withoutProjects) {
      deps.log.warning(
        `Sentry refused the deploy's projects (this Sentry checks them against the token's project access); recorded it without them, for the release's projects.`,
      );
    }
  }

  let finalized = false;
  if (inputs.finalize) {
    const release = await deps.tracker.getRelease(version);
    if (!release?.dateReleased) await deps.tracker.finalize(version, new Date(deps.now()).toISOString());
    finalized = true;
  }

  return {
    registration: { created, commitMode, commitCount: commits.length, deployCreated: !existing, finalized },
    deployFinishedAt,
    commits: commits.map((c) => ({ id: c.id, message: firstLine(c.message), ...(c.author_name ? { author: c.author_name } : {}) })),
  };
}

/** The latest deploy of `release` to `environment` Sentry records, epoch ms (dates in the future ignored), or null. */
export async function latestDeployTime(tracker: Tracker, q: { release: string; environment: string; now: number }): Promise<number | null> {
  const deploys = (await tracker.listDeploys(q.release)).filter((d) => d.environment === q.environment);
  const latest = deploys
    .map((d) => pastServerTime(d.dateFinished, q.now))
    .filter((t): t is number => t !== null)
    .sort((a, b) => b - a)[0];
  return latest ?? null;
}
