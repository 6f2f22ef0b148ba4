import type { Config } from '../config/load';
import type { Log } from '../pipeline/log';
import { sentryHealthSource } from './sentry/health';
import { sentryRegistrar } from './sentry/registrar';
import type { CommitInput, ReleaseInfo, Tracker } from './sentry/types';
import type { HealthSource, Registrar } from './types';

/** What the sources are built from besides the configuration. */
export interface SourceDeps {
  /** Sentry's tracker adapter (the action and the CLI connect it; tests pass a stub). */
  tracker: Tracker;
  log: Log;
  now: () => number;
  /** GitHub's commit list for a registrar that associates commits; null outside Actions. */
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  pushBefore: string | null;
  /** The previous release, asked once (the registrar takes its last commit as the commits' base). */
  previousRelease: () => Promise<ReleaseInfo | null>;
}

/**
 * Every source the configuration turns on: the registrar that tells a tracker
 * about the release (one tracker registers it) and the health sources the
 * watch polls. A new source adds one line here.
 */
export function buildSources(config: Config, deps: SourceDeps): { registrar: Registrar | null; health: HealthSource[] } {
  const { inputs } = config;
  const health: HealthSource[] = [];
  const registrar: Registrar | null = sentryRegistrar(config, deps);
  health.push(sentryHealthSource({ tracker: deps.tracker, version: inputs.release, projects: inputs['sentry-projects'], environment: inputs.environment, now: deps.now, log: deps.log }));
  return { registrar, health };
}
