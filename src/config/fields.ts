import * as z from 'zod';
import { formatDuration, parseDuration } from './duration';

/**
 * Field parsers for raw input strings. Each takes the raw text (undefined or ''
 * means unset) and either returns a typed value or records one issue whose
 * message says what is allowed; the schema adds the input's name and value.
 */
type Ctx = z.core.$RefinementCtx<string | undefined>;

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

const raw = z.string().optional();
const isUnset = (v: string | undefined): v is undefined | '' => v === undefined || v.trim() === '';

export function text<D extends string | null>(fallback: D, check?: (v: string) => string | null) {
  return raw.transform((v, ctx): string | D => {
    if (isUnset(v)) return fallback;
    const value = v.trim();
    const problem = check?.(value);
    return problem ? fail(ctx, problem) : value;
  });
}

export function required(what: string, check?: (v: string) => string | null) {
  return raw.transform((v, ctx): string => {
    if (isUnset(v)) return fail(ctx, `is required: ${what}`);
    const value = v.trim();
    const problem = check?.(value);
    return problem ? fail(ctx, problem) : value;
  });
}

export function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return raw.transform((v, ctx): T[number] => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    return (values as readonly string[]).includes(value) ? (value as T[number]) : fail(ctx, `expected one of: ${values.join(', ')}`);
  });
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];
export function bool(fallback: boolean) {
  return raw.transform((v, ctx): boolean => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    if (TRUE.includes(value)) return true;
    if (FALSE.includes(value)) return false;
    return fail(ctx, 'expected true or false');
  });
}

/**
 * The longest duration any input takes. Node's timers overflow past 2^31-1 ms
 * (about 596 h) and fire at once; a day is far below that and longer than any
 * job a hosted runner lets live (6 h).
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

export function duration(fallback: string, minMs: number, maxMs = MAX_DURATION_MS) {
  return raw.transform((v, ctx): number => {
    const ms = parseDuration(isUnset(v) ? fallback : v);
    if (ms === null) return fail(ctx, 'expected a duration such as 90s, 10m, 1h or a whole number of seconds');
    if (ms < minMs) return fail(ctx, `must be at least ${minMs / 1000}s`);
    if (ms > maxMs) return fail(ctx, `must be at most ${formatDuration(maxMs)} (a duration such as 90s, 10m, 1h)`);
    return ms;
  });
}

/**
 * A rate written as a fraction (0.995) or a percentage (99.5%). A bare number
 * above 1 is refused rather than guessed: "99.5" could be a typo for either.
 */
function parseRate(v: string, ctx: Ctx, what: string): number {
  const fraction = readRate(v);
  if (fraction === null) return fail(ctx, `expected ${what} as a fraction such as 0.995 or a percentage such as 99.5%`);
  if (!(fraction > 0 && fraction < 1)) return fail(ctx, `must be between 0 and 1 (exclusive): ${what}`);
  return fraction;
}

/** A plain decimal fraction, or a percentage; null for anything else (1e-9, 0x1, Infinity, 99.5 without %). */
function readRate(v: string): number | null {
  const value = v.trim().toLowerCase();
  const percent = value.endsWith('%');
  const digits = percent ? value.slice(0, -1).trim() : value;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(digits)) return null;
  const num = Number(digits);
  if (!percent && num > 1) return null;
  return percent ? num / 100 : num;
}

/**
 * The confidence of a fail: 0.5 to 0.9999. Below a half a fail is more likely
 * wrong than right, and "0.95%" (0.0095) is a typo for 95%, not a choice.
 */
export function confidence(fallback: number) {
  return raw.transform((v, ctx): number => {
    if (isUnset(v)) return fallback;
    const value = readRate(v);
    if (value === null) return fail(ctx, 'expected the confidence of a fail as a fraction such as 0.95 or a percentage such as 95%');
    return value >= 0.5 && value <= 0.9999 ? value : fail(ctx, 'must be between 0.5 and 0.9999 (50% to 99.99%), such as 0.95 or 95%');
  });
}

/** A threshold that "off" (or "none") turns off. */
export function threshold(fallback: number | null, what: string) {
  return raw.transform((v, ctx): number | null => {
    if (isUnset(v)) return fallback;
    return ['off', 'none'].includes(v.trim().toLowerCase()) ? null : parseRate(v, ctx, what);
  });
}

export function count<D extends number | null>(fallback: D) {
  return raw.transform((v, ctx): number | D => {
    if (isUnset(v)) return fallback;
    const value = v.trim();
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return fail(ctx, 'expected a whole number, 0 or more');
    return Number(value);
  });
}

