/**
 * A Sentry-compatible HTTP server on 127.0.0.1 for tests, the demo and the benchmark. It serves the
 * endpoints the action uses (see /shared/design.md, "Sentry endpoints"), with session and issue
 * data from what was sent to its envelope endpoint: by SDKs, and by a deterministic traffic
 * scenario's generator (scenario-traffic.ts); time comes from an injectable clock.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simClock } from './clock';
import { type Fault, FaultList, type Faults, faultResponse } from './faults';
import { HttpError, type Query, type Reply, detail, many, notFound, paginate, parseQuery } from './http';
import { ENVELOPE_PATH, Ingest, LIMITS } from './ingest';
import { ingestedIssueRows } from './ingest/rows';
import { createMetrics } from './metrics';
import { SDK_SCENARIO, sdkScenario } from './ingest/scenario';
import { type IssueRow, filterIssues, serializeIssue } from './issues';
import { createDeploy, createRelease, deleteRelease, getRelease, listReleases, previousWithCommits, releaseCommits, updateRelease } from './releases';
import { type Scenario, getScenario } from './scenarios';
import { ScenarioTraffic } from './scenario-traffic';
import { querySessions } from './sessions';
import { type ProjectRec, type ReleaseRec, type TrackerState, iso, serializeDeploy, serializeProject, serializeRelease, serializeRepo } from './store';
import { Traffic } from './traffic';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Query;
  body: unknown;
  /** Request headers, with the Authorization value replaced by `[redacted]`. */
  headers: Record<string, string | string[] | undefined>;
  /** Status sent; 0 when the connection was reset or left hanging. */
  status: number;
  /** Simulated time of the request (epoch ms). */
  at: number;
  /** Real time of the request (epoch ms), e.g. to check a client waited for a rate-limit reset. */
  receivedAt: number;
  fault?: Fault;
}

export interface LocalTrackerOptions {
  /** A scenario or its name (see listScenarios(); `sdk`: no invented traffic, only what SDKs send). Default `healthy`. */
  scenario?: Scenario | string;
  /** Expected bearer token. Default `local-token`. */
  token?: string;
  /** Simulated now (epoch ms). Default: Date.now, or a scaled clock when `timeScale` is given. */
  clock?: () => number;
  /** Shortcut for `clock: simClock({ timeScale }).now`: 60 makes one real second a simulated minute. */
  timeScale?: number;
  org?: string;
  /** Project slugs; traffic profile i of the scenario belongs to slug i. Default: the scenario's. */
  projects?: string[];
  /**
   * Real ms per scenario minute (default 60,000), for a client on the real
   * clock: 1,000 plays a 10-minute scenario in 10 s. Scales traffic times,
   * issue times and the ingestion delay; not the previous release's age.
   */
  minuteMs?: number;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Connected repository names. Default: the scenario's (`acme/shop`). */
  repos?: string[];
  /** Called once a request has been answered (or reset, or left hanging), e.g. to print a request log. */
  onRequest?: (request: LoggedRequest) => void;
  /** DSN public keys by project slug; default: random, printed by `tracker`. */
  dsnKeys?: Record<string, string>;
  /** Sees each envelope the scenario's traffic generator sends to the ingest (what an SDK would POST to the project's DSN). */
  onScenarioEnvelope?: (envelope: { projectId: number; body: Buffer }) => void;
}

export interface LocalTracker {
  /** http://127.0.0.1:PORT (no trailing slash): the `sentry-url` to give the action. */
  url: string;
  token: string;
  org: string;
  scenario: Scenario;
  requests: LoggedRequest[];
  state: TrackerState;
  faults: Faults;
  /** Simulated now (epoch ms). */
  now(): number;
  /** Numeric project id of a slug (what the sessions endpoint's `project` takes). */
  projectId(slug: string): number;
  /** What SDKs sent to `POST /api/{project_id}/envelope/` (envelopes are counted there, not kept in `requests`). */
  ingest: Ingest;
  /** One DSN per project, `http://<key>@127.0.0.1:<port>/<project_id>`. */
  dsns: { project: string; id: number; dsn: string }[];
  close(): Promise<void>;
}

const API = '/api/0/';
/** Prometheus's instant queries (no credentials, as Prometheus asks none), for scenarios with request traffic. */
const PROMETHEUS_QUERY = '/api/v1/query';
/** What the index endpoint reports for a token other than an organization token: the scopes the action documents. */
const TOKEN_SCOPES = ['org:read', 'project:releases', 'event:read'];

