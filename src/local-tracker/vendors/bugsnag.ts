import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback stand-in for the parts of Bugsnag the gate calls, built from
 * the vendor's published reference:
 *  - Build API, https://docs.bugsnag.com/api/build/ : POST / with a JSON body
 *    (apiKey, appVersion, releaseStage, builderName, sourceControl, metadata).
 *  - Data Access API v2, https://docs.bugsnag.com/api/data-access/ and
 *    https://bugsnagapiv2.docs.apiary.io/ : `Authorization: token …`,
 *    `X-Version: 2`; release groups (GET /projects/{id}/release_groups,
 *    GET /release_groups/{id}), builds (GET /projects/{id}/releases), errors
 *    (GET /projects/{id}/errors with filters[field][][type|value]); lists
 *    paged by per_page and a Link header (rel="next"); 401 and 429 (with
 *    Retry-After) answer `{"errors": [...]}`.
 * One server serves both hosts (bugsnag-url and bugsnag-build-url point at it).
 * The demo (`demo --tracker bugsnag`) serves it on a simulated clock; the tests
 * (test/helpers/bugsnag-stub.ts) start it as a stub.
 */

export interface BugsnagStubRelease {
  version: string;
  stage?: string;
  /** ms; the first build's time. */
  releasedAt: number;
  sessions: number;
  unhandledSessions: number;
  users?: number;
  usersWithUnhandled?: number;
}

export interface BugsnagStubError {
  id: string;
  errorClass: string;
  message: string;
  users: number;
  events: number;
  introducedIn: string;
  stage?: string;
  /** ms; now when unset. */
  firstSeen?: number;
}

export interface BugsnagStubOptions {
  apiKey: string;
  token: string;
  projectId: string;
  releases?: BugsnagStubRelease[];
  errors?: BugsnagStubError[];
  /** Counts given to a release group a build creates, as the SDK's sessions would fill it. */
  newReleaseHealth?: Omit<BugsnagStubRelease, 'version' | 'releasedAt' | 'stage'>;
  /** Page size cap of every list (to make the client follow Link). */
  maxPerPage?: number;
  /** Answer this many Data Access requests with 429 and Retry-After first. */
  rateLimited?: number;
  /** Release group lists ignore release_stage_name (a broken or hostile server): every stage's groups come back. */
  ignoreStageFilter?: boolean;
  /** Every Data Access request answers 503. */
  outage?: boolean;
  /** Answers a request with this status and raw body instead (a hostile or broken server), when it returns one. */
  answer?: (method: string, path: string) => { status: number; body: string } | null;
  /** The server's clock (epoch ms); the demo's is simulated. Default Date.now. */
  now?: () => number;
  /** Counts of a release group as of `now`, over its stored ones (the demo's sessions arriving over time). */
  healthAt?: (release: BugsnagStubRelease, now: number) => Partial<Omit<BugsnagStubRelease, 'version' | 'releasedAt' | 'stage'>>;
}

export interface RecordedBugsnagRequest {
  method: string;
  path: string;
  query: [string, string][];
  body: unknown;
  /** Header names and values, the credential's value replaced by whether it was right. */
  authorization: 'valid' | 'invalid' | 'missing';
  xVersion: string | undefined;
}

