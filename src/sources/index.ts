import type { Config } from '../config/load';
import { sentryHealthSource } from './sentry/health';
import type { StepLog } from './sentry/register';
import { sentryRegistrar } from './sentry/registrar';
import type { CommitInput, ReleaseInfo, Tracker } from './sentry/types';
import type { Check, HealthSource, Registrar } from './types';
import { usesSentry } from '../config/metrics-inputs';
import { prometheusSource } from './prometheus';
import { datadogSource } from './datadog';

/** What the sources are built from besides the configuration. */
export interface SourceDeps {
  /** Sentry's tracker adapter (the action and the CLI connect it; tests pass a stub). */
  tracker: Tracker;
  log: StepLog;
  now: () => number;
  /** GitHub's commit list for a registrar that associates commits; null outside Actions. */
  listCommits: ((base: string, head: string) => Promise<CommitInput[]>) | null;
  pushBefore: string | null;
  /** The previous release, asked once (the registrar takes its last commit as the commits' base). */
  previousRelease: () => Promise<ReleaseInfo | null>;
}

/** The sources of one run. */
export interface Sources {
  registrar: Registrar | null;
  health: HealthSource[];
  /** Checks the sources serve beyond the ones policy.ts builds from the inputs (they join the policy). */
  checks?: Check[];
}

/**
 * Every source the configuration turns on: the registrar that tells a tracker
 * about the release (one tracker registers it) and the health sources the
 * watch polls. A new source adds one line here.
 */
export function buildSources(config: Config, deps: SourceDeps): Sources {
  const { inputs } = config;
  const health: HealthSource[] = [];
  const sentry = usesSentry(inputs);
  const registrar: Registrar | null = sentry ? sentryRegistrar(config, deps) : null;
  if (sentry) health.push(sentryHealthSource({ tracker: deps.tracker, version: inputs.release, projects: inputs['sentry-projects'], environment: inputs.environment, now: deps.now, log: deps.log }));
  const checks: Check[] = [];
  for (const source of [prometheusSource(config), datadogSource(config)]) if (source) health.push(source);
  // The symptom checks of the checks input, served by the sources above (config refuses one whose source is not set up).
  checks.push(...inputs.checks);
  return { registrar, health, checks };
}
