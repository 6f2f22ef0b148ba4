/**
 * The `rel="next"` target of an RFC 8288 Link header (Bugsnag's pagination),
 * as a path relative to `baseUrl`, or null. A target elsewhere (another
 * host, another base path) is not followed: the token would go with it.
 */
export function nextPage(link: string | string[] | undefined, baseUrl: string): string | null {
  const header = Array.isArray(link) ? link.join(',') : link;
  if (!header || header.length > 8192) return null;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!m || !/\brel\s*=\s*"?next"?/i.test(m[2] as string)) continue;
    let url: URL;
    try {
      url = new URL(m[1] as string, baseUrl);
    } catch {
      return null;
    }
    const base = new URL(baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    if (url.origin !== base.origin || !url.pathname.startsWith(`${prefix}/`)) return null;
    return url.pathname.slice(prefix.length) + url.search;
  }
  return null;
}
