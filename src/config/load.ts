import { redact } from '../util/redact';
import { oneLine } from '../util/text';
import { SENTRY_URL_FORM } from './fields';
import {
  isSentryless,
  METRICS_ENV_FALLBACKS,
  METRICS_SECRET_INPUTS,
  METRICS_UNQUOTED_INPUTS,
  SENTRYLESS_STANDINS,
  sentryChecksWithoutSentry,
  sentryless,
} from './metrics-inputs';
import { sanitizedName } from './names';
import { type Inputs, type InputName, INPUT_NAMES } from './schema';
import { urlInputSecrets } from './url-secrets';
import { NOTIFY_ENV_FALLBACKS, NOTIFY_SECRET_INPUTS } from './notify-inputs';
import { applyTrackerDefaults, inputOwner, selectedTracker, TRACKER_ENV_FALLBACKS, TRACKER_SECRET_INPUTS } from './tracker-inputs';
import { schemaFor } from './tracker-schema';

/** Where the workflow run is, from the runner's environment; null outside GitHub Actions. */
export interface RunContext {
  repository: { owner: string; repo: string } | null;
  sha: string | null;
  serverUrl: string;
  apiUrl: string;
  runId: string | null;
  runAttempt: string | null;
  eventPath: string | null;
  workspace: string | null;
  runnerTemp: string | null;
  runUrl: string | null;
}

export interface Config {
  inputs: Inputs;
  run: RunContext;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The first request to Sentry never reached it. Before Sentry has answered
 * once this is the configuration (a mistyped sentry-url), not an outage: one
 * line naming the input to fix. (A token the HTTP layer cannot send never gets
 * here: config validation refuses it, see tokenProblem.)
 */
export function unreachableConfigError(reason: 'connect' | 'redirect' | 'not-api', detail: string, sentryUrl: string): ConfigError {
  const why = oneLine(detail, 200);
  const where = `Input sentry-url ("${sanitizedName(sentryUrl, 120)}")`;
  if (reason === 'redirect')
    return new ConfigError(`${where}: Sentry's API is not there, the server redirects (${why}); if it redirects to Sentry, use that URL: ${SENTRY_URL_FORM}`);
  if (reason === 'not-api') return new ConfigError(`${where}: Sentry's API is not there, the server answers pages, not JSON (${why}): ${SENTRY_URL_FORM}`);
  return new ConfigError(`${where}: Sentry could not be reached there (${why}): ${SENTRY_URL_FORM}`);
}

// These inputs fall back to env variables that sentry-cli users already have set.
const ENV_FALLBACKS: Partial<Record<InputName, string[]>> = {
  'sentry-url': ['SENTRY_URL'],
  'sentry-auth-token': ['SENTRY_AUTH_TOKEN'],
  'sentry-org': ['SENTRY_ORG'],
  'sentry-projects': ['SENTRY_PROJECT'],
  release: ['SENTRY_RELEASE', 'GITHUB_SHA'],
  ...NOTIFY_ENV_FALLBACKS,
  ...METRICS_ENV_FALLBACKS,
  ...TRACKER_ENV_FALLBACKS,
};

const SECRET_INPUTS: ReadonlySet<InputName> = new Set([
  'sentry-auth-token',
  'github-token',
  ...NOTIFY_SECRET_INPUTS,
  ...METRICS_SECRET_INPUTS,
  ...TRACKER_SECRET_INPUTS,
]);

type Env = Record<string, string | undefined>;

export function runContext(env: Env): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = owner && repo ? { owner, repo } : null;
  const runId = env.GITHUB_RUN_ID || null;
  return {
    repository,
    sha: env.GITHUB_SHA || null,
    serverUrl,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT || null,
    eventPath: env.GITHUB_EVENT_PATH || null,
    workspace: env.GITHUB_WORKSPACE || null,
    runnerTemp: env.RUNNER_TEMP || null,
    runUrl:
      repository && runId
        ? `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${runId}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
        : null,
  };
}

/**
 * Turns raw inputs (action inputs or CLI flags; '' or undefined = unset) and the
 * environment into a validated Config, or throws one ConfigError whose message
 * has one line per bad input, naming it, its value (never a secret's) and what
 * is allowed.
 */
export function loadConfig(getInput: (name: InputName) => string | undefined, env: Env): Config {
  const raw: Record<string, string | undefined> = {};
  const tracker = selectedTracker(getInput('tracker'));
  for (const name of INPUT_NAMES) {
    let value = getInput(name);
    // Another tracker's env variables (a SENTRY_AUTH_TOKEN left in the job's env) are not its inputs.
    const owner = inputOwner(name);
    if (owner === null || owner === tracker) for (const key of ENV_FALLBACKS[name] ?? []) if (!value?.trim()) value = env[key];
    raw[name] = value;
  }
  // A gate on metrics checks alone connects no tracker: Sentry's inputs are not needed then.
  const withoutSentry = tracker === 'sentry' && isSentryless(raw);
  const parsed = schemaFor(tracker).safeParse(withoutSentry ? { ...raw, ...SENTRYLESS_STANDINS } : raw);
  if (!parsed.success) {
    // A token pasted into another input (a URL's query, say) is shown in no piece: the
    // runner masks a secret only whole, and the shown value is cut.
    const secrets = [...[...SECRET_INPUTS].map((name) => raw[name]?.trim()), ...urlInputSecrets(raw)];
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'inputs') as InputName;
      const value = raw[name];
      // A URL's user:password is a secret too: show the value without it. A
      // value's line breaks and escapes are shown escaped: the error stays one line.
      const safe = value === undefined ? '' : sanitizedName(redact(value.trim(), secrets).replace(/\/\/[^/?#\s]*@/, '//***@'), 80);
      const shown = SECRET_INPUTS.has(name) || (METRICS_UNQUOTED_INPUTS as readonly string[]).includes(name) || !safe ? '' : ` ("${safe}")`;
      return `Input ${name}${shown}${issue.message.startsWith('is ') ? ' ' : ': '}${issue.message}`;
    });
    throw new ConfigError([...new Set(lines)].join('\n'));
  }
  if (withoutSentry) {
    const dropped = sentryChecksWithoutSentry(parsed.data);
    if (dropped.length > 0) throw new ConfigError(dropped.map(([name, why]) => `Input ${name} ${why}`).join('\n'));
  }
  return { inputs: withoutSentry ? sentryless(parsed.data) : applyTrackerDefaults(parsed.data), run: runContext(env) };
}
