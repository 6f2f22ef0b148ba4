import type { HttpClient } from '../../http/client';
import type { KnownRelease, Registrar, RegisterRequest, RegisterResult } from '../types';
import { TrackerSetupError } from '../errors';
import { CLOCK_SKEW_MS } from '../../util/server-time';
import { explainVendorError } from '../vendor-error';
import { UnreachableError } from '../../http/errors';
import { sanitizedName } from '../../config/names';
import { oneLine } from '../../util/text';
import type { BugsnagApi } from './api';
import type { BugsnagBuild } from './schemas';
import { buildAnswerSchema } from './schemas';

/**
 * Registers a release with Bugsnag's Build API (https://docs.bugsnag.com/api/build/):
 * POST / on the build host with apiKey, appVersion, releaseStage,
 * builderName, sourceControl {provider, repository, revision} and metadata
 * (the workflow run). Bugsnag groups builds of one appVersion and stage into
 * a release group; the previous group in the stage is the rollback target.
 */
export interface BugsnagRegistrarOptions {
  /** The Build API client (no auth header: the key goes in the body). */
  build: HttpClient;
  apiKey: string | null;
  /** The Data Access API, when a token is set: finds an earlier registration and the previous release. */
  api: BugsnagApi | null;
  /** bugsnag-build-url, named when the Build API cannot be reached there. */
  buildUrl?: string;
}

export const BUILDER_NAME = 'release-health-gate';

/** A run's URL without its attempt: a re-run of the job is the same registration. */
export const runOf = (runUrl: string | null) => (runUrl ? runUrl.replace(/\/attempts\/\d+$/, '') : null);

const msOf = (text: string | null | undefined) => {
  const ms = typeof text === 'string' && text.length <= 64 ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : null;
};

function sameRegistration(build: BugsnagBuild, req: RegisterRequest): boolean {
  if (build.app_version !== req.version) return false;
  if (build.release_stage && build.release_stage.name !== req.environment) return false;
  // Only the same run is a re-run: outside Actions (no run) every build is a new one, as a
  // redeploy of an older version is (taking its old build would date the watch wrong).
  const run = runOf(req.runUrl);
  const recorded = build.metadata?.workflow_run;
  return run !== null && typeof recorded === 'string' && runOf(recorded) === run;
}

export function createBugsnagRegistrar(opts: BugsnagRegistrarOptions): Registrar {
  return {
    name: 'bugsnag',
    async register(req: RegisterRequest): Promise<RegisterResult> {
      // A re-run of the same job finds its build and posts nothing.
      if (opts.api) {
        // The Data Access API being down should not stop the build being recorded (a re-run during it posts again).
        const builds = await opts.api.builds(req.environment, req.signal).catch((error: unknown) => {
          // Never reached (refused, no such host): a wrong bugsnag-url, not an outage; the run names it.
          if (error instanceof TrackerSetupError || error instanceof UnreachableError || req.signal?.aborted) throw error;
          return [];
        });
        const earlier = builds.find((b) => sameRegistration(b, req));
        if (earlier) return { created: false, deployCreated: false, finalized: true, deployFinishedAt: msOf(earlier.release_time) ?? req.finishedAt };
      }
      if (!opts.apiKey) throw new TrackerSetupError('Input bugsnag-api-key is required to register a release with Bugsnag (register: true).');
      const body = {
        apiKey: opts.apiKey,
        appVersion: req.version,
        releaseStage: req.environment,
        builderName: BUILDER_NAME,
        ...(req.repository && req.commit
          ? { sourceControl: { provider: 'github', repository: `https://github.com/${req.repository}`, revision: req.commit } }
          : {}),
        metadata: { ...(req.runUrl ? { workflow_run: req.runUrl } : {}), deployed_at: new Date(req.finishedAt).toISOString() },
        autoAssignRelease: true,
      };
      try {
        await opts.build.call('POST', '/', { body, schema: buildAnswerSchema, ...(req.signal ? { signal: req.signal } : {}) });
      } catch (error) {
        // The run would blame bugsnag-url (the Data Access API's input): this request went to the build host.
        if (error instanceof UnreachableError) {
          throw new TrackerSetupError(
            `Input bugsnag-build-url ("${sanitizedName(opts.buildUrl ?? '', 120)}"): Bugsnag's Build API could not be reached there (${oneLine(error.message, 200)}).`,
          );
        }
        throw explainVendorError(error, {
          vendor: 'Bugsnag',
          what: 'recording the build',
          tokenInput: 'bugsnag-api-key',
          needs: "the project's notifier API key (Project settings → Notifier API key)",
          where: 'bugsnag-build-url',
        });
      }
      return { created: true, deployCreated: true, finalized: true, deployFinishedAt: req.finishedAt };
    },
    async previousRelease(version: string, environment: string, signal?: AbortSignal): Promise<KnownRelease | null> {
      if (!opts.api) return null;
      const groups = await opts.api.releaseGroups(environment, signal);
      const ours = groups.find((g) => g.app_version === version);
      // Without our group yet, the newest group released so far: one dated in the future never ran (a skewed or hostile clock).
      const oursAt = msOf(ours?.first_released_at) ?? Date.now() + CLOCK_SKEW_MS;
      const older = groups
        .filter((g) => g.app_version !== version && (g.release_stage_name == null || g.release_stage_name === environment))
        .map((g) => ({ g, at: msOf(g.first_released_at) }))
        .filter((x): x is { g: typeof x.g; at: number } => x.at !== null && x.at < oursAt)
        .sort((a, b) => b.at - a.at);
      return older[0] ? { version: older[0].g.app_version, url: null } : null;
    },
    releaseUrl: () => null,
    async newerDeploy({ version, environment, after, now, signal }) {
      if (!opts.api) return null;
      const newer = (await opts.api.builds(environment, signal))
        .filter((b) => b.app_version !== version && (!b.release_stage || b.release_stage.name === environment))
        .map((b) => ({ version: b.app_version, at: msOf(b.release_time) }))
        .filter((b): b is { version: string; at: number } => b.at !== null && b.at > after && b.at <= now + CLOCK_SKEW_MS)
        .sort((a, b) => b.at - a.at);
      return newer[0] ?? null;
    },
    // Without the Data Access API there is no build list to ask: the watch starts now, as before.
    ...(opts.api
      ? {
          async deployTime({ version, environment, now, signal }: { version: string; environment: string; now: number; signal?: AbortSignal }) {
            // The latest build of this version in the stage; one released in the future has not happened (a skewed or hostile clock).
            const times = (await opts.api!.builds(environment, signal))
              .filter((b) => b.app_version === version && (!b.release_stage || b.release_stage.name === environment))
              .map((b) => msOf(b.release_time))
              .filter((at): at is number => at !== null && at <= now + CLOCK_SKEW_MS);
            return times.length > 0 ? Math.max(...times) : null;
          },
        }
      : {}),
  };
}
