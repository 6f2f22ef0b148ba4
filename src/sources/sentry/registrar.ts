import type { Config } from '../../config/load';
import { latestDeployTime, registerRelease, type StepLog } from './register';
import type { KnownRelease, RegisterResult, Registrar } from '../types';
import type { CommitInput, ReleaseInfo, Tracker } from './types';

export interface SentryRegistrarDeps {
  tracker: Tracker;
  log: StepLog;
  now: () => number;
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  pushBefore: string | null;
  /** The previous release as the pipeline found it (asked once, after the release exists). */
  previousRelease: () => Promise<ReleaseInfo | null>;
}

/**
 * Sentry as a registrar: the release, its commits, the deploy and the
 * finalize (register.ts), each safe to repeat. The run's details
 * come from the configuration; the request's are the same values.
 */
export function sentryRegistrar(config: Config, deps: SentryRegistrarDeps): Registrar {
  const projects = config.inputs['sentry-projects'];
  return {
    name: 'sentry',
    async register(): Promise<RegisterResult> {
      const { registration, deployFinishedAt, commits } = await registerRelease(config, deps, deps.previousRelease);
      return {
        created: registration.created,
        deployCreated: registration.deployCreated,
        finalized: registration.finalized,
        deployFinishedAt,
        commitMode: registration.commitMode,
        commits,
      };
    },
    async previousRelease(version, environment): Promise<KnownRelease | null> {
      const found = await deps.tracker.previousRelease(version, projects, environment);
      return found && { version: found.version, url: deps.tracker.releaseUrl(found.version, projects[0]) };
    },
    releaseUrl: (version) => deps.tracker.releaseUrl(version, projects[0]),
    deployTime: ({ version, environment, now }) => latestDeployTime(deps.tracker, { release: version, environment, now }),
  };
}
