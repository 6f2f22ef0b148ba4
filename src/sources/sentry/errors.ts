import { HttpError } from '../../http/errors';
import { TrackerSetupError } from '../errors';

export const TOKEN_SCOPES = 'project:releases, org:read and event:read';

/**
 * Turns a final HTTP status into one line a user can act on. Everything else
 * (network errors, 5xx after retries, malformed bodies) passes through as is:
 * the watch loop treats those as a skipped poll.
 */
export function explainSentryError(error: unknown, ctx: { what: string; org: string; baseUrl: string; projects: string[] }): unknown {
  if (!(error instanceof HttpError)) return error;
  const { status, body } = error;
  switch (status) {
    case 401:
      return new TrackerSetupError(
        `Sentry rejected the auth token while ${ctx.what} (HTTP 401): check sentry-auth-token; it needs the scopes ${TOKEN_SCOPES}.`,
      );
    case 403:
      return new TrackerSetupError(
        `Sentry refused ${ctx.what} (HTTP 403): the token lacks a scope or access to organization "${ctx.org}"; it needs ${TOKEN_SCOPES}.`,
      );
    case 404:
      return new TrackerSetupError(
        `Sentry answered 404 while ${ctx.what}: organization "${ctx.org}" or the resource was not found at ${ctx.baseUrl}. Check sentry-org and sentry-url (sentry.io, a region such as https://de.sentry.io, or your self-hosted URL).`,
      );
    case 400:
      if (/project/i.test(body)) {
        return new TrackerSetupError(
          `Sentry refused ${ctx.what} (HTTP 400): it does not know one of the projects ${ctx.projects.join(', ')} in organization "${ctx.org}" (${body}).`,
        );
      }
      return new TrackerSetupError(`Sentry refused ${ctx.what} (HTTP 400): ${body}`);
    default:
      return error;
  }
}
