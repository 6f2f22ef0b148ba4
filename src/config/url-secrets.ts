/**
 * Credentials written into a URL input. Some services take a token in the
 * query (`?token=…`, `?api_key=…`, Grafana Cloud's and many proxies'
 * `?access_token=…`) or in the userinfo; the input itself is not a secret
 * input (its host and path appear in links and errors), so the credential
 * in it is picked out and treated as a secret: masked by the runner and
 * redacted from everything shown, as the Slack webhook's path is.
 */

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

/** A parameter name that says its value authenticates. */
const CREDENTIAL_NAME = /tok|key|secret|pass|pwd|auth|sig|cred|session|jwt|bearer|code/i;
/** A value that looks like a random token whatever its name: long, letters and digits mixed. */
const TOKEN_LIKE = /^(?=.*\d)(?=.*[A-Za-z])[\w.~+/=-]{16,}$/;

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
 * whose name says it authenticates or which looks like a token. Read with
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
    else out.push(...forms(userinfo), ...forms(userinfo.slice(colon + 1)));
  }
  const rest = value.replace(/^[^?#]*/, '');
  for (const m of rest.matchAll(/[?#&;]([^=&#;\s]*)=([^&#;\s]*)/g)) {
    const [, name = '', raw = ''] = m;
    if (CREDENTIAL_NAME.test(decoded(name)) || TOKEN_LIKE.test(decoded(raw))) out.push(...forms(raw));
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
