import { TrackerSetupError } from '../errors';

/** Organization auth tokens (Settings > Auth Tokens) start so (sentry/utils/security/orgauthtoken_token.py). */
const ORG_TOKEN_PREFIX = 'sntrys_';

export const GATE_TOKEN_ADVICE =
  'create a user auth token (User Settings > Personal Tokens) with project:releases, org:read and event:read, ' +
  'or an internal integration with Releases: Admin, Organization: Read and Issue & Event: Read';

/**
 * Sentry gives an organization token the one scope org:ci, which the release
 * and deploy endpoints accept and the sessions and issues endpoints do not:
 * with the gate on, such a token would register the release and then be
 * refused at the first poll. Say so before any request.
 */
export function checkTokenForGate(token: string, gate: boolean): void {
  if (!gate || !token.startsWith(ORG_TOKEN_PREFIX)) return;
  throw new TrackerSetupError(
    `sentry-auth-token is an organization auth token (sntrys_…): Sentry lets it create releases and deploys but not read sessions or issues, which the gate needs. For gate: true ${GATE_TOKEN_ADVICE}; an organization token only works with gate: false.`,
  );
}
