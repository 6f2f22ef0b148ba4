import type { Config } from '../config/load';
import type { Log } from '../pipeline/log';
import type { Tracker } from '../tracker/types';
import { sentryHealthSource } from './sentry/health';
import type { HealthSource, Registrar } from './types';

/** What the sources are built from besides the configuration. */
export interface SourceDeps {
  /** Sentry's tracker adapter (the action and the CLI connect it; tests pass a stub). */
  tracker: Tracker;
  log: Log;
  now: () => number;
  /** Epoch ms of the deploy: every health source counts from it. */
  since: number;
}

/**
 * Every source the configuration turns on: at most one registrar (the release
 * is registered with one tracker) and the health sources the watch polls.
 * A new source adds one line here.
 */
export function buildSources(config: Config, deps: SourceDeps): { registrar: Registrar | null; health: HealthSource[] } {
  const { inputs } = config;
  const health: HealthSource[] = [];
  health.push(
    sentryHealthSource({ tracker: deps.tracker, version: inputs.release, projects: inputs['sentry-projects'], environment: inputs.environment, since: deps.since, now: deps.now, log: deps.log }),
  );
  return { registrar: null, health };
}
