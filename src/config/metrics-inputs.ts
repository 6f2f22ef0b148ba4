import * as z from 'zod';
import { checksField, type MetricCheck } from './checks';
import { headerSecrets, httpUrl, tokenProblem } from './fields';

/**
 * The inputs of the metrics sources (issue #15): Prometheus (and what speaks
 * its query API: Mimir, Thanos, VictoriaMetrics, Cortex) and Datadog, and the
 * `checks` they serve. Spread into inputsSchema.
 */

type Ctx = z.core.$RefinementCtx<string | undefined>;
const raw = z.string().optional();
const unset = (v: string | undefined): v is undefined | '' => v === undefined || v.trim() === '';

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
// What the HTTP layer sets itself, or what would change how the request is framed.
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'content-type',
  'accept',
  'user-agent',
  'upgrade',
  'keep-alive',
  'te',
  'trailer',
  'expect',
]);

/**
 * `Name: value`, one a line (Mimir's `X-Scope-OrgID`, `Authorization: Bearer ...`).
 * Values are secrets: a problem names the line, never shows it.
 */
export function headersField() {
  return raw.transform((v, ctx): Record<string, string> => {
    if (unset(v)) return {};
    const out: Record<string, string> = {};
    const lines = v.split(/\r\n|\n|\r/);
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      const value = colon > 0 ? line.slice(colon + 1).trim() : '';
      if (!HEADER_NAME.test(name) || value === '') return fail(ctx, `line ${i + 1}: expected "Name: value" (a header name, a colon, a value), one a line`);
      if (RESERVED.has(name.toLowerCase()))
        return fail(ctx, `line ${i + 1}: ${name} is set by the gate itself: expected other headers (X-Scope-OrgID, Authorization, ...)`);
      if (!/^[\x20-\x7e]+$/.test(value))
        return fail(ctx, `line ${i + 1}: the value has a character a header cannot carry: expected printable ASCII on one line`);
      if (name.toLowerCase() in out) return fail(ctx, `line ${i + 1}: ${name} is given twice`);
      out[name.toLowerCase()] = value;
    }
    return out;
  });
}

/** Datadog's sites and where their API is. */
export const DATADOG_SITE_FORM =
  'expected a Datadog site such as datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com, or the full https:// URL of its API';

