/**
 * Credentials written into a URL input. Some services take a token in the
 * query (`?token=…`, `?api_key=…`, Grafana Cloud's and many proxies'
 * `?access_token=…`) or in the userinfo; the input itself is not a secret
 * input (its host and path appear in links and errors), so the credential
 * in it is picked out and treated as a secret: masked by the runner and
 * redacted from everything shown, as the Slack webhook's path is.
 */
import { MIN_DERIVED_SECRET } from './fields';

/** Every input that holds a URL. */
export const URL_INPUTS = [
  'sentry-url',
  'pagerduty-url',
  'slack-webhook-url',
  'alertmanager-url',
  'prometheus-url',
  'bugsnag-url',
  'bugsnag-build-url',
  'rollbar-url',
  'runbook-url',
  'dashboard-url',
] as const;

/**
 * A word in a parameter name that says its value authenticates: `token`,
 * `access_token`, `private_token`, `api_key`, `apiKey`, `X-Amz-Signature`,
 * Azure's `sig`. Whole words only: a dashboard's `var-release` or `orgId` is
 * a link's state, and redacting it would blank the release name everywhere.
 */
const CREDENTIAL_WORDS = new Set([
  'token',
  'key',
  'apikey',
  'secret',
  'password',
  'passwd',
  'pass',
  'pwd',
  'auth',
  'authorization',
  'sig',
  'signature',
  'credential',
  'credentials',
  'jwt',
  'bearer',
  'session',
  'sessionid',
]);

function namesCredential(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    CREDENTIAL_WORDS.has(lower.replace(/[^a-z0-9]/g, '')) ||
    lower.split(/[^a-z0-9]+/).some((w) => CREDENTIAL_WORDS.has(w)) ||
    /(token|apikey|secret|password)$/.test(lower)
  );
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The raw and the decoded form, as a server may echo either. */
const forms = (s: string) => [s, decoded(s)];

/**
 * The secrets of one URL value: the userinfo (user:password, the password,
 * a user given alone, which is a token), and each query or fragment value
 * whose name says it authenticates. Read with
 * string patterns, not the URL parser, so a value the parser refuses (shown
 * in a configuration error) gives up its secrets too.
 */
export function urlSecrets(value: string | null | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  // The parser takes the last @ before the path as the end of the userinfo.
  const userinfo = /^[a-z][\w+.-]*:\/\/([^/?#\s]*)@/i.exec(value.trim())?.[1];
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    if (colon < 0) out.push(...forms(userinfo));
    // The password alone is a piece of the userinfo: a secret of its own from MIN_DERIVED_SECRET characters, as a Basic header's is.
    else out.push(...forms(userinfo), ...forms(userinfo.slice(colon + 1)).filter((p) => p.length >= MIN_DERIVED_SECRET));
  }
  const rest = value.replace(/^[^?#]*/, '');
  for (const m of rest.matchAll(/[?#&;]([^=&#;\s]*)=([^&#;\s]*)/g)) {
    const [, name = '', raw = ''] = m;
    if (namesCredential(decoded(name))) out.push(...forms(raw));
  }
  // A short value (a 3-letter word) would blank that word everywhere; the redactor ignores it anyway.
  return [...new Set(out)].filter((s) => s.length >= 4);
}

/** The URL secrets of every URL input of a configuration (raw strings or parsed inputs). */
export function urlInputSecrets(inputs: Partial<Record<string, unknown>>): string[] {
  return URL_INPUTS.flatMap((name) => {
    const v = inputs[name];
    return typeof v === 'string' ? urlSecrets(v) : [];
  });
}
