import * as z from 'zod';
import { httpUrl, multiple, oneOf, text, tokenProblem } from './fields';

/**
 * The tracker input and the inputs of Bugsnag and Rollbar (issue #17). Each
 * tracker's inputs are required only when it is selected; an input of another
 * tracker, or a check the selected tracker cannot serve, is an error that
 * names both and says why.
 */

export const TRACKERS = ['sentry', 'bugsnag', 'rollbar'] as const;
export type TrackerName = (typeof TRACKERS)[number];

const apiKeyProblem = (v: string) =>
  /^[0-9a-f]{32}$/i.test(v) ? null : "expected the project's notifier API key (32 hex digits, from the project's settings)";
const projectIdProblem = (v: string) =>
  /^[0-9a-f]{24}$/i.test(v) ? null : 'expected a Bugsnag project id (24 hex digits, from the Data Access API or the project URL)';

/** Spread into inputsSchema: every name here is an action.yml input. */
export const trackerInputsShape = {
  tracker: oneOf(TRACKERS, 'sentry'),
  'bugsnag-api-key': text(null, apiKeyProblem),
  'bugsnag-token': text(null, tokenProblem),
  'bugsnag-project-id': text(null, projectIdProblem),
  'bugsnag-url': httpUrl('https://api.bugsnag.com'),
  'bugsnag-build-url': httpUrl('https://build.bugsnag.com'),
  'rollbar-token': text(null, tokenProblem),
  'rollbar-url': httpUrl('https://api.rollbar.com'),
  'max-error-rate-increase': multiple(null, "the largest acceptable increase of the error rate over the previous version's"),
};

/** Inputs that belong to one tracker, with their defaults (a value equal to its default counts as unset). */
const OWNED: Record<string, { tracker: TrackerName; fallback: unknown }> = {
  'sentry-url': { tracker: 'sentry', fallback: 'https://sentry.io' },
  'sentry-auth-token': { tracker: 'sentry', fallback: '' },
  'sentry-org': { tracker: 'sentry', fallback: '' },
  'sentry-projects': { tracker: 'sentry', fallback: [] },
  'bugsnag-api-key': { tracker: 'bugsnag', fallback: null },
  'bugsnag-token': { tracker: 'bugsnag', fallback: null },
  'bugsnag-project-id': { tracker: 'bugsnag', fallback: null },
  'bugsnag-url': { tracker: 'bugsnag', fallback: 'https://api.bugsnag.com' },
  'bugsnag-build-url': { tracker: 'bugsnag', fallback: 'https://build.bugsnag.com' },
  'rollbar-token': { tracker: 'rollbar', fallback: null },
  'rollbar-url': { tracker: 'rollbar', fallback: 'https://api.rollbar.com' },
};

/** The tracker an input belongs to, or null when every tracker reads it. */
export const inputOwner = (name: string): TrackerName | null => OWNED[name]?.tracker ?? null;

/** Env fallbacks of the new inputs, applied only when their tracker is selected. */
export const TRACKER_ENV_FALLBACKS: Record<string, string[]> = {
  'bugsnag-token': ['BUGSNAG_TOKEN'],
  'rollbar-token': ['ROLLBAR_ACCESS_TOKEN'],
};

/** Never shown, and redacted from every server answer. */
export const TRACKER_SECRET_INPUTS = ['bugsnag-token', 'bugsnag-api-key', 'rollbar-token'] as const;

/**
 * The tracker the raw inputs select: 'sentry' when unset, null when set to
 * something else (the schema reports the bad value, and no tracker's
 * required inputs are asked for: a typo in `tracker` is one line, not
 * "sentry-auth-token is required" for a team that does not use Sentry).
 */
export function selectedTracker(raw: string | undefined): TrackerName | null {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return 'sentry';
  return (TRACKERS as readonly string[]).includes(value) ? (value as TrackerName) : null;
}

const slugProblem = (v: string) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v) ? null : 'expected an organization slug (letters, digits, -, _ and .)');
const optionalSlugs = z
  .string()
  .optional()
  .transform((v, ctx): string[] => {
    const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
    const bad = items.find((p) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad}" is not a project slug (letters, digits, -, _ and .)` });
      return z.NEVER as never;
    }
    return [...new Set(items)];
  });

/** With Bugsnag or Rollbar selected, Sentry's required inputs are optional ('' or [] when unset; giving one is an error below). */
export const sentryOptionalShape = {
  'sentry-auth-token': text('', tokenProblem),
  'sentry-org': text('', slugProblem),
  'sentry-projects': optionalSlugs,
};

const NAMES: Record<TrackerName, string> = { sentry: 'Sentry', bugsnag: 'Bugsnag', rollbar: 'Rollbar' };

const NO_SESSIONS = 'Rollbar has no sessions, so there is no crash-free rate or share of unhealthy sessions to judge';

