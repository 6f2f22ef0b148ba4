const SAAS_HOST = /^(?:(?:us|de)\.)?sentry\.io$/;

/** The API prefix: sentry-cli builds `{base}/api/0/{path}` for SaaS, regions and self-hosted alike. */
export function apiBase(sentryUrl: string): string {
  return `${sentryUrl.replace(/\/+$/, '')}/api/0`;
}

/**
 * The release page for people. On sentry.io (and its regional API hosts) the
 * UI lives on the organization's subdomain; self-hosted keeps the org in the path.
 */
export function releasePageUrl(sentryUrl: string, org: string, version: string, projectId?: string, environment?: string): string {
  const url = new URL(sentryUrl);
  const path = `releases/${encodeURIComponent(version)}/`;
  const page = SAAS_HOST.test(url.hostname)
    ? new URL(`https://${org}.sentry.io/${path}`)
    : new URL(`${url.origin}${url.pathname.replace(/\/+$/, '')}/organizations/${encodeURIComponent(org)}/${path}`);
  if (projectId) page.searchParams.set('project', projectId);
  if (environment) page.searchParams.set('environment', environment);
  return page.toString();
}
