/**
 * Invalid configurations, one problem each: the input the error line must
 * name, and what the line must say is allowed.
 */
export interface BadInput {
  what: string;
  set: Record<string, string>;
  /** Raw values taken away (env fallbacks included). */
  unset?: string[];
  input: string;
  allowed: RegExp;
}

export const VALID: Record<string, string> = {
  'sentry-auth-token': 'sntryu_config_test_token_123456',
  'sentry-org': 'acme',
  'sentry-projects': 'shop-web',
  release: 'shop-web@2.0.0',
};

const DURATION = /expected a duration such as 90s, 10m, 1h or a whole number of seconds/;
const RATE = /expected .* as a fraction such as 0\.995 or a percentage such as 99\.5%/;
const CONFIDENCE_FORM = /expected the confidence of a fail as a fraction such as 0\.95 or a percentage such as 95%/;
const EXCLUSIVE = /must be between 0 and 1 \(exclusive\)/;
const URL = /an http:\/\/ or https:\/\/ URL/;
const SENTRY_URL = /expected the base URL of Sentry such as https:\/\/sentry\.io/;
const RELEASE = /expected a release name of at most 200 characters without spaces, slashes, backslashes, control characters, "::" or shell characters/;
const ENVIRONMENT = /expected an environment name of at most 64 characters without spaces, slashes, control characters, "::" or shell characters/;
const GIT_REF = /expected a branch, tag or ref such as main, v2\.0\.1 or refs\/heads\/release \(git ref rules/;
const MAX_DURATION = /must be at most 24h/;
const CONFIDENCE = /must be between 0\.5 and 0\.9999 \(50% to 99\.99%\)/;
const TOKEN = /expected the token alone, printable ASCII on one line/;
const COUNT = /expected a whole number, 0 or more/;
const BOOL = /expected true or false/;

export const BAD_INPUTS: BadInput[] = [
  { what: 'window in words', set: { window: 'ten minutes' }, input: 'window', allowed: DURATION },
  { what: 'negative window', set: { window: '-5m' }, input: 'window', allowed: DURATION },
  { what: 'zero window', set: { window: '0s' }, input: 'window', allowed: /must be at least 1s/ },
  { what: 'window past the timer limit (700h)', set: { window: '700h' }, input: 'window', allowed: MAX_DURATION },
  { what: 'window of 25h', set: { window: '25h' }, input: 'window', allowed: MAX_DURATION },
  { what: 'interval in seconds past the timer limit', set: { interval: '2147484' }, input: 'interval', allowed: MAX_DURATION },
  { what: 'initial delay past the timer limit', set: { 'initial-delay': '600h' }, input: 'initial-delay', allowed: MAX_DURATION },
  { what: 'unknown unit', set: { interval: '1d' }, input: 'interval', allowed: DURATION },
  { what: 'initial delay in words', set: { 'initial-delay': 'soon' }, input: 'initial-delay', allowed: DURATION },
  { what: 'settle in words', set: { settle: 'a minute' }, input: 'settle', allowed: DURATION },
  { what: 'negative settle', set: { settle: '-60s' }, input: 'settle', allowed: DURATION },
  { what: 'settle past its bound', set: { settle: '11m' }, input: 'settle', allowed: /must be at most 10m/ },
  { what: 'interval longer than window', set: { window: '5m', interval: '10m' }, input: 'interval', allowed: /must not be longer than window \(5m\)/ },
  {
    what: 'a day polled every second',
    set: { window: '24h', interval: '1s' },
    input: 'interval',
    allowed: /gives more than 10,000 polls in the window \(24h\): use at least 9s/,
  },
  { what: 'negative rate', set: { 'min-crash-free-users': '-0.1' }, input: 'min-crash-free-users', allowed: EXCLUSIVE },
  { what: 'rate above 1', set: { 'min-crash-free-users': '1.5' }, input: 'min-crash-free-users', allowed: RATE },
  { what: 'percentage without %', set: { 'min-crash-free-users': '99.5' }, input: 'min-crash-free-users', allowed: RATE },
  { what: 'percentage above 100', set: { 'min-crash-free-sessions': '150%' }, input: 'min-crash-free-sessions', allowed: EXCLUSIVE },
  { what: 'rate in words', set: { 'min-crash-free-sessions': 'high' }, input: 'min-crash-free-sessions', allowed: RATE },
  { what: 'error rate 0', set: { 'max-error-rate': '0' }, input: 'max-error-rate', allowed: EXCLUSIVE },
  { what: 'error rate 1', set: { 'max-error-rate': '1' }, input: 'max-error-rate', allowed: EXCLUSIVE },
  { what: 'confidence 0', set: { confidence: '0' }, input: 'confidence', allowed: CONFIDENCE },
  { what: 'confidence 1', set: { confidence: '1' }, input: 'confidence', allowed: CONFIDENCE },
  { what: 'confidence 0.95% (0.0095)', set: { confidence: '0.95%' }, input: 'confidence', allowed: CONFIDENCE },
  { what: 'confidence 1e-9', set: { confidence: '1e-9' }, input: 'confidence', allowed: CONFIDENCE_FORM },
  { what: 'rate in exponent notation', set: { 'max-error-rate': '1e-2' }, input: 'max-error-rate', allowed: RATE },
  { what: 'rate in hex', set: { 'min-crash-free-users': '0x1' }, input: 'min-crash-free-users', allowed: RATE },
  { what: 'confidence as 95', set: { confidence: '95' }, input: 'confidence', allowed: CONFIDENCE_FORM },
  { what: 'unknown set-commits', set: { 'set-commits': 'always' }, input: 'set-commits', allowed: /expected one of: auto, github, skip/ },
  { what: 'unknown baseline', set: { baseline: 'last-week' }, input: 'baseline', allowed: /expected one of: none, previous-release/ },
  { what: 'unknown on-inconclusive', set: { 'on-inconclusive': 'ignore' }, input: 'on-inconclusive', allowed: /expected one of: pass, fail/ },
  { what: 'gate maybe', set: { gate: 'maybe' }, input: 'gate', allowed: BOOL },
  { what: 'dry-run sentence', set: { 'dry-run': 'yes please' }, input: 'dry-run', allowed: BOOL },
  { what: 'ftp sentry-url', set: { 'sentry-url': 'ftp://sentry.example' }, input: 'sentry-url', allowed: URL },
  { what: 'sentry-url without scheme', set: { 'sentry-url': 'sentry.example.com' }, input: 'sentry-url', allowed: URL },
  { what: 'sentry-url with a query', set: { 'sentry-url': 'https://sentry.example.com/?org=acme' }, input: 'sentry-url', allowed: SENTRY_URL },
  { what: 'sentry-url with a fragment', set: { 'sentry-url': 'https://sentry.example.com/#acme' }, input: 'sentry-url', allowed: SENTRY_URL },
  {
    what: 'sentry-url of an organization page',
    set: { 'sentry-url': 'https://sentry.example.com/organizations/acme/issues/' },
    input: 'sentry-url',
    allowed: SENTRY_URL,
  },
  { what: 'token with a newline', set: { 'sentry-auth-token': 'sntrys_first_line\nsntrys_second_line' }, input: 'sentry-auth-token', allowed: TOKEN },
  { what: 'token with a space', set: { 'sentry-auth-token': 'Bearer sntrys_abc' }, input: 'sentry-auth-token', allowed: TOKEN },
  { what: 'github-token with a control character', set: { 'github-token': 'ghs_abc\u0007def' }, input: 'github-token', allowed: TOKEN },
  { what: 'javascript runbook-url', set: { 'runbook-url': 'javascript:alert(1)' }, input: 'runbook-url', allowed: URL },
  { what: 'runbook-url with a line break', set: { 'runbook-url': 'https://wiki.example/run\n::error::x' }, input: 'runbook-url', allowed: URL },
  { what: 'sentry-url with a line break', set: { 'sentry-url': 'https://sentry.example.com/\nx' }, input: 'sentry-url', allowed: SENTRY_URL },
  { what: 'dashboard-url not a URL', set: { 'dashboard-url': 'the grafana board' }, input: 'dashboard-url', allowed: URL },
  { what: 'missing org', set: {}, unset: ['sentry-org'], input: 'sentry-org', allowed: /is required: set the input or the SENTRY_ORG env variable/ },
  { what: 'org with a space', set: { 'sentry-org': 'acme corp' }, input: 'sentry-org', allowed: /expected an organization slug/ },
  {
    what: 'missing projects',
    set: {},
    unset: ['sentry-projects'],
    input: 'sentry-projects',
    allowed: /is required: set the input or the SENTRY_PROJECT env variable/,
  },
  {
    what: 'bad project slug',
    set: { 'sentry-projects': 'shop-web, web!' },
    input: 'sentry-projects',
    allowed: /"web!" is not a project slug \(letters, digits, -, _ and \.\)/,
  },
  {
    what: 'missing token',
    set: {},
    unset: ['sentry-auth-token'],
    input: 'sentry-auth-token',
    allowed: /is required: set the input or the SENTRY_AUTH_TOKEN env variable/,
  },
  { what: 'missing release, no GITHUB_SHA', set: {}, unset: ['release'], input: 'release', allowed: /is required: .*GITHUB_SHA/ },
  { what: 'release with a space', set: { release: 'shop web' }, input: 'release', allowed: RELEASE },
  { what: 'release with a slash', set: { release: 'shop/2.0' }, input: 'release', allowed: RELEASE },
  { what: 'release ".."', set: { release: '..' }, input: 'release', allowed: RELEASE },
  { what: 'release "latest"', set: { release: 'Latest' }, input: 'release', allowed: RELEASE },
  { what: 'release of 201 characters', set: { release: 'r'.repeat(201) }, input: 'release', allowed: RELEASE },
  { what: 'release with a newline', set: { release: 'shop@2.0\n::error::forged' }, input: 'release', allowed: RELEASE },
  { what: 'release with an ANSI escape', set: { release: 'shop@2.0\u001b[31m' }, input: 'release', allowed: RELEASE },
  { what: 'release that is a workflow command', set: { release: '::error::x' }, input: 'release', allowed: RELEASE },
  { what: 'release with a bidi override', set: { release: 'shop@2.0\u202e1.0' }, input: 'release', allowed: RELEASE },
  { what: 'release with shell characters', set: { release: 'shop@$(curl evil)' }, input: 'release', allowed: RELEASE },
  { what: 'environment with a slash', set: { environment: 'prod/eu' }, input: 'environment', allowed: ENVIRONMENT },
  { what: 'environment with a newline', set: { environment: 'prod\n::error::x' }, input: 'environment', allowed: ENVIRONMENT },
  { what: 'environment with a control character', set: { environment: 'prod\u0007' }, input: 'environment', allowed: ENVIRONMENT },
  { what: 'environment "none"', set: { environment: 'none' }, input: 'environment', allowed: ENVIRONMENT },
  { what: 'rollback-ref with a newline', set: { 'rollback-ref': 'main\n::error::x' }, input: 'rollback-ref', allowed: GIT_REF },
  { what: 'rollback-ref with an ANSI escape', set: { 'rollback-ref': 'main\u001b[2J' }, input: 'rollback-ref', allowed: GIT_REF },
  { what: 'rollback-ref that is a workflow command', set: { 'rollback-ref': '::error::x' }, input: 'rollback-ref', allowed: GIT_REF },
  { what: 'rollback-ref with ".."', set: { 'rollback-ref': 'main..dev' }, input: 'rollback-ref', allowed: GIT_REF },
  { what: 'negative min-sessions', set: { 'min-sessions': '-1' }, input: 'min-sessions', allowed: COUNT },
  { what: 'fractional max-new-issue-users', set: { 'max-new-issue-users': '2.5' }, input: 'max-new-issue-users', allowed: COUNT },
  { what: 'previous-commit not a sha', set: { 'previous-commit': 'main' }, input: 'previous-commit', allowed: /expected a commit sha \(7 to 40 hex digits\)/ },
  {
    what: 'rollback-workflow without .yml',
    set: { 'rollback-workflow': 'rollback' },
    input: 'rollback-workflow',
    allowed: /expected a workflow file name such as rollback\.yml, or a workflow id/,
  },
  {
    what: 'deployment id 0',
    set: { 'github-deployment-id': '0' },
    input: 'github-deployment-id',
    allowed: /expected a deployment id \(a positive whole number up to 9007199254740991\)/,
  },
  {
    what: 'deployment id above 2^53',
    set: { 'github-deployment-id': '9007199254740993' },
    input: 'github-deployment-id',
    allowed: /expected a deployment id \(a positive whole number up to 9007199254740991\)/,
  },
  {
    what: 'increase without baseline',
    set: { 'max-crash-rate-increase': '0.01' },
    input: 'max-crash-rate-increase',
    allowed: /only applies with baseline: previous-release/,
  },
  { what: 'every check off', set: { 'min-crash-free-users': 'off' }, input: 'min-crash-free-users', allowed: /every check is off: set at least one of/ },
  { what: 'nothing to do', set: { register: 'false', gate: 'false' }, input: 'gate', allowed: /register and gate are both false/ },
];
