import { TrackerSetupError } from '../errors';
import { CLOCK_SKEW_MS } from '../../util/server-time';
import type { KnownRelease, Registrar, RegisterRequest, RegisterResult } from '../types';
import type { RollbarApi } from './api';
import type { RollbarDeploy } from './schemas';

/**
 * Registers a release with Rollbar's Deploy API: POST /api/1/deploy with
 * environment, revision (the version: Rollbar matches it to occurrences'
 * code_version), local_username, comment (the workflow run) and status
 * "started", then PATCH /api/1/deploy/{id} to "succeeded". A re-run of the
 * same job finds its deploy by revision, environment and run, and posts
 * nothing (a deploy left "started" is finished).
 */
export const LOCAL_USERNAME = 'release-health-gate';

const runOf = (runUrl: string | null) => (runUrl ? runUrl.replace(/\/attempts\/\d+$/, '') : null);
const commentFor = (req: RegisterRequest) => `Deployed by release-health-gate${runOf(req.runUrl) ? ` from ${runOf(req.runUrl)}` : ''}`;
const msOf = (s: number | null | undefined) => (typeof s === 'number' && s > 0 ? s * 1000 : null);

/** When the deploy happened: its finish, else its start, epoch ms. */
export const deployTime = (d: RollbarDeploy) => msOf(d.finish_time) ?? msOf(d.start_time);

/** A deploy that failed never replaced the code that ran: not a rollback target, not a newer deploy. */
const ran = (d: RollbarDeploy) => d.status !== 'failed';

/** The deploy of `version` to `environment` (newest first), and the one of other code before it. */
export function deploysAround(deploys: RollbarDeploy[], version: string, environment: string): { ours: RollbarDeploy | null; previous: RollbarDeploy | null } {
  const inEnv = deploys
    .filter((d) => d.environment === environment && ran(d) && deployTime(d) !== null)
    .sort((a, b) => (deployTime(b) ?? 0) - (deployTime(a) ?? 0));
  const ours = inEnv.find((d) => d.revision === version) ?? null;
  const before = ours ? (deployTime(ours) ?? Infinity) : Infinity;
  const previous = inEnv.find((d) => d.revision !== version && (deployTime(d) ?? 0) < before) ?? null;
  return { ours, previous };
}

export function createRollbarRegistrar(api: RollbarApi): Registrar {
  return {
    name: 'rollbar',
    async register(req: RegisterRequest): Promise<RegisterResult> {
      // A post_server_item token may post deploys but not list them, and a read API that is down
      // should not stop the deploy being recorded: then a re-run cannot be told apart, and posts again.
      const deploys = await api.deploys(req.signal).catch((error: unknown) => {
        if (error instanceof TrackerSetupError && !/ \(HTTP 403/.test(error.message)) throw error;
        if (req.signal?.aborted) throw error;
        return [];
      });
      const comment = commentFor(req);
      // Only the same run is a re-run: outside Actions (no run) every deploy is a new one, as a
      // redeploy of an older version is (taking its old deploy would date the watch wrong).
      const earlier =
        runOf(req.runUrl) === null ? undefined : deploys.find((d) => d.environment === req.environment && d.revision === req.version && d.comment === comment);
      if (earlier) {
        const finished = earlier.status !== 'started';
        if (!finished) await api.finishDeploy(earlier.id, req.signal);
        return { created: false, deployCreated: false, finalized: true, deployFinishedAt: deployTime(earlier) ?? req.finishedAt };
      }
      const id = await api.createDeploy(
        { environment: req.environment, revision: req.version, local_username: LOCAL_USERNAME, comment, status: 'started' },
        req.signal,
      );
      await api.finishDeploy(id, req.signal);
      return { created: true, deployCreated: true, finalized: true, deployFinishedAt: req.finishedAt };
    },
    async previousRelease(version: string, environment: string, signal?: AbortSignal): Promise<KnownRelease | null> {
      const { previous } = deploysAround(await api.deploys(signal), version, environment);
      return previous?.revision ? { version: previous.revision, url: null } : null;
    },
    releaseUrl: () => null,
    async newerDeploy({ version, environment, after, now, signal }) {
      const newer = (await api.deploys(signal))
        .filter((d) => d.environment === environment && ran(d) && d.revision && d.revision !== version)
        .map((d) => ({ version: d.revision as string, at: deployTime(d) }))
        .filter((d): d is { version: string; at: number } => d.at !== null && d.at > after && d.at <= now + CLOCK_SKEW_MS)
        .sort((a, b) => b.at - a.at);
      return newer[0] ?? null;
    },
    async deployTime({ version, environment, now, signal }) {
      // The latest deploy of this revision that ran; one dated in the future has not happened (a skewed or hostile clock).
      const times = (await api.deploys(signal))
        .filter((d) => d.environment === environment && d.revision === version && ran(d))
        .map(deployTime)
        .filter((at): at is number => at !== null && at <= now + CLOCK_SKEW_MS);
      return times.length > 0 ? Math.max(...times) : null;
    },
  };
}