export function httpUrl<D extends string | null>(fallback: D) {
  return text(fallback, (v) => {
    // The URL parser drops tabs and line breaks, but the value shown is the one given.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(v)) return 'expected an http:// or https:// URL without spaces, line breaks or control characters';
    try {
      const url = new URL(v);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.username || url.password ? 'must not contain credentials' : null;
    } catch {
      // fall through to the message below
    }
    return 'expected an http:// or https:// URL';
  });
}

/**
 * The base URL of Sentry. A trailing slash or `/api/0` (what the API is
 * called at) is dropped, since every request adds `/api/0` itself; a query,
 * a fragment or an organization page's path would make every request 404.
 */
export const SENTRY_URL_FORM = 'expected the base URL of Sentry such as https://sentry.io, https://de.sentry.io or https://sentry.example.com';

export function sentryUrl(fallback: string) {
  const form = SENTRY_URL_FORM;
  return raw.transform((v, ctx): string => {
    if (isUnset(v)) return fallback;
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(v.trim())) return fail(ctx, `must not contain spaces, line breaks or control characters: ${form}`);
    let url: URL;
    try {
      url = new URL(v.trim());
    } catch {
      return fail(ctx, `${form} (an http:// or https:// URL)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(ctx, `${form} (an http:// or https:// URL)`);
    if (url.username || url.password) return fail(ctx, `must not contain credentials: ${form}`);
    if (url.search || url.hash || v.includes('?') || v.includes('#')) return fail(ctx, `must not have a query (?) or fragment (#): ${form}`);
    const path = url.pathname
      .replace(/\/+$/, '')
      .replace(/\/api\/0$/, '')
      .replace(/\/+$/, '');
    if (/\/(organizations|settings|issues|releases|api)(\/|$)/.test(path)) return fail(ctx, `is a page or API path, not the base URL: ${form}`);
    return `${url.origin}${path}`;
  });
}

/**
 * A token goes into the Authorization header: a line break or a control
 * character there makes every request fail before it is sent, so it is
 * refused here, naming the input (never showing the token).
 */
export const TOKEN_FORM = 'contains a space, line break or other character a token cannot have: expected the token alone, printable ASCII on one line';
export const tokenProblem = (v: string) => (/^[\x21-\x7e]+$/.test(v) ? null : TOKEN_FORM);

export function token(what: string) {
  return required(what, tokenProblem);
}

export function list(what: string) {
  return raw.transform((v, ctx): string[] => {
    const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
    if (items.length === 0) return fail(ctx, `is required: ${what}`);
    const bad = items.find((p) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p));
    if (bad !== undefined) return fail(ctx, `"${bad}" is not a project slug (letters, digits, -, _ and .)`);
    return [...new Set(items)];
  });
}

/**
 * A multiple above 1 written as "2x", "1.5x" or "2"; "off" (or "none") turns it off.
 */
export function multiple(fallback: number | null, what: string) {
  return raw.transform((v, ctx): number | null => {
    if (isUnset(v)) return fallback;
    const value = v.trim().toLowerCase();
    if (['off', 'none'].includes(value)) return null;
    const m = /^(\d+(?:\.\d+)?)\s*[x×]?$/.exec(value);
    const num = m ? Number(m[1]) : NaN;
    if (!(num > 1) || !Number.isFinite(num)) return fail(ctx, `expected ${what} as a multiple above 1 such as 2x or 1.5x, or off`);
    return num;
  });
}

/** Shortest piece of a header value that counts as a secret of its own. */
export const MIN_DERIVED_SECRET = 6;

/**
 * What of a header value no output may contain: the value, the credential
 * after its scheme ("Bearer xyz", "Basic abc"), and for Basic auth the decoded
 * "user:password" and the password alone. Base64 is only an encoding: a server
 * (a tenant gateway, a proxy) that says "password hunter2… rejected" gives the
 * secret away as plainly as the header would.
 */
export function headerSecrets(value: string): string[] {
  const derived: string[] = [];
  const credential = value.replace(/^\S+\s+/, '');
  if (credential !== value) derived.push(credential);
  const m = /^basic\s+([A-Za-z0-9+/_-]+={0,2})$/i.exec(value);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  // Not base64 of text: nothing a server could echo in a readable form.
  if (m && /^[^\p{Cc}]*$/u.test(decoded) && !decoded.includes('\ufffd')) {
    const at = decoded.indexOf(':');
    derived.push(decoded, ...(at >= 0 ? [decoded.slice(at + 1)] : []));
  }
  // The runner masks every secret wherever it occurs: the "b" of "X-Team: a b" would blank every b of the log.
  return [value, ...derived.filter((d) => d.length >= MIN_DERIVED_SECRET)];
}
