/** Request/response plumbing shared by the local tracker's handlers. */

export type Query = Record<string, string | string[]>;

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body && 'detail' in body ? String((body as { detail: unknown }).detail) : `HTTP ${status}`);
  }
}

export const detail = (status: number, text: string) => new HttpError(status, { detail: text });
export const notFound = () => detail(404, 'The requested resource does not exist');

export function parseQuery(params: URLSearchParams): Query {
  const out: Query = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Last value, like Django's QueryDict.get. */
export function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function many(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `10s`, `5m`, `1h`, `14d`, `2w` to seconds; undefined when it does not parse (like parse_stats_period). */
export function parsePeriod(text: string | undefined): number | undefined {
  const m = /^(\d+)([smhdw]?)$/.exec(text ?? '');
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/**
 * Offset pagination in Sentry's cursor format `value:offset:is_prev`, with the `Link` header
 * Sentry sends (both rel="previous" and rel="next", each with results="true|false").
 */
export function paginate<T>(items: T[], q: Query, selfUrl: URL, limitKey: 'per_page' | 'limit', max = 100): { page: T[]; link: string } {
  const requested = Number(one(q, limitKey) ?? max);
  if (!Number.isInteger(requested) || requested < 1) throw detail(400, `Invalid ${limitKey} parameter.`);
  const limit = Math.min(requested, max);
  const cursor = one(q, 'cursor');
  let offset = 0;
  // An empty cursor is no cursor (get_cursor_from_request); sentry-cli's first page sends `cursor=`.
  if (cursor !== undefined && cursor !== '') {
    const m = /^(\d+):(\d+):([01])$/.exec(cursor);
    if (!m) throw detail(400, 'Invalid cursor parameter.');
    offset = Number(m[2]);
  }
  const page = items.slice(offset, offset + limit);
  const link = (rel: string, off: number, isPrev: 0 | 1, results: boolean) => {
    const u = new URL(selfUrl);
    const c = `0:${off}:${isPrev}`;
    u.searchParams.set('cursor', c);
    return `<${u.toString()}>; rel="${rel}"; results="${results}"; cursor="${c}"`;
  };
  return {
    page,
    link: [link('previous', Math.max(0, offset - limit), 1, offset > 0), link('next', offset + limit, 0, offset + limit < items.length)].join(', '),
  };
}

/** Parses Sentry search text into key/value filters: `key:"quoted value"`, `key:value`, or free text. */
export function parseSearch(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const re = /(\S+?):"((?:[^"\\]|\\.)*)"|(\S+?):(\S+)|(\S+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) out.push({ key: m[1], value: m[2]!.replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) out.push({ key: m[3], value: m[4]! });
    else out.push({ key: '', value: m[5]! });
  }
  return out;
}