export interface BugsnagStub {
  url: string;
  requests: RecordedBugsnagRequest[];
  builds: Record<string, unknown>[];
  /** Mutable: a test can change counts between polls. */
  releases: BugsnagStubRelease[];
  options: BugsnagStubOptions;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Bugsnag's filter query: filters[field][][type]=eq & filters[field][][value]=…, paired in order. */
function filterValue(query: URLSearchParams, field: string): string | null {
  const types = query.getAll(`filters[${field}][][type]`);
  const values = query.getAll(`filters[${field}][][value]`);
  return types[0] === 'eq' && values[0] !== undefined ? values[0] : null;
}

export async function startBugsnagStub(options: BugsnagStubOptions): Promise<BugsnagStub> {
  const requests: RecordedBugsnagRequest[] = [];
  const releases = [...(options.releases ?? [])];
  const builds: Record<string, unknown>[] = [];
  let limited = options.rateLimited ?? 0;
  let nextId = 1;
  const now = options.now ?? Date.now;

  const groupOf = (stored: BugsnagStubRelease) => groupJson({ ...stored, ...options.healthAt?.(stored, now()) });
  const groupJson = (r: BugsnagStubRelease) => ({
    id: `rg_${r.version}_${r.stage ?? 'production'}`,
    project_id: options.projectId,
    release_stage_name: r.stage ?? 'production',
    app_version: r.version,
    first_released_at: new Date(r.releasedAt).toISOString(),
    first_release_id: `b_${r.version}`,
    releases_count: 1,
    visible: true,
    top_release_group: true,
    total_sessions_count: r.sessions,
    unhandled_sessions_count: r.unhandledSessions,
    sessions_count_in_last_24h: r.sessions,
    ...(r.users === undefined ? {} : { accumulative_daily_users_seen: r.users, accumulative_daily_users_with_unhandled: r.usersWithUnhandled ?? 0 }),
  });

  function page<T>(res: ServerResponse, base: string, u: URL, all: T[]): void {
    const per = Math.min(Number(u.searchParams.get('per_page') ?? 30) || 30, options.maxPerPage ?? 100);
    const offset = Number(u.searchParams.get('offset') ?? 0) || 0;
    const items = all.slice(offset, offset + per);
    const headers: Record<string, string> = { 'total-count': String(all.length) };
    if (offset + per < all.length) {
      const next = new URL(u.pathname, base);
      for (const [k, v] of u.searchParams) if (k !== 'offset') next.searchParams.append(k, v);
      next.searchParams.set('offset', String(offset + per));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    send(res, 200, items, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = `http://${req.headers.host}`;
    const u = new URL(req.url ?? '/', base);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(res, 400, { errors: ['Request body is not valid JSON'] });
    }
    const auth = req.headers.authorization;
    const authorization = auth === undefined ? 'missing' : auth === `token ${options.token}` ? 'valid' : 'invalid';
    const xVersion = typeof req.headers['x-version'] === 'string' ? req.headers['x-version'] : undefined;
    requests.push({ method: req.method ?? '', path: u.pathname, query: [...u.searchParams], body, authorization, xVersion });

    const forced = options.answer?.(req.method ?? '', u.pathname);
    if (forced) {
      res.writeHead(forced.status, { 'content-type': 'application/json' });
      res.end(forced.body);
      return;
    }
    // Build API
    if (req.method === 'POST' && u.pathname === '/') {
      const b = (body ?? {}) as Record<string, unknown>;
      if (b.apiKey !== options.apiKey) return send(res, 401, { errors: ['Invalid API key'] });
      if (typeof b.appVersion !== 'string' || !b.appVersion) return send(res, 400, { errors: ['appVersion is required'] });
      const stage = typeof b.releaseStage === 'string' ? b.releaseStage : 'production';
      const sc = (b.sourceControl ?? null) as Record<string, unknown> | null;
      builds.push({
        id: `b${nextId++}`,
        app_version: b.appVersion,
        release_time: new Date(now()).toISOString(),
        release_stage: { name: stage },
        builder_name: b.builderName ?? null,
        source_control: sc ? { service: sc.provider, revision: sc.revision } : null,
        metadata: b.metadata ?? {},
      });
      if (!releases.some((r) => r.version === b.appVersion && (r.stage ?? 'production') === stage)) {
        releases.push({ version: b.appVersion, stage, releasedAt: now(), ...(options.newReleaseHealth ?? { sessions: 0, unhandledSessions: 0 }) });
      }
      return send(res, 200, { status: 'ok' });
    }

    // Data Access API
    if (authorization !== 'valid') return send(res, 401, { errors: ['Unauthorized: the auth token is invalid'] });
    if (xVersion !== '2') return send(res, 400, { errors: ['X-Version header must be 2'] });
    if (options.outage) return send(res, 503, { errors: ['Service Unavailable'] });
    if (limited > 0) {
      limited -= 1;
      return send(res, 429, { errors: ['Rate limit exceeded'] }, { 'retry-after': '1' });
    }
    const project = `/projects/${options.projectId}`;
    if (u.pathname.startsWith('/projects/') && !u.pathname.startsWith(`${project}/`)) return send(res, 404, { errors: ['Project not found'] });
    if (req.method === 'GET' && u.pathname === `${project}/release_groups`) {
      const stage = u.searchParams.get('release_stage_name');
      if (!stage) return send(res, 400, { errors: ['release_stage_name is required'] });
      const groups = releases.filter((r) => options.ignoreStageFilter || (r.stage ?? 'production') === stage).sort((a, b) => b.releasedAt - a.releasedAt);
      return page(res, base, u, groups.map(groupOf));
    }
    const groupMatch = /^\/release_groups\/([^/]+)$/.exec(u.pathname);
    if (req.method === 'GET' && groupMatch) {
      const found = releases.find((r) => groupOf(r).id === decodeURIComponent(groupMatch[1] as string));
      return found ? send(res, 200, groupOf(found)) : send(res, 404, { errors: ['Release group not found'] });
    }
    if (req.method === 'GET' && u.pathname === `${project}/releases`) {
      const stage = u.searchParams.get('release_stage');
      return page(res, base, u, builds.filter((b) => !stage || (b.release_stage as { name: string }).name === stage).reverse());
    }
    if (req.method === 'GET' && u.pathname === `${project}/errors`) {
      const version = filterValue(u.searchParams, 'version.introduced_in');
      const stage = filterValue(u.searchParams, 'app.release_stage');
      const found = (options.errors ?? [])
        .filter((e) => (version === null || e.introducedIn === version) && (stage === null || (e.stage ?? 'production') === stage))
        .sort((a, b) => (u.searchParams.get('sort') === 'users' ? b.users - a.users : 0))
        .map((e) => ({
          id: e.id,
          error_class: e.errorClass,
          message: e.message,
          users: e.users,
          events: e.events,
          first_seen: new Date(e.firstSeen ?? now()).toISOString(),
          status: 'open',
        }));
      return page(res, base, u, found);
    }
    return send(res, 404, { errors: ['Not found'] });
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { errors: [String(err)] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    builds,
    releases,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