export async function startLocalTracker(opts: LocalTrackerOptions = {}): Promise<LocalTracker> {
  const scenario =
    typeof opts.scenario === 'object'
      ? structuredClone(opts.scenario)
      : opts.scenario === SDK_SCENARIO
        ? sdkScenario()
        : getScenario(opts.scenario ?? 'healthy');
  const token = opts.token ?? 'local-token';
  const clock = opts.clock ?? (opts.timeScale ? simClock({ timeScale: opts.timeScale }).now : Date.now);
  const org = opts.org ?? 'acme';
  const slugs = opts.projects ?? scenario.projectSlugs;
  const startedAt = clock();
  const minuteMs = opts.minuteMs ?? 60_000;
  const ingestionDelayMs = (scenario.ingestionDelaySec * 1000 * minuteMs) / 60_000;

  // Traffic profile i belongs to project i; extra projects reuse the last profile.
  const profiles = slugs.map((_, i) => scenario.projects[Math.min(i, scenario.projects.length - 1)]!);
  const traffic = new Traffic({ seed: scenario.seed, projects: profiles, minuteMs });
  const state: TrackerState = {
    org,
    environment: scenario.environment,
    projects: slugs.map((slug, i) => ({ id: 1001 + i, slug, platform: 'javascript' })),
    releases: new Map(),
    repos: (opts.repos ?? scenario.repos).map((name, i) => ({
      id: String(i + 1),
      name,
      url: `https://github.com/${name}`,
      dateCreated: iso(startedAt - 90 * 86_400_000),
    })),
  };
  seedPreviousRelease(state, scenario, startedAt);

  const ingest = new Ingest(state.projects, opts.dsnKeys);
  const faults = new FaultList();
  if (scenario.outage) faults.add({ status: 503, times: Infinity });
  const requests: LoggedRequest[] = [];
  let baseUrl = '';
  // A scenario with request traffic also speaks Prometheus's query API, at the same address.
  const metrics = scenario.requests ? createMetrics(scenario.requests, scenario.seed, state, clock, minuteMs) : undefined;

  const projectsFromQuery = (q: Query): ProjectRec[] => {
    const raw = many(q, 'project');
    if (raw.length === 0 || raw.includes('-1')) return state.projects;
    // Sentry's get_projects: ids only, and an id the token cannot see is a 403, not a 404.
    if (raw.some((v) => !/^-?\d+$/.test(v))) throw detail(400, 'Invalid project parameter. Values must be numbers.');
    const picked = raw.map((id) => state.projects.find((p) => p.id === Number(id)));
    if (picked.some((p) => !p)) throw detail(403, 'You do not have permission to perform this action.');
    return picked as ProjectRec[];
  };
  // get_environments() answers 404 when a requested environment has never been seen in the org.
  const checkEnvironments = (q: Query): void => {
    const known = new Set([state.environment, ...ingest.environments()]);
    for (const r of state.releases.values()) for (const d of r.deploys) known.add(d.environment);
    if (many(q, 'environment').some((e) => !known.has(e))) throw notFound();
  };
  const generator = new ScenarioTraffic({ state, scenario, traffic, ingest, minuteMs, ingestionDelayMs, baseUrl: () => baseUrl, tap: opts.onScenarioEnvelope });
  const allIssues = (now: number): IssueRow[] => {
    generator.issues(now);
    return ingestedIssueRows(state, ingest.issues, now);
  };
  const newGroups = (r: ReleaseRec) => (projectId: number) => allIssues(clock()).filter((i) => i.release === r && i.project.id === projectId).length;

  function route(method: string, parts: string[], q: Query, body: unknown, self: URL, userAgent: string | null): Reply {
    const now = clock();
    const [head, version, sub, ...rest] = parts;
    if (method === 'GET' && parts.length === 1 && ['releases', 'sessions', 'issues'].includes(head ?? '')) checkEnvironments(q);
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw detail(405, `Method "${method}" not allowed.`);
    };
    if (head === 'releases' && version === undefined) {
      allow('GET', 'POST');
      if (method === 'POST') {
        const { status, release } = createRelease(state, body, now, userAgent);
        return { status, body: serializeRelease(state, release, newGroups(release)) };
      }
      const { page, link } = paginate(listReleases(state, q, projectsFromQuery(q)), q, self, 'per_page');
      return { status: 200, body: page.map((r) => serializeRelease(state, r, newGroups(r))), headers: { Link: link } };
    }
    if (head === 'releases' && version !== undefined && sub === undefined) {
      allow('GET', 'PUT', 'DELETE');
      if (method === 'DELETE') {
        const r = getRelease(state, version);
        deleteRelease(
          state,
          version,
          state.projects.reduce((n, p) => n + newGroups(r)(p.id), 0),
        );
        return { status: 204, body: undefined };
      }
      const r = method === 'PUT' ? updateRelease(state, version, body) : getRelease(state, version);
      return { status: 200, body: serializeRelease(state, r, newGroups(r)) };
    }
    if (head === 'releases' && version !== undefined && sub === 'commits' && rest.length === 0) {
      allow('GET');
      const { page, link } = paginate(releaseCommits(state, getRelease(state, version)), q, self, 'per_page');
      return { status: 200, body: page, headers: { Link: link } };
    }
    if (head === 'releases' && version !== undefined && sub === 'previous-with-commits' && rest.length === 0) {
      allow('GET');
      const prev = previousWithCommits(state, getRelease(state, version));
      return { status: 200, body: prev ? serializeRelease(state, prev, newGroups(prev)) : {} };
    }
    if (head === 'releases' && version !== undefined && sub === 'deploys' && rest.length === 0) {
      allow('GET', 'POST');
      if (method === 'POST') {
        if (state.deployProjectsNeedAccess && body && typeof body === 'object' && 'projects' in body) {
          return { status: 400, body: { projects: ['Insufficient access to project'] } };
        }
        return { status: 201, body: serializeDeploy(createDeploy(state, version, body, now)) };
      }
      const deploys = [...getRelease(state, version).deploys].reverse();
      const { page, link } = paginate(deploys, q, self, 'per_page');
      return { status: 200, body: page.map(serializeDeploy), headers: { Link: link } };
    }
    if (parts.length === 1 && head === 'repos') {
      allow('GET');
      const text = (q.query as string | undefined)?.toLowerCase() ?? '';
      const { page, link } = paginate(
        state.repos.filter((r) => r.name.toLowerCase().includes(text)),
        q,
        self,
        'per_page',
      );
      return { status: 200, body: page.map(serializeRepo), headers: { Link: link } };
    }
    if (parts.length === 1 && head === 'projects') {
      allow('GET');
      const text = (q.query as string | undefined)?.toLowerCase() ?? '';
      const latest = (p: ProjectRec) =>
        [...state.releases.values()].filter((r) => r.projectIds.includes(p.id)).sort((a, b) => b.dateCreated - a.dateCreated)[0]?.version ?? null;
      const { page, link } = paginate(
        state.projects.filter((p) => p.slug.includes(text)),
        q,
        self,
        'per_page',
      );
      return {
        status: 200,
        body: page.map((p) => serializeProject(p, startedAt - 365 * 86_400_000, latest(p), state.environment)),
        headers: { Link: link },
      };
    }
    if (parts.length === 1 && head === 'sessions') {
      allow('GET');
      return {
        status: 200,
        body: querySessions(q, {
          state,
          now,
          minuteMs,
          projects: projectsFromQuery,
          prepare: (range) => generator.sessions(now, range),
          ingested: () => ingest.sessions.all(),
        }),
      };
    }
    if (parts.length === 1 && head === 'issues') {
      allow('GET');
      const rows = filterIssues(allIssues(now), q, projectsFromQuery(q));
      const { page, link } = paginate(rows, q, self, 'limit');
      return { status: 200, body: page.map((r) => serializeIssue(r, baseUrl, org)), headers: { Link: link } };
    }
    throw notFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const self = new URL(req.url ?? '/', baseUrl);
    const query = parseQuery(self.searchParams);
    const { raw: bytes, tooLarge } = await readBodyCapped(req, LIMITS.envelopeBytes);
    const raw = bytes.toString('utf8');
    const headers: LoggedRequest['headers'] = { ...req.headers };
    if (headers.authorization !== undefined) headers.authorization = '[redacted]';
    const entry: LoggedRequest = { method, path: self.pathname, query, body: undefined, headers, status: 0, at: clock(), receivedAt: Date.now() };
    requests.push(entry);
    if (opts.onRequest) res.once('close', () => opts.onRequest?.(entry));

    let body: unknown;
    let bodyError: HttpError | undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch (e) {
        bodyError = detail(400, `JSON parse error - ${(e as Error).message}`);
      }
    }
    entry.body = body ?? (raw.length > 0 ? raw : undefined);

    const fault = faults.take(method, self.pathname);
    if (fault) {
      entry.fault = fault;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.hang) return; // closed by close() through closeAllConnections()
      if (fault.echoToken) {
        const sent = req.headers.authorization ?? '';
        const text = JSON.stringify({ detail: `Upstream auth failed for header "Authorization: ${sent}"` });
        return send(res, entry, fault.status ?? 500, text, fault.headers);
      }
      if (fault.status !== undefined) {
        const def = faultResponse(fault.status, Date.now());
        return send(res, entry, fault.status, fault.body ?? def.body, { ...def.headers, ...fault.headers });
      }
    }

    let reply: Reply;
    try {
      if (tooLarge) throw detail(413, `Request body too large (the local tracker accepts ${LIMITS.envelopeBytes} bytes)`);
      reply = metrics && self.pathname === PROMETHEUS_QUERY ? metrics.query(method, query) : authorizeAndRoute(method, self, query, body, bodyError, req);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      reply = { status: e.status, body: e.body };
    }
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    if (fault?.truncate) {
      entry.status = reply.status;
      res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...reply.headers });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setImmediate(() => req.socket.destroy());
      return;
    }
    send(res, entry, reply.status, text, { ...reply.headers, ...fault?.headers });
  }

  function authorizeAndRoute(method: string, self: URL, q: Query, body: unknown, bodyError: HttpError | undefined, req: IncomingMessage): Reply {
    const auth = req.headers.authorization;
    // Sentry's index endpoint needs no credentials: it says who is asking (sentry-cli `info`).
    if (auth === undefined && self.pathname === API) return indexReply(method, false);
    if (auth === undefined) throw detail(401, 'Authentication credentials were not provided.');
    if (auth !== `Bearer ${token}`) throw detail(401, 'Invalid token');
    if (!self.pathname.startsWith(API) || !self.pathname.endsWith('/')) throw notFound();
    if (self.pathname === API) return indexReply(method, true);
    const [scope, ...parts] = self.pathname
      .slice(API.length, -1)
      .split('/')
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw notFound();
        }
      });
    if (scope === 'projects') return projectRoute(method, parts, q, self, bodyError);
    if (scope !== 'organizations') throw notFound();
    const [orgSlug, ...rest] = parts;
    if (orgSlug !== org) throw notFound();
    // An organization auth token carries only org:ci (org_auth_tokens.py), which the release
    // and deploy endpoints accept and the sessions and issues endpoints do not.
    if (token.startsWith('sntrys_') && rest.length === 1 && (rest[0] === 'sessions' || rest[0] === 'issues')) {
      throw detail(403, 'You do not have permission to perform this action.');
    }
    if (bodyError) throw bodyError;
    const ua = req.headers['user-agent'] ?? null;
    return route(method, rest, q, body, self, ua);
  }

  /** `/api/0/projects/{org}/{project}/...`: the project-scoped release reads sentry-cli uses. */
  function projectRoute(method: string, parts: string[], q: Query, self: URL, bodyError: HttpError | undefined): Reply {
    const [orgSlug, projectSlug, head, version, sub, ...rest] = parts;
    const project = state.projects.find((p) => p.slug === projectSlug);
    if (orgSlug !== org || !project) throw notFound();
    if (bodyError) throw bodyError;
    if (head === 'releases' && version === undefined) {
      if (method !== 'GET') throw detail(405, `Method "${method}" not allowed.`);
      const { page, link } = paginate(listReleases(state, q, [project]), q, self, 'per_page');
      return { status: 200, body: page.map((r) => serializeRelease(state, r, newGroups(r))), headers: { Link: link } };
    }
    if (head === 'releases' && version !== undefined && sub === 'commits' && rest.length === 0) {
      if (method !== 'GET') throw detail(405, `Method "${method}" not allowed.`);
      const r = getRelease(state, version);
      if (!r.projectIds.includes(project.id)) throw notFound();
      const { page, link } = paginate(releaseCommits(state, r), q, self, 'per_page');
      return { status: 200, body: page, headers: { Link: link } };
    }
    throw notFound();
  }

  function indexReply(method: string, authenticated: boolean): Reply {
    if (method !== 'GET') throw detail(405, `Method "${method}" not allowed.`);
    // An organization token authenticates no user, so `user` stays null as in Sentry; its one
    // scope is org:ci (org_auth_tokens.py).
    const scopes = token.startsWith('sntrys_') ? ['org:ci'] : TOKEN_SCOPES;
    return { status: 200, body: { version: '0', auth: authenticated ? { scopes } : null, user: null } };
  }

  /**
   * The SDK ingest endpoint: its own auth (the DSN key), a bounded body, and no entry in
   * `requests`, so that millions of envelopes keep memory flat; fault hooks still apply.
   */
  async function handleEnvelope(req: IncomingMessage, res: ServerResponse, self: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const { raw, tooLarge } = await readBodyCapped(req, LIMITS.envelopeBytes);
    const headers: LoggedRequest['headers'] = { ...req.headers };
    if (headers['x-sentry-auth'] !== undefined) headers['x-sentry-auth'] = '[redacted]';
    const entry: LoggedRequest = { method, path: self.pathname, query: {}, body: undefined, headers, status: 0, at: clock(), receivedAt: Date.now() };
    if (opts.onRequest) res.once('close', () => opts.onRequest?.(entry));
    const fault = faults.take(method, self.pathname);
    if (fault) {
      entry.fault = fault;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.reset) return void req.socket.destroy();
      if (fault.hang) return;
      if (fault.status !== undefined) {
        const def = faultResponse(fault.status, Date.now());
        return send(res, entry, fault.status, fault.body ?? def.body, { ...def.headers, ...fault.headers });
      }
    }
    const reply = ingest.handle({ method, url: self, headers: req.headers, raw, tooLarge, now: clock() });
    send(res, entry, reply.status, JSON.stringify(reply.body), reply.headers);
  }

  const server = createServer((req, res) => {
    let self: URL | undefined;
    try {
      self = new URL(req.url ?? '/', baseUrl);
    } catch {
      self = undefined;
    }
    const work = self && ENVELOPE_PATH.test(self.pathname) ? handleEnvelope(req, res, self) : handle(req, res);
    work.catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ detail: `Internal Error: ${(e as Error).message}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    token,
    org,
    scenario,
    requests,
    state,
    faults,
    ingest,
    dsns: ingest.dsns(baseUrl, state.projects),
    now: clock,
    projectId(slug) {
      const p = state.projects.find((x) => x.slug === slug);
      if (!p) throw new Error(`unknown project ${slug}`);
      return p.id;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, entry: LoggedRequest, status: number, text: string, headers: Record<string, string> = {}): void {
  entry.status = status;
  // A 204 has no body, and so no Content-Type either.
  const type: Record<string, string> = status === 204 ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
  res.writeHead(status, { ...type, ...headers });
  res.end(status === 204 ? undefined : text);
}

/** The body up to `max` bytes (API and ingest alike); past that the rest is read and dropped, and `tooLarge` set. */
function readBodyCapped(req: IncomingMessage, max: number): Promise<{ raw: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > max;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooLarge = true;
      if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => resolve({ raw: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

/** The release deployed before the watched one, with its own history, so baselines work. */
function seedPreviousRelease(state: TrackerState, scenario: Scenario, startedAt: number): void {
  const deployedAt = startedAt - scenario.previousRelease.deployedMinutesBeforeStart * 60_000;
  const created = deployedAt - 10 * 60_000;
  state.releases.set(scenario.previousRelease.version, {
    id: 1,
    version: scenario.previousRelease.version,
    ref: null,
    url: null,
    dateCreated: created,
    dateReleased: iso(deployedAt),
    projectIds: state.projects.map((p) => p.id),
    deploys: [{ id: '1', environment: scenario.environment, dateStarted: iso(created), dateFinished: iso(deployedAt), name: null, url: null }],
    commits: [{ id: '9b07d3e4c1f2a3b4c5d6e7f8091a2b3c4d5e6f70', repository: scenario.repos[0] ?? null, message: 'Previous release' }],
    refs: [],
    role: 'previous',
    userAgent: null,
  });
}