/** Why a tracker cannot serve a check input, by input; absent = it can. */
const UNSERVED: Record<TrackerName, Record<string, string>> = {
  sentry: {
    'max-error-rate-increase':
      "it judges Rollbar's occurrence counts; with sentry use max-error-rate (a share of sessions) or max-crash-rate-increase with baseline: previous-release",
  },
  bugsnag: {
    'max-error-rate': 'Bugsnag counts only sessions with unhandled errors (that is min-crash-free-sessions); it has no count of sessions with handled errors',
    'max-error-rate-increase': "it judges Rollbar's occurrence counts; with bugsnag use min-crash-free-sessions",
    baseline: "Bugsnag's previous release group is the rollback target, but its counts are not compared yet; use absolute limits",
  },
  rollbar: {
    'min-crash-free-users': NO_SESSIONS,
    'min-crash-free-sessions': NO_SESSIONS,
    'max-error-rate': NO_SESSIONS,
    'max-crash-rate-increase': NO_SESSIONS,
    baseline: `${NO_SESSIONS}; max-error-rate-increase compares the error rate with the previous version's instead`,
  },
};

/** The parsed values this check reads (a subset of Inputs, so the schema's refinement can pass itself). */
interface TrackerFields {
  tracker: TrackerName;
  gate: boolean;
  baseline: string;
  'min-crash-free-users': number | null;
  'min-crash-free-sessions': number | null;
  'max-error-rate': number | null;
  'max-crash-rate-increase': number | null;
  'max-new-issue-users': number | null;
  'max-error-rate-increase': number | null;
  'bugsnag-api-key': string | null;
  'bugsnag-token': string | null;
  'bugsnag-project-id': string | null;
  'rollbar-token': string | null;
  register: boolean;
}

const isSet = (value: unknown, fallback: unknown) => (Array.isArray(value) ? value.length > 0 : value !== null && value !== '' && value !== fallback);

/** The default min-crash-free-users (0.97) means "the default check", which Rollbar cannot serve: off, not an error. */
export const DEFAULT_MIN_CRASH_FREE_USERS = 0.97;

/**
 * The cross-field rules of the tracker inputs: [input, message] for each
 * problem. `values` holds every parsed input (the Sentry ones included).
 */
export function trackerInputProblems(c: TrackerFields & Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  const tracker = c.tracker;
  for (const [name, owner] of Object.entries(OWNED)) {
    if (owner.tracker !== tracker && isSet(c[name], owner.fallback)) {
      problems.push([name, `is a ${NAMES[owner.tracker]} input, but tracker is ${tracker}: remove it, or set tracker: ${owner.tracker}`]);
    }
  }
  for (const [input, why] of Object.entries(UNSERVED[tracker])) {
    const value = c[input];
    const set =
      input === 'baseline'
        ? value !== 'none'
        : value !== null && !(tracker === 'rollbar' && input === 'min-crash-free-users' && value === DEFAULT_MIN_CRASH_FREE_USERS);
    if (set && (c.gate || input === 'baseline')) problems.push([input, `tracker ${tracker} cannot serve it: ${why}`]);
  }
  if (tracker === 'bugsnag') {
    if (c.register && !c['bugsnag-api-key'])
      problems.push(['bugsnag-api-key', "is required with tracker bugsnag and register: true: the project's notifier API key, for the Build API"]);
    if (c.gate && !c['bugsnag-token'])
      problems.push([
        'bugsnag-token',
        'is required with tracker bugsnag and gate: true: set the input or the BUGSNAG_TOKEN env variable (a personal auth token for the Data Access API)',
      ]);
    if (c.gate && !c['bugsnag-project-id'])
      problems.push(['bugsnag-project-id', 'is required with tracker bugsnag and gate: true: the id of the Bugsnag project the Data Access API reads']);
  }
  if (tracker === 'rollbar') {
    if (!c['rollbar-token'])
      problems.push([
        'rollbar-token',
        'is required with tracker rollbar: set the input or the ROLLBAR_ACCESS_TOKEN env variable (a project access token with post_server_item or write for deploys, read for health)',
      ]);
    if (c.gate && c['max-new-issue-users'] === null && c['max-error-rate-increase'] === null) {
      problems.push([
        'max-error-rate-increase',
        'tracker rollbar needs a check it can serve: set max-error-rate-increase (such as 2x) or max-new-issue-users (or gate: false)',
      ]);
    }
  }
  return problems;
}

/** After parsing: checks that are on only by default and the tracker cannot serve are turned off. */
export function applyTrackerDefaults<T extends { tracker: TrackerName; 'min-crash-free-users': number | null }>(inputs: T): T {
  if (inputs.tracker === 'rollbar' && inputs['min-crash-free-users'] === DEFAULT_MIN_CRASH_FREE_USERS) return { ...inputs, 'min-crash-free-users': null };
  return inputs;
}

/** The Bugsnag and Rollbar secrets of a configuration: masked by the runner and redacted from everything shown. */
export function trackerSecrets(inputs: Partial<Record<(typeof TRACKER_SECRET_INPUTS)[number], string | null>>): string[] {
  return TRACKER_SECRET_INPUTS.map((name) => inputs[name] ?? '').filter(Boolean);
}

/** The input holding the selected tracker's API URL (named in warnings and in "could not be reached" errors). */
export function trackerUrlInput(tracker: TrackerName): 'sentry-url' | 'bugsnag-url' | 'rollbar-url' {
  return tracker === 'bugsnag' ? 'bugsnag-url' : tracker === 'rollbar' ? 'rollbar-url' : 'sentry-url';
}
