import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A commit of the stub's linear history, oldest first. */
export interface StubCommit {
  sha: string;
  message: string;
  author?: { name: string; email: string; date: string };
  /** Committer date; defaults to the author date. */
  committedAt?: string;
  files?: { filename: string; status: 'added' | 'removed' | 'modified' | 'renamed' }[];
}

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Whether an Authorization header was sent (its value is never recorded). */
  hasAuth: boolean;
}

type Route = 'repo' | 'compare' | 'dispatch' | 'deploymentStatus' | 'runs' | 'deployments';

/** A GitHub deployment with its statuses, oldest first. */
export interface StubDeployment {
  id: number;
  sha: string;
  ref?: string;
  environment: string;
  createdAt: string;
  states: string[];
}

/** A run of a workflow, as the runs list shows it. */
export interface StubRun {
  workflow: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  createdAt: string;
  /** The workflow's `run-name`; defaults to the workflow's name. */
  displayTitle?: string;
}

export interface GitHubStubOptions {
  token: string;
  /** "owner/name" served; other repositories are 404. Default acme/shop. */
  repository?: string;
  commits?: StubCommit[];
  /** Workflow file names; the n-th also answers to id 1000 + n. */
  workflows?: string[];
  /** Declared `workflow_dispatch` inputs per workflow file; other inputs get a 422. Absent: any input is accepted. */
  workflowInputs?: Record<string, string[]>;
  defaultBranch?: string;
  /** Branches besides the default one that dispatch accepts as `ref`. */
  branches?: string[];
  /** Deployment ids that exist; absent: every id exists (or those of `deploymentList`). */
  deployments?: number[];
  /** Deployments the list and get routes serve; statuses posted to them are added. */
  deploymentList?: StubDeployment[];
  failDispatch?: 403 | 404 | 422;
  /** Forces a route to fail with GitHub's body for that status (429 also sends rate-limit headers). */
  fail?: Partial<Record<Route, 403 | 404 | 422 | 429 | 500>>;
  /** Routes that read the request, record it, and never answer. */
  hang?: Route[];
  /** Runs that exist before the test; each accepted dispatch adds a queued one (or `dispatchedRun`). */
  runs?: StubRun[];
  /** How the run a dispatch starts looks in the runs list. */
  dispatchedRun?: Pick<StubRun, 'status' | 'conclusion' | 'displayTitle'>;
  /** Awaited before a route answers (the request is recorded first): orders concurrent clients without timers. */
  before?: (route: Route) => Promise<void> | void;
}

