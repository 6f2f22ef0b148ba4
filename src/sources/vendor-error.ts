import { HttpError } from '../http/errors';
import { sanitizedName } from '../config/names';
import { TrackerSetupError } from './errors';
import { ConfigError } from '../config/load';
import { oneLine } from '../util/text';

/**
 * The vendor's own words from an error body, when it has any: Bugsnag answers
 * `{"errors": ["…"]}`, Rollbar `{"err": 1, "message": "…"}`. Server text:
 * already redacted by the client, shown escaped, one line, short.
 */
export function vendorMessage(body: string): string {
  let said: unknown;
  try {
    const json = JSON.parse(body) as { errors?: unknown; message?: unknown; error?: unknown };
    said = Array.isArray(json.errors) ? json.errors[0] : (json.message ?? json.error ?? null);
  } catch {
    said = body;
  }
  return typeof said === 'string' && said.trim() ? sanitizedName(said.trim(), 120) : '';
}

export interface VendorContext {
  vendor: 'Bugsnag' | 'Rollbar';
  what: string;
  /** The input that holds the credential this request used. */
  tokenInput: string;
  /** What that credential must be or allow, for the 401/403 line. */
  needs: string;
  /** The inputs that locate the resource, for the 404 line. */
  where: string;
}

/**
 * A final 4xx as one line naming the input to fix (a TrackerSetupError ends
 * the run loudly); everything else (network, 5xx after retries, malformed
 * answers) passes through and counts as an outage.
 */
export function explainVendorError(error: unknown, ctx: VendorContext): unknown {
  if (!(error instanceof HttpError) || error.status === 429 || error.status >= 500 || error.status < 400) return error;
  const said = vendorMessage(error.body);
  const quoted = said ? `: "${said}"` : '';
  if (error.status === 401)
    return new TrackerSetupError(
      `${ctx.vendor} rejected ${ctx.tokenInput} while ${ctx.what} (HTTP 401${quoted}): check ${ctx.tokenInput}; it must be ${ctx.needs}.`,
    );
  if (error.status === 403)
    return new TrackerSetupError(`${ctx.vendor} refused ${ctx.what} (HTTP 403${quoted}): ${ctx.tokenInput} lacks access; it must be ${ctx.needs}.`);
  if (error.status === 404) return new TrackerSetupError(`${ctx.vendor} answered 404 while ${ctx.what}${quoted}: check ${ctx.where}.`);
  return new TrackerSetupError(`${ctx.vendor} refused ${ctx.what} (HTTP ${error.status}${quoted}).`);
}

/**
 * The first request never reached Bugsnag or Rollbar (DNS, refused, TLS, a
 * redirect, pages instead of JSON): the URL input is wrong, not an outage.
 */
export function unreachableTrackerError(tracker: string, input: string, url: string, detail: string): ConfigError {
  const vendor = tracker === 'bugsnag' ? 'Bugsnag' : 'Rollbar';
  const also = tracker === 'bugsnag' ? ' (or bugsnag-build-url, for the Build API)' : '';
  return new ConfigError(`Input ${input} ("${sanitizedName(url, 120)}")${also}: ${vendor}'s API could not be reached there (${oneLine(detail, 200)}).`);
}
