import type { Config } from '../config/load';
import { sentryHealthSource } from './sentry/health';
import { sentryBaseline } from './sentry/baseline';
import type { StepLog } from './sentry/register';
import { sentryRegistrar } from './sentry/registrar';
import type { CommitInput, ReleaseInfo, Tracker } from './sentry/types';
import type { Check, HealthSource, Registrar } from './types';
import { usesSentry } from '../config/metrics-inputs';
import { prometheusSource } from './prometheus';
import { datadogSource } from './datadog';
import { connectBugsnag } from './bugsnag';
import { connectRollbar } from './rollbar';
import { trackerSecrets } from '../config/tracker-inputs';
import { USER_AGENT } from '../version';

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
  /** Cancels the requests of the sources this builds (Bugsnag's, Rollbar's clients). */
  signal?: AbortSignal;
}

/** The sources of one run. */
export interface Sources {
  registrar: Registrar | null;
  health: HealthSource[];
  /** Checks the sources serve beyond the ones policy.ts builds from the inputs (they join the policy). */
  checks?: Check[];
  /** Closes the HTTP clients the sources own (Bugsnag's, Rollbar's), once the pipeline is done. */
  close?: () => Promise<void>;
}

/**
 * Every source the configuration turns on: the registrar that tells a tracker
 * about the release (one tracker registers it) and the health sources the
 * watch polls. A new source adds one line here.
 */
export function buildSources(config: Config, deps: SourceDeps): Sources {
  const { inputs } = config;
  // One tracker registers and watches (Sentry, Bugsnag or Rollbar: issue #17), or none with metrics checks alone.
  // Retries and request timeouts scale with the interval, as Sentry's do (pipeline/sentry.ts).
  const http = {
    userAgent: USER_AGENT,
    secrets: [inputs['github-token'] ?? '', ...trackerSecrets(inputs)].filter(Boolean),
    maxRetryTimeMs: Math.min(60_000, Math.max(5_000, inputs.interval)),
    requestTimeoutMs: Math.min(30_000, Math.max(5_000, inputs.interval)),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  const health: HealthSource[] = [];
  let registrar: Registrar | null = null;
  let close: () => Promise<void> = async () => {};
  if (inputs.tracker === 'bugsnag') {
    const b = connectBugsnag(
      {
        apiKey: inputs['bugsnag-api-key'],
        token: inputs['bugsnag-token'],
        projectId: inputs['bugsnag-project-id'],
        url: inputs['bugsnag-url'],
        buildUrl: inputs['bugsnag-build-url'],
        version: inputs.release,
        environment: inputs.environment,
      },
      http,
    );
    registrar = b.registrar;
    if (b.health) health.push(b.health);
    close = b.close;
  } else if (inputs.tracker === 'rollbar' && inputs['rollbar-token']) {
    const r = connectRollbar({ token: inputs['rollbar-token'], url: inputs['rollbar-url'], version: inputs.release, environment: inputs.environment }, http);
    registrar = r.registrar;
    health.push(r.health);
    close = r.close;
  } else if (usesSentry(inputs)) {
    registrar = sentryRegistrar(config, deps);
    health.push({
      ...sentryHealthSource({
        tracker: deps.tracker,
        version: inputs.release,
        projects: inputs['sentry-projects'],
        environment: inputs.environment,
        now: deps.now,
        log: deps.log,
      }),
      baseline: sentryBaseline({ tracker: deps.tracker, projects: inputs['sentry-projects'], environment: inputs.environment }),
    });
  }
  // Symptom checks from the metrics stack, next to any tracker or none (config refuses a check whose source is not set up).
  for (const source of [prometheusSource(config), datadogSource(config)]) if (source) health.push(source);
  return { registrar, health, checks: [...inputs.checks], close };
}
