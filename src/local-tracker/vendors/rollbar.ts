import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback stand-in for the parts of Rollbar's REST API the gate calls,
 * built from the vendor's reference (https://docs.rollbar.com/reference and
 * https://docs.rollbar.com/docs/decision-support-with-versions-api):
 *  - the token in `X-Rollbar-Access-Token`, scoped read / write /
 *    post_server_item; a bad one answers 401 {"err": 1, "message": "invalid access token"},
 *    a missing scope 403 with the same shape;
 *  - POST /api/1/deploy → {"data": {"deploy_id": N}}; PATCH /api/1/deploy/{id}
 *    → {"err": 0, "result": {…}}; GET /api/1/deploys?page=N (20 a page, newest first);
 *  - GET /api/1/versions/{version}?environment= (404 for a version no
 *    occurrence named) and /versions/{version}/items?environment=&event=new;
 *  - GET /api/1/reports/occurrence_counts?environment=&bucket_size=60 →
 *    [[bucket start (epoch s), count], …] for the last 24 hours;
 *  - 429 with X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset
 *    and X-Rate-Limit-Remaining-Seconds.
 * The demo (`demo --tracker rollbar`) serves it on a simulated clock; the tests
 * (test/helpers/rollbar-stub.ts) start it as a stub.
 */

export interface RollbarStubDeploy {
  id: number;
  environment: string;
  revision: string;
  comment?: string;
  local_username?: string;
  status: string;
  /** epoch s */
  start_time: number;
  finish_time?: number;
}

export interface RollbarStubItem {
  id: number;
  counter: number;
  title: string;
  total_occurrences: number;
  version: string;
  environment?: string;
  /** epoch s of the first occurrence; none when unset. */
  firstSeen?: number;
}

export interface RollbarStubOptions {
  /** Tokens and their scopes. */
  tokens: Record<string, ('read' | 'write' | 'post_server_item')[]>;
  deploys?: RollbarStubDeploy[];
  items?: RollbarStubItem[];
  /** Errors per minute in a minute starting at `t` (ms); default none. */
  errorsPerMinute?: (t: number) => number;
  rateLimited?: number;
  /** Every read (GET) answers 503; deploys can still be recorded. */
  outage?: boolean;
  /** Answers a request with this status and raw body instead (a hostile or broken server), when it returns one. */
  answer?: (method: string, path: string) => { status: number; body: string } | null;
  /** The server's clock (epoch ms); the demo's is simulated. Default Date.now. */
  now?: () => number;
}

export interface RecordedRollbarRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  token: 'valid' | 'invalid' | 'missing';
  /** Whether the token was sent anywhere but the header (query, body). */
  tokenElsewhere: boolean;
}

