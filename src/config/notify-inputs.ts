import * as z from 'zod';
import { headerSecrets, httpUrl, text, tokenProblem } from './fields';

/** The verdicts a notification can be sent for, in the order they are listed. */
export const NOTIFY_VERDICTS = ['fail', 'inconclusive', 'pass'] as const;
export type NotifyVerdict = (typeof NOTIFY_VERDICTS)[number];

const raw = z.string().optional();

/** `fail, inconclusive` (commas, spaces or newlines): the verdicts that notify. */
function verdictList(fallback: NotifyVerdict[]) {
  return raw.transform((v, ctx): NotifyVerdict[] => {
    const items = (v ?? '')
      .split(/[\s,]+/)
      .map((s) => s.toLowerCase())
      .filter(Boolean);
    if (items.length === 0) return fallback;
    if (items.length === 1 && ['none', 'off'].includes(items[0]!)) return [];
    const bad = [...new Set(items.filter((i) => !(NOTIFY_VERDICTS as readonly string[]).includes(i)))];
    if (bad.length > 0) {
      // Each value that is not a verdict, by name (none of it is secret), quoted so a stray comma or space shows.
      const named = bad.slice(0, 5).map((b) => JSON.stringify(b.slice(0, 40)));
      const what = bad.length === 1 ? `${named[0]} is not a verdict` : `${named.join(', ')}${bad.length > 5 ? ' and more' : ''} are not verdicts`;
      const none = bad.some((b) => ['none', 'off'].includes(b)) ? ' (none stands alone)' : '';
      ctx.addIssue({ code: 'custom', message: `${what}${none}: expected a list of ${NOTIFY_VERDICTS.join(', ')} (or none)` });
      return z.NEVER as never;
    }
    return NOTIFY_VERDICTS.filter((x) => items.includes(x));
  });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers the client sets itself, or that would change how the request travels.
const RESERVED = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'user-agent', 'accept']);

/** One `Name: value` a line, for Alertmanager (a token or basic auth): the values are secrets, never shown. */
function headerLines() {
  return raw.transform((v, ctx): [string, string][] => {
    const lines = (v ?? '')
      .split(/\r\n|\n|\r/)
      .map((l) => l.trim())
      .filter(Boolean);
    const out: [string, string][] = [];
    for (const [i, line] of lines.entries()) {
      const at = line.indexOf(':');
      const name = at > 0 ? line.slice(0, at).trim() : '';
      const value = at > 0 ? line.slice(at + 1).trim() : '';
      const problem = !HEADER_NAME.test(name)
        ? 'is not "Name: value" with a header name of letters, digits and -'
        : RESERVED.has(name.toLowerCase())
          ? `sets ${name}, which the action sets itself`
          : !/^[\x20-\x7e]+$/.test(value)
            ? 'has an empty value or one with characters a header cannot carry (printable ASCII only)'
            : null;
      if (problem) {
        // The line number, never the line: its value is a secret.
        ctx.addIssue({ code: 'custom', message: `line ${i + 1} ${problem}: expected one "Name: value" a line, such as Authorization: Bearer <token>` });
        return z.NEVER as never;
      }
      out.push([name, value]);
    }
    return out;
  });
}

/** A base URL without a trailing slash (the notifier adds the API path). */
const baseUrl = <D extends string | null>(fallback: D) => httpUrl(fallback).transform((v) => (v === null ? v : v.replace(/\/+$/, '')) as D | string);

/** The notifier inputs (issue #16), spread into inputsSchema. */
export const notifyInputs = {
  'pagerduty-routing-key': text(null, tokenProblem),
  'pagerduty-url': baseUrl('https://events.pagerduty.com'),
  'slack-webhook-url': httpUrl(null),
  'alertmanager-url': baseUrl(null),
  'alertmanager-headers': headerLines(),
  'notify-on': verdictList(['fail']),
};

export const NOTIFY_ENV_FALLBACKS = {
  'pagerduty-routing-key': ['PAGERDUTY_ROUTING_KEY'],
  'slack-webhook-url': ['SLACK_WEBHOOK_URL'],
};

/** Inputs whose whole value is a secret: never shown in a configuration error. */
export const NOTIFY_SECRET_INPUTS = ['pagerduty-routing-key', 'slack-webhook-url', 'alertmanager-headers'] as const;

/**
 * What of the notifier inputs no output may contain. The Slack URL's secret
 * is its path (T…/B…/token): its scheme and host are in every link, and
 * redacting any 8 characters of them would blank every URL.
 */
export function notifySecrets(inputs: {
  'pagerduty-routing-key': string | null;
  'slack-webhook-url': string | null;
  'alertmanager-headers': [string, string][];
}): string[] {
  const out: string[] = [];
  if (inputs['pagerduty-routing-key']) out.push(inputs['pagerduty-routing-key']);
  const slack = inputs['slack-webhook-url'];
  if (slack) {
    const url = new URL(slack);
    const path = `${url.pathname.replace(/^\/(services\/)?/, '')}${url.search}`;
    if (path.length >= 4) out.push(path);
  }
  for (const [, value] of inputs['alertmanager-headers']) out.push(...headerSecrets(value));
  return out;
}