export interface GitHubStub {
  url: string;
  requests: RecordedRequest[];
  runs: StubRun[];
  /** Resolves when a request to the route arrives (after its body is read). */
  arrived(route: Route): Promise<void>;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

class Hang extends Error {}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const FAIL_MESSAGES: Record<number, string> = {
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  422: "Workflow does not have 'workflow_dispatch' trigger",
  429: 'API rate limit exceeded for installation ID 1.',
  500: 'Server Error',
};

/** A loopback stand-in for the parts of the GitHub REST API the action calls, with GitHub's response shapes. */
export async function startGitHubStub(opts: GitHubStubOptions): Promise<GitHubStub> {
  const requests: RecordedRequest[] = [];
  const [owner, name] = (opts.repository ?? 'acme/shop').split('/') as [string, string];
  const commits = opts.commits ?? [];
  const workflows = opts.workflows ?? [];
  const defaultBranch = opts.defaultBranch ?? 'main';
  const fail = { ...opts.fail, ...(opts.failDispatch ? { dispatch: opts.failDispatch } : {}) };
  let statusId = 1;
  const runs: StubRun[] = [...(opts.runs ?? [])];
  const waiters = new Map<Route, (() => void)[]>();
  const hang = new Set(opts.hang ?? []);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (err instanceof Hang) return;
      const e = err instanceof HttpError ? err : new HttpError(500, String(err));
      send(res, e.status, { message: e.message, documentation_url: DOCS, status: String(e.status) }, e.headers);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = `http://${req.headers.host}`;
    const u = new URL(req.url ?? '/', base);
    const path = u.pathname.split('/').map(decodeURIComponent).join('/');
    const raw = await readBody(req);
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'Problems parsing JSON');
      }
    }
    const auth = req.headers.authorization;
    requests.push({ method: req.method ?? '', path, query: Object.fromEntries(u.searchParams), body, hasAuth: auth !== undefined });

    const m = /^(?:Bearer|token) (.+)$/i.exec(auth ?? '');
    if (!m || m[1] !== opts.token) throw new HttpError(401, 'Bad credentials');

    const seg = u.pathname.split('/').slice(1).map(decodeURIComponent);
    if (seg[0] !== 'repos' || seg[1] !== owner || seg[2] !== name) throw new HttpError(404, 'Not Found');
    const rest = seg.slice(3);
    const route = async (r: Route) => {
      for (const w of waiters.get(r) ?? []) w();
      waiters.delete(r);
      await opts.before?.(r);
      // Never answered: the test closes the connection, or the client gives up.
      if (hang.has(r)) throw new Hang();
      const status = fail[r];
      if (!status) return;
      const headers: Record<string, string> =
        status === 429 ? { 'retry-after': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) } : {};
      throw new HttpError(status, FAIL_MESSAGES[status] ?? 'Error', headers);
    };

    if (req.method === 'GET' && rest.length === 0) {
      await route('repo');
      return send(res, 200, repoJson(base, owner, name, defaultBranch));
    }
    if (req.method === 'GET' && rest[0] === 'compare' && rest.length === 2) {
      await route('compare');
      return compare(res, base, u, rest[1] ?? '');
    }
    if (req.method === 'POST' && rest[0] === 'actions' && rest[1] === 'workflows' && rest[3] === 'dispatches' && rest.length === 4) {
      await route('dispatch');
      return dispatch(res, rest[2] ?? '', body);
    }
    if (req.method === 'GET' && rest[0] === 'actions' && rest[1] === 'workflows' && rest[3] === 'runs' && rest.length === 4) {
      await route('runs');
      return listRuns(res, base, rest[2] ?? '', u);
    }
    if (req.method === 'GET' && rest[0] === 'deployments' && rest.length <= 3) {
      await route('deployments');
      return readDeployments(res, base, rest.slice(1), u);
    }
    if (req.method === 'POST' && rest[0] === 'deployments' && rest[2] === 'statuses' && rest.length === 3) {
      await route('deploymentStatus');
      return deploymentStatus(res, base, Number(rest[1]), body);
    }
    throw new HttpError(404, 'Not Found');
  }

  function compare(res: ServerResponse, base: string, u: URL, basehead: string): void {
    const [from, to] = basehead.split('...');
    const find = (ref: string | undefined) =>
      ref === defaultBranch ? commits.length - 1 : commits.findIndex((c) => ref !== undefined && ref.length >= 7 && c.sha.startsWith(ref));
    const bi = find(from);
    const hi = find(to);
    if (bi < 0 || hi < 0) throw new HttpError(404, 'Not Found');
    const range = commits.slice(bi + 1, hi + 1);
    const paged = u.searchParams.has('per_page') || u.searchParams.has('page');
    const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
    const pageNo = Math.max(1, Number(u.searchParams.get('page') ?? 1));
    // Unpaged, GitHub returns the newest 250; paged, pages run oldest to newest.
    const shown = paged ? range.slice((pageNo - 1) * perPage, pageNo * perPage) : range.slice(-250);
    const headers: Record<string, string> = {};
    const lastPage = Math.max(1, Math.ceil(range.length / perPage));
    if (paged && pageNo < lastPage) {
      const link = (p: number) => {
        const next = new URL(u.pathname, base);
        next.searchParams.set('per_page', String(perPage));
        next.searchParams.set('page', String(p));
        return next.toString();
      };
      headers.link = `<${link(pageNo + 1)}>; rel="next", <${link(lastPage)}>; rel="last"`;
    }
    const files = new Map<string, { filename: string; status: string }>();
    for (const c of range) for (const f of c.files ?? []) files.set(f.filename, f);
    const repoUrl = `${base}/repos/${owner}/${name}`;
    const data: Record<string, unknown> = {
      url: `${repoUrl}/compare/${basehead}`,
      html_url: `https://github.com/${owner}/${name}/compare/${basehead}`,
      permalink_url: `https://github.com/${owner}/${name}/compare/${owner}:${from}...${owner}:${to}`,
      diff_url: `https://github.com/${owner}/${name}/compare/${basehead}.diff`,
      patch_url: `https://github.com/${owner}/${name}/compare/${basehead}.patch`,
      base_commit: commitJson(repoUrl, commits[bi]!, commits[bi - 1]),
      merge_base_commit: commitJson(repoUrl, commits[Math.min(bi, hi)]!, commits[Math.min(bi, hi) - 1]),
      status: hi > bi ? 'ahead' : hi === bi ? 'identical' : 'behind',
      ahead_by: range.length,
      behind_by: Math.max(0, bi - hi),
      total_commits: range.length,
      commits: shown.map((c) => commitJson(repoUrl, c, commits[commits.indexOf(c) - 1])),
    };
    // GitHub sends the range's files on the first page only, at most 300 of them.
    if (!paged || pageNo === 1) {
      data.files = [...files.values()].slice(0, 300).map((f, i) => ({
        sha: hex(`${f.filename}${i}`),
        filename: f.filename,
        status: f.status,
        additions: 1,
        deletions: f.status === 'added' ? 0 : 1,
        changes: f.status === 'added' ? 1 : 2,
        blob_url: `https://github.com/${owner}/${name}/blob/${to}/${f.filename}`,
        raw_url: `https://github.com/${owner}/${name}/raw/${to}/${f.filename}`,
        contents_url: `${repoUrl}/contents/${f.filename}?ref=${to}`,
        patch: '@@ -1 +1 @@\n-old\n+new',
      }));
    }
    send(res, 200, data, headers);
  }

  function dispatch(res: ServerResponse, id: string, body: unknown): void {
    const file = workflowFile(id);
    const { ref, inputs } = (body ?? {}) as { ref?: unknown; inputs?: unknown };
    if (typeof ref !== 'string' || !ref) throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    const branch = ref.replace(/^refs\/heads\//, '');
    const known = branch === defaultBranch || (opts.branches ?? []).includes(branch) || commits.some((c) => c.sha === ref);
    if (!known) throw new HttpError(422, `No ref found for: ${ref}`);
    if (inputs !== undefined && (inputs === null || typeof inputs !== 'object')) {
      throw new HttpError(422, 'Invalid request.\n\nFor \'properties/inputs\', "x" is not an object.');
    }
    const declared = opts.workflowInputs?.[file];
    if (declared && inputs) {
      const unexpected = Object.keys(inputs).filter((k) => !declared.includes(k));
      if (unexpected.length) throw new HttpError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    }
    runs.push({ workflow: file, status: 'queued', conclusion: null, createdAt: new Date().toISOString(), ...opts.dispatchedRun });
    res.writeHead(204).end();
  }

  function workflowFile(id: string): string {
    const index = /^\d+$/.test(id) ? Number(id) - 1000 : workflows.indexOf(id);
    const file = workflows[index];
    if (file === undefined) throw new HttpError(404, 'Not Found');
    return file;
  }

  /** GET .../actions/workflows/{id}/runs with GitHub's `event`, `status` and `created` (>=date) filters, newest first. */
  function listRuns(res: ServerResponse, base: string, id: string, u: URL): void {
    const file = workflowFile(id);
    const created = /^>=(.+)$/.exec(u.searchParams.get('created') ?? '')?.[1];
    const since = created ? Date.parse(created) : -Infinity;
    const event = u.searchParams.get('event');
    const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
    const matching = runs
      .map((r, i) => ({ r, id: 9000 + i }))
      .filter(({ r }) => r.workflow === file && Date.parse(r.createdAt) >= since && (!event || event === 'workflow_dispatch'))
      .reverse();
    const repoUrl = `${base}/repos/${owner}/${name}`;
    const title = (f: string) => f.replace(/\.ya?ml$/, '').replace(/^./, (c) => c.toUpperCase());
    send(res, 200, {
      total_count: matching.length,
      workflow_runs: matching.slice(0, perPage).map(({ r, id: runId }) => ({
        id: runId,
        name: title(r.workflow),
        node_id: `WFR_${runId}`,
        head_branch: defaultBranch,
        head_sha: commits.at(-1)?.sha ?? hex(`head${runId}`),
        path: `.github/workflows/${r.workflow}`,
        display_title: r.displayTitle ?? title(r.workflow),
        run_number: runId - 8999,
        event: 'workflow_dispatch',
        status: r.status,
        conclusion: r.conclusion,
        workflow_id: 1000 + workflows.indexOf(r.workflow),
        url: `${repoUrl}/actions/runs/${runId}`,
        html_url: `https://github.com/${owner}/${name}/actions/runs/${runId}`,
        created_at: r.createdAt,
        updated_at: r.createdAt,
        run_attempt: 1,
        run_started_at: r.createdAt,
        actor: userJson('github-actions[bot]', 41898282),
      })),
    });
  }

  function deploymentStatus(res: ServerResponse, base: string, id: number, body: unknown): void {
    const listed = opts.deploymentList?.find((d) => d.id === id);
    const known = opts.deployments ? opts.deployments.includes(id) : opts.deploymentList ? listed !== undefined : true;
    if (!Number.isInteger(id) || !known) throw new HttpError(404, 'Not Found');
    const b = (body ?? {}) as Record<string, unknown>;
    const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
    if (typeof b.state !== 'string' || !states.includes(b.state)) {
      throw new HttpError(422, `Invalid request.\n\n${JSON.stringify(b.state)} is not a member of ${JSON.stringify(states)}.`);
    }
    if (typeof b.description === 'string' && [...b.description].length > 140) {
      throw new HttpError(422, 'Validation Failed: description is too long (maximum is 140 characters)');
    }
    listed?.states.push(b.state);
    const repoUrl = `${base}/repos/${owner}/${name}`;
    const now = new Date().toISOString();
    const sid = statusId++;
    send(res, 201, {
      url: `${repoUrl}/deployments/${id}/statuses/${sid}`,
      id: sid,
      node_id: `DES_${sid}`,
      state: b.state,
      creator: userJson('github-actions[bot]', 41898282),
      description: b.description ?? '',
      environment: b.environment ?? 'production',
      target_url: b.log_url ?? '',
      log_url: b.log_url ?? '',
      created_at: now,
      updated_at: now,
      deployment_url: `${repoUrl}/deployments/${id}`,
      repository_url: repoUrl,
      environment_url: b.environment_url ?? '',
    });
  }

  /** GET /deployments (newest first, `environment` filter), /deployments/{id}, /deployments/{id}/statuses (newest first). */
  function readDeployments(res: ServerResponse, base: string, path: string[], u: URL): void {
    const all = opts.deploymentList ?? [];
    const repoUrl = `${base}/repos/${owner}/${name}`;
    const json = (d: StubDeployment) => ({
      url: `${repoUrl}/deployments/${d.id}`,
      id: d.id,
      node_id: `DE_${d.id}`,
      sha: d.sha,
      ref: d.ref ?? defaultBranch,
      task: 'deploy',
      payload: {},
      original_environment: d.environment,
      environment: d.environment,
      description: null,
      creator: userJson('github-actions[bot]', 41898282),
      created_at: d.createdAt,
      updated_at: d.createdAt,
      statuses_url: `${repoUrl}/deployments/${d.id}/statuses`,
      repository_url: repoUrl,
      transient_environment: false,
      production_environment: d.environment === 'production',
    });
    const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
    if (path.length === 0) {
      const env = u.searchParams.get('environment');
      const rows = all.filter((d) => env === null || d.environment === env).sort((a, b) => b.id - a.id);
      return send(res, 200, rows.slice(0, perPage).map(json));
    }
    const d = all.find((x) => x.id === Number(path[0]));
    if (!d) throw new HttpError(404, 'Not Found');
    if (path.length === 1) return send(res, 200, json(d));
    if (path[1] !== 'statuses') throw new HttpError(404, 'Not Found');
    const statuses = d.states.map((state, i) => ({
      url: `${repoUrl}/deployments/${d.id}/statuses/${d.id * 100 + i}`,
      id: d.id * 100 + i,
      state,
      creator: userJson('github-actions[bot]', 41898282),
      description: '',
      environment: d.environment,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      deployment_url: `${repoUrl}/deployments/${d.id}`,
      repository_url: repoUrl,
    }));
    return send(res, 200, statuses.reverse().slice(0, perPage));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    runs,
    arrived: (r) => new Promise<void>((resolve) => waiters.set(r, [...(waiters.get(r) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(data));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function hex(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < 40) {
    for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

function userJson(login: string, id: number) {
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

function commitJson(repoUrl: string, c: StubCommit, parent: StubCommit | undefined) {
  const author = c.author ?? { name: 'Mona Lisa', email: 'mona@example.com', date: '2026-01-01T00:00:00Z' };
  const committer = { ...author, date: c.committedAt ?? author.date };
  const html = repoUrl.replace(/^.*\/repos\//, 'https://github.com/');
  return {
    sha: c.sha,
    node_id: `C_${c.sha.slice(0, 12)}`,
    commit: {
      author,
      committer,
      message: c.message,
      tree: { sha: hex(`tree${c.sha}`), url: `${repoUrl}/git/trees/${hex(`tree${c.sha}`)}` },
      url: `${repoUrl}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${repoUrl}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${repoUrl}/commits/${c.sha}/comments`,
    author: userJson('octocat', 1),
    committer: userJson('web-flow', 19864447),
    parents: parent ? [{ sha: parent.sha, url: `${repoUrl}/commits/${parent.sha}`, html_url: `${html}/commit/${parent.sha}` }] : [],
  };
}

function repoJson(base: string, owner: string, name: string, defaultBranch: string) {
  return {
    id: 1296269,
    node_id: 'R_kgDOABCDEF',
    name,
    full_name: `${owner}/${name}`,
    owner: userJson(owner, 2),
    private: true,
    html_url: `https://github.com/${owner}/${name}`,
    description: null,
    fork: false,
    url: `${base}/repos/${owner}/${name}`,
    default_branch: defaultBranch,
    visibility: 'private',
    archived: false,
    disabled: false,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}
