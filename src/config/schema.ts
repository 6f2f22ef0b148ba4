import * as z from 'zod';
import { formatDuration } from './duration';
import { bool, confidence, count, duration, httpUrl, list, multiple, oneOf, required, sentryUrl, text, threshold, token, tokenProblem } from './fields';
import { notifyInputs } from './notify-inputs';
import { metricsInputProblems, metricsInputs } from './metrics-inputs';
import { environmentNameProblem, gitRefProblem, releaseNameProblem } from './names';
import { trackerInputProblems, trackerInputsShape } from './tracker-inputs';

const checkSlug = (v: string) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v) ? null : 'expected an organization slug (letters, digits, -, _ and .)');
const checkSha = (v: string) => (/^[0-9a-f]{7,40}$/i.test(v) ? null : 'expected a commit sha (7 to 40 hex digits)');
const checkWorkflow = (v: string) =>
  /^\d+$/.test(v) || /^[\w.-]+\.ya?ml$/.test(v) ? null : 'expected a workflow file name such as rollback.yml, or a workflow id';
// Ids above 2^53 would be rounded to another deployment's id.
const checkPositiveId = (v: string) =>
  /^[1-9]\d*$/.test(v) && Number.isSafeInteger(Number(v)) ? null : `expected a deployment id (a positive whole number up to ${Number.MAX_SAFE_INTEGER})`;

/** The inputs of action.yml, by their kebab-case names: the one source of truth for validation. */
/** Most polls one watch may make: bounds the report and the requests. */
export const MAX_POLLS = 10_000;

export const inputsSchema = z
  .object({
    'sentry-url': sentryUrl('https://sentry.io'),
    'sentry-auth-token': token('set the input or the SENTRY_AUTH_TOKEN env variable (scopes project:releases, org:read, event:read)'),
    'sentry-org': required('set the input or the SENTRY_ORG env variable', checkSlug),
    'sentry-projects': list('set the input or the SENTRY_PROJECT env variable (comma, space or newline separated)'),
    release: required('set the input, SENTRY_RELEASE, or run in GitHub Actions where GITHUB_SHA is set', releaseNameProblem),
    environment: text('production', environmentNameProblem),
    register: bool(true),
    'set-commits': oneOf(['auto', 'github', 'skip'] as const, 'auto'),
    'previous-commit': text(null, checkSha),
    finalize: bool(true),
    gate: bool(true),
    window: duration('10m', 1_000),
    interval: duration('1m', 1_000),
    'initial-delay': duration('2m', 0),
    // Up to 10 minutes: a gate that judges data older than that is no longer watching the deploy.
    settle: duration('60s', 0, 600_000),
    'min-crash-free-users': threshold(0.97, 'the lowest acceptable crash-free users rate'),
    'min-crash-free-sessions': threshold(null, 'the lowest acceptable crash-free sessions rate'),
    'max-error-rate': threshold(null, 'the highest acceptable share of unhealthy sessions'),
    'max-new-issue-users': count(null),
    'min-sessions': count(100),
    confidence: confidence(0.95),
    baseline: oneOf(['none', 'previous-release'] as const, 'none'),
    'max-crash-rate-increase': threshold(null, 'the allowed increase of the crash rate over the baseline'),
    'pass-early': bool(false),
    'pass-margin': multiple(2, 'the largest regression a pass must rule out'),
    'on-inconclusive': oneOf(['pass', 'fail'] as const, 'pass'),
    'dry-run': bool(false),
    'rollback-workflow': text(null, checkWorkflow),
    'rollback-ref': text(null, gitRefProblem),
    'github-token': text(null, tokenProblem),
    'github-deployment-id': text(null, checkPositiveId),
    'runbook-url': httpUrl(null),
    'dashboard-url': httpUrl(null),
    ...notifyInputs,
    ...metricsInputs,
    ...trackerInputsShape,
  })
  .superRefine((c, ctx) => {
    const issue = (input: string, message: string) => ctx.addIssue({ code: 'custom', path: [input], message });
    if (c.interval > c.window) issue('interval', `must not be longer than window (${formatDuration(c.window)})`);
    // Every poll is kept for the report and costs requests: a day polled every second is 86,400 of each.
    else if (c.window / c.interval > MAX_POLLS)
      issue(
        'interval',
        `gives more than ${MAX_POLLS.toLocaleString('en-US')} polls in the window (${formatDuration(c.window)}): use at least ${formatDuration(Math.ceil(c.window / MAX_POLLS / 1000) * 1000)}`,
      );
    const anyCheck = c['min-crash-free-users'] ?? c['min-crash-free-sessions'] ?? c['max-error-rate'] ?? c['max-new-issue-users'] ?? (c.checks.length || null);
    if (c.gate && anyCheck === null)
      issue(
        'min-crash-free-users',
        'every check is off: set at least one of min-crash-free-users, min-crash-free-sessions, max-error-rate, max-new-issue-users (or gate: false)',
      );
    if (c['max-crash-rate-increase'] !== null && c.baseline !== 'previous-release')
      issue('max-crash-rate-increase', 'only applies with baseline: previous-release');
    if (c.baseline === 'previous-release' && c['min-crash-free-users'] === null && c['min-crash-free-sessions'] === null) {
      issue('baseline', 'previous-release compares crash rates: set min-crash-free-users or min-crash-free-sessions');
    }
    for (const [input, message] of metricsInputProblems(c)) issue(input, message);
    if (!c.register && !c.gate) issue('gate', 'register and gate are both false: there is nothing to do');
    for (const [input, message] of trackerInputProblems(c)) issue(input, message);
  });

export type Inputs = z.output<typeof inputsSchema>;
export type InputName = keyof z.input<typeof inputsSchema>;
export const INPUT_NAMES = Object.keys(inputsSchema.shape) as InputName[];