/** `datadoghq.eu` → `https://api.datadoghq.eu`; a full URL is kept (a proxy, a test stub). Null when it is neither. */
export function datadogApiBase(site: string): string | null {
  const s = site.trim().toLowerCase().replace(/\/+$/, '');
  const m = /^(?:app\.|api\.)?((?:[a-z0-9]+\.)?(?:datadoghq\.com|datadoghq\.eu|ddog-gov\.com))$/.exec(s);
  if (m) return `https://api.${m[1]}`;
  if (!/^https?:\/\//.test(s)) return null;
  try {
    const url = new URL(site.trim());
    if (url.username || url.password || url.search || url.hash) return null;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

function siteField(fallback: string) {
  return raw.transform((v, ctx): string => {
    const site = unset(v) ? fallback : v.trim();
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(site)) return fail(ctx, DATADOG_SITE_FORM);
    return datadogApiBase(site) ?? fail(ctx, DATADOG_SITE_FORM);
  });
}

function keyField() {
  return raw.transform((v, ctx): string | null => {
    if (unset(v)) return null;
    const problem = tokenProblem(v.trim());
    return problem ? fail(ctx, problem) : v.trim();
  });
}

/** Spread into inputsSchema: these fields sit right after dashboard-url in action.yml. */
export const metricsInputs = {
  'prometheus-url': httpUrl(null),
  'prometheus-headers': headersField(),
  'datadog-site': siteField('datadoghq.com'),
  'datadog-api-key': keyField(),
  'datadog-app-key': keyField(),
  checks: checksField(),
};

/** Env variables Datadog's own tools read. */
export const METRICS_ENV_FALLBACKS = {
  'datadog-site': ['DD_SITE'],
  'datadog-api-key': ['DD_API_KEY'],
  'datadog-app-key': ['DD_APP_KEY'],
};

/** Inputs whose values are never shown (secrets), and `checks`, too long to quote in one line. */
export const METRICS_SECRET_INPUTS = ['prometheus-headers', 'datadog-api-key', 'datadog-app-key'] as const;
export const METRICS_UNQUOTED_INPUTS = ['checks'] as const;

interface MetricsValues {
  'prometheus-url': string | null;
  'prometheus-headers': Record<string, string>;
  'datadog-api-key': string | null;
  'datadog-app-key': string | null;
  checks: MetricCheck[];
}

/** The values no output may contain: header values (and a Basic header's decoded password) and Datadog's keys. */
export function metricsSecrets(c: Pick<MetricsValues, 'prometheus-headers' | 'datadog-api-key' | 'datadog-app-key'>): string[] {
  return [...Object.values(c['prometheus-headers']).flatMap(headerSecrets), c['datadog-api-key'] ?? '', c['datadog-app-key'] ?? ''].filter(Boolean);
}

/** A check whose source lacks its URL or keys: [input, message] for the first, before any request. */
export function metricsInputProblems(c: MetricsValues): [string, string][] {
  const problems: [string, string][] = [];
  const first = (source: string) => c.checks.find((k) => k.source === source);
  const prom = first('prometheus');
  if (prom && c['prometheus-url'] === null)
    problems.push([
      'checks',
      `check "${prom.id}", field source: prometheus needs the prometheus-url input (the base URL of a Prometheus-compatible query API)`,
    ]);
  const dd = first('datadog');
  if (dd && c['datadog-api-key'] === null)
    problems.push(['checks', `check "${dd.id}", field source: datadog needs the datadog-api-key input or the DD_API_KEY env variable`]);
  else if (dd && c['datadog-app-key'] === null)
    problems.push(['checks', `check "${dd.id}", field source: datadog needs the datadog-app-key input or the DD_APP_KEY env variable`]);
  return problems;
}

/** The inputs that connect Sentry: a gate on metrics alone sets none of them. */
const SENTRY_CONNECTION = ['sentry-auth-token', 'sentry-org', 'sentry-projects'] as const;

/**
 * A Prometheus-only or Datadog-only gate: `checks` set and no Sentry input
 * (nor its env variable). Then nothing is registered and Sentry's checks are
 * off; setting some Sentry inputs but not all still names what is missing.
 */
export function isSentryless(raw: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(raw.checks?.trim()) && SENTRY_CONNECTION.every((name) => !raw[name]?.trim());
}

/** Stand-ins that pass the Sentry inputs' validation in a gate without Sentry; `sentryless` clears them after. */
export const SENTRYLESS_STANDINS: Record<(typeof SENTRY_CONNECTION)[number], string> = {
  'sentry-auth-token': 'unused',
  'sentry-org': 'unused',
  'sentry-projects': 'unused',
};

/** The parsed inputs of a gate without Sentry: no connection, no registration, none of Sentry's checks. */
export function sentryless<
  T extends {
    'sentry-auth-token': string;
    'sentry-org': string;
    'sentry-projects': string[];
    register: boolean;
    'min-crash-free-users': number | null;
    'min-crash-free-sessions': number | null;
    'max-error-rate': number | null;
    'max-new-issue-users': number | null;
  },
>(inputs: T): T {
  return {
    ...inputs,
    'sentry-auth-token': '',
    'sentry-org': '',
    'sentry-projects': [],
    register: false,
    'min-crash-free-users': null,
    'min-crash-free-sessions': null,
    'max-error-rate': null,
    'max-new-issue-users': null,
  };
}

/**
 * Sentry's checks set in a gate without Sentry: each would be dropped, and a
 * user who asked for it would believe it was made. min-crash-free-users is
 * named only when it differs from its default (action.yml always sends that).
 */
export function sentryChecksWithoutSentry(inputs: {
  'min-crash-free-users': number | null;
  'min-crash-free-sessions': number | null;
  'max-error-rate': number | null;
  'max-new-issue-users': number | null;
  baseline: string;
}): [string, string][] {
  const set: string[] = [];
  if (inputs['min-crash-free-users'] !== null && inputs['min-crash-free-users'] !== 0.97) set.push('min-crash-free-users');
  for (const name of ['min-crash-free-sessions', 'max-error-rate', 'max-new-issue-users'] as const) if (inputs[name] !== null) set.push(name);
  if (inputs.baseline !== 'none') set.push('baseline');
  return set.map((name) => [
    name,
    'is a check on Sentry data, and this gate has checks but no Sentry inputs: set sentry-auth-token, sentry-org and sentry-projects to make it, or remove it',
  ]);
}

/** Whether the run talks to Sentry (false: a gate on metrics checks alone). */
export const usesSentry = (inputs: { 'sentry-projects': readonly string[] }): boolean => inputs['sentry-projects'].length > 0;