export interface RollbarStub {
  url: string;
  requests: RecordedRollbarRequest[];
  deploys: RollbarStubDeploy[];
  options: RollbarStubOptions;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startRollbarStub(options: RollbarStubOptions): Promise<RollbarStub> {
  const requests: RecordedRollbarRequest[] = [];
  const deploys = [...(options.deploys ?? [])];
  let nextId = 1000 + deploys.length;
  let limited = options.rateLimited ?? 0;
  const clock = options.now ?? Date.now;

  const fail = (res: ServerResponse, status: number, message: string) => send(res, status, { err: 1, message });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return fail(res, 400, 'Invalid JSON in request body');
    }
    const header = req.headers['x-rollbar-access-token'];
    const scopes = typeof header === 'string' ? options.tokens[header] : undefined;
    const token = header === undefined ? 'missing' : scopes ? 'valid' : 'invalid';
    const tokenElsewhere = Object.keys(options.tokens).some((t) => raw.includes(t) || u.search.includes(t));
    requests.push({ method: req.method ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), body, token, tokenElsewhere });

    const forced = options.answer?.(req.method ?? '', u.pathname);
    if (forced) {
      res.writeHead(forced.status, { 'content-type': 'application/json' });
      res.end(forced.body);
      return;
    }
    if (!scopes) return fail(res, 401, 'invalid access token');
    if (options.outage && req.method === 'GET') return send(res, 503, { err: 1, message: 'Service temporarily unavailable' });
    if (limited > 0) {
      limited -= 1;
      const reset = Math.ceil(clock() / 1000) + 1;
      return send(
        res,
        429,
        { err: 1, message: 'rate limit exceeded' },
        { 'x-rate-limit-limit': '5000', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset), 'x-rate-limit-remaining-seconds': '1' },
      );
    }
    const canWrite = scopes.includes('write') || scopes.includes('post_server_item');
    const canRead = scopes.includes('read');
    const p = u.pathname.replace(/\/+$/, '');

    if (req.method === 'POST' && p === '/api/1/deploy') {
      if (!canWrite) return fail(res, 403, 'insufficient privileges: post_server_item or write scope is required');
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.environment !== 'string' || typeof b.revision !== 'string') return fail(res, 422, 'environment and revision are required');
      const now = Math.floor(clock() / 1000);
      const id = nextId++;
      deploys.unshift({
        id,
        environment: b.environment,
        revision: b.revision,
        comment: typeof b.comment === 'string' ? b.comment : '',
        local_username: typeof b.local_username === 'string' ? b.local_username : '',
        status: typeof b.status === 'string' ? b.status : 'succeeded',
        start_time: now,
        ...(b.status === 'started' ? {} : { finish_time: now }),
      });
      return send(res, 200, { data: { deploy_id: id } });
    }
    const patch = /^\/api\/1\/deploy\/(\d+)$/.exec(p);
    if (req.method === 'PATCH' && patch) {
      if (!canWrite) return fail(res, 403, 'insufficient privileges: post_server_item or write scope is required');
      const d = deploys.find((x) => x.id === Number(patch[1]));
      if (!d) return fail(res, 404, 'Deploy not found');
      const status = (body as { status?: unknown } | null)?.status;
      if (typeof status !== 'string' || !['started', 'succeeded', 'failed', 'timed_out'].includes(status)) return fail(res, 422, 'invalid status');
      d.status = status;
      d.finish_time = Math.floor(clock() / 1000);
      return send(res, 200, { err: 0, result: d });
    }
    if (!canRead) return fail(res, 403, 'insufficient privileges: read scope is required but the access token only has post_server_item');
    if (req.method === 'GET' && p === '/api/1/deploys') {
      const page = Math.max(1, Number(u.searchParams.get('page') ?? 1) || 1);
      const sorted = [...deploys].sort((a, b) => b.start_time - a.start_time);
      return send(res, 200, { err: 0, result: { deploys: sorted.slice((page - 1) * 20, page * 20), page } });
    }
    const version = /^\/api\/1\/versions\/([^/]+)(\/items)?$/.exec(p);
    if (req.method === 'GET' && version) {
      const v = decodeURIComponent(version[1] as string);
      const env = u.searchParams.get('environment') ?? 'production';
      const items = (options.items ?? []).filter((i) => i.version === v && (i.environment ?? 'production') === env);
      const known = items.length > 0 || deploys.some((d) => d.revision === v && d.environment === env);
      if (!known) return fail(res, 404, 'Version not found');
      if (!version[2]) return send(res, 200, { err: 0, result: { version: v, environment: env, item_stats: { new: { error: items.length } } } });
      if (u.searchParams.get('event') !== 'new') return send(res, 200, { err: 0, result: { items: [] } });
      return send(res, 200, {
        err: 0,
        result: {
          items: items.map((i) => ({
            id: i.id,
            counter: i.counter,
            title: i.title,
            level: 'error',
            total_occurrences: i.total_occurrences,
            environment: env,
            ...(i.firstSeen ? { first_occurrence_timestamp: i.firstSeen } : {}),
          })),
        },
      });
    }
    if (req.method === 'GET' && p === '/api/1/reports/occurrence_counts') {
      const bucket = Number(u.searchParams.get('bucket_size') ?? 86_400);
      if (bucket !== 60) return fail(res, 422, 'this stub serves bucket_size=60');
      const nowMin = Math.floor(clock() / 60_000) * 60_000;
      const result: [number, number][] = [];
      for (let t = nowMin - 24 * 60 * 60_000; t < nowMin; t += 60_000) result.push([t / 1000, Math.round(options.errorsPerMinute?.(t) ?? 0)]);
      return send(res, 200, { err: 0, result });
    }
    return fail(res, 404, 'Not found');
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { err: 1, message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deploys,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
