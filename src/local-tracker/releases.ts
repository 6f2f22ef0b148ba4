/** Release, deploy, repository and project endpoints of the local tracker. */
import { HttpError, type Query, detail, many, notFound, one } from './http';
import {
  type CommitRec,
  type DeployRec,
  type ProjectRec,
  type RefRec,
  type ReleaseRec,
  type TrackerState,
  iso,
} from './store';

type Body = Record<string, unknown>;
const fieldError = (field: string, message: string) => new HttpError(400, { [field]: [message] });

function asBody(body: unknown): Body {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw detail(400, 'Invalid data. Expected a dictionary, but got list.');
  }
  return body as Body;
}

function optString(b: Body, key: string, max?: number): string | null | undefined {
  const v = b[key];
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'string') throw fieldError(key, 'Not a valid string.');
  if (max !== undefined && v.length > max) throw fieldError(key, `Ensure this field has no more than ${max} characters.`);
  return v;
}

function optUrl(b: Body, key: string): string | null | undefined {
  const v = optString(b, key);
  if (typeof v === 'string' && !/^https?:\/\/[^\s/]+/i.test(v)) throw fieldError(key, 'Enter a valid URL.');
  return v;
}

function optDate(b: Body, key: string): string | null | undefined {
  const v = optString(b, key);
  if (typeof v === 'string' && Number.isNaN(Date.parse(v))) {
    throw fieldError(key, 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
  }
  return v;
}

/** Release.is_valid_version: no slashes or line/tab whitespace, not `.`, `..` or `latest`. */
function validVersion(v: string): boolean {
  return v.trim() === v && v !== '' && !/[\r\n\f\t\\/]/.test(v) && !['.', '..', 'latest'].includes(v);
}

function parseCommits(b: Body): CommitRec[] | undefined {
  const v = b.commits;
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw fieldError('commits', 'Expected a list of items.');
  return v.map((c: unknown) => {
    const o = asBody(c);
    if (typeof o.id !== 'string' || !o.id) throw fieldError('commits', 'Each commit needs an id.');
    return {
      id: o.id,
      repository: optString(o, 'repository', 64) ?? null,
      message: optString(o, 'message') ?? null,
      author_name: optString(o, 'author_name', 128) ?? null,
      author_email: optString(o, 'author_email', 200) ?? null,
      timestamp: optDate(o, 'timestamp') ?? null,
    };
  });
}

function parseRefs(b: Body, state: TrackerState): RefRec[] | undefined {
  const v = b.refs;
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw fieldError('refs', 'Expected a list of items.');
  const refs = v.map((r: unknown) => {
    const o = asBody(r);
    if (typeof o.repository !== 'string' || typeof o.commit !== 'string') throw fieldError('refs', 'repository and commit are required.');
    return { repository: o.repository, commit: o.commit, previousCommit: optString(o, 'previousCommit', 64) ?? null };
  });
  // Release.set_refs raises InvalidRepository for names that are not connected repositories.
  const unknown = refs.map((r) => r.repository).filter((n) => !state.repos.some((repo) => repo.name === n));
  if (unknown.length > 0) throw fieldError('refs', `Invalid repository names: ${unknown.join(',')}`);
  return refs;
}

function applyUpdate(r: ReleaseRec, b: Body, state: TrackerState): void {
  const ref = optString(b, 'ref', 200);
  const url = optUrl(b, 'url');
  const dateReleased = optDate(b, 'dateReleased');
  const commits = parseCommits(b);
  const refs = parseRefs(b, state);
  if (ref !== undefined) r.ref = ref;
  if (url !== undefined) r.url = url;
  if (dateReleased !== undefined) r.dateReleased = dateReleased;
  if (commits) r.commits = commits;
  if (refs) r.refs = refs;
}

export function createRelease(
  state: TrackerState,
  body: unknown,
  now: number,
  userAgent: string | null,
): { status: 201 | 208; release: ReleaseRec } {
  const b = asBody(body);
  const version = b.version;
  if (version === undefined) throw fieldError('version', 'This field is required.');
  if (typeof version !== 'string') throw fieldError('version', 'Not a valid string.');
  if (version.length > 200) throw fieldError('version', 'Ensure this field has no more than 200 characters.');
  if (!validVersion(version)) throw fieldError('version', `Release with name ${version} is not allowed`);
  if (!Array.isArray(b.projects)) throw fieldError('projects', 'This field is required.');
  const projects = (b.projects as unknown[]).map((idOrSlug) => {
    const p = state.projects.find((x) => x.slug === idOrSlug || x.id === idOrSlug || String(x.id) === idOrSlug);
    // organization_releases.py answers 400 (not 404) when a project is unknown or not allowed.
    if (!p) throw fieldError('projects', 'Invalid project ids or slugs');
    return p;
  });

  let release = state.releases.get(version);
  let created = false;
  if (!release) {
    created = true;
    release = {
      id: Math.max(0, ...[...state.releases.values()].map((r) => r.id)) + 1,
      version,
      ref: optString(b, 'ref', 200) ?? null,
      url: optUrl(b, 'url') ?? null,
      dateCreated: now,
      dateReleased: optDate(b, 'dateReleased') ?? null,
      projectIds: [],
      deploys: [],
      commits: [],
      refs: [],
      role: 'current',
      userAgent,
    };
  }
  // Validate commits/refs before storing anything, so a 400 leaves no half-created release.
  const commits = parseCommits(b);
  const refs = parseRefs(b, state);
  if (created) state.releases.set(version, release);
  let added = 0;
  for (const p of projects) {
    if (!release.projectIds.includes(p.id)) {
      release.projectIds.push(p.id);
      added++;
    }
  }
  if (commits) release.commits = commits;
  if (refs) release.refs = refs;
  // On an existing release Sentry does not touch dateReleased, ref or url.
  return { status: created || added > 0 ? 201 : 208, release };
}

export function getRelease(state: TrackerState, version: string): ReleaseRec {
  const r = state.releases.get(version);
  if (!r) throw notFound();
  return r;
}

export function updateRelease(state: TrackerState, version: string, body: unknown): ReleaseRec {
  const r = getRelease(state, version);
  applyUpdate(r, asBody(body), state);
  return r;
}

export function listReleases(state: TrackerState, q: Query, projects: ProjectRec[]): ReleaseRec[] {
  const status = one(q, 'status') ?? 'open';
  if (!['open', 'archived'].includes(status)) throw detail(400, 'invalid value for status');
  const sort = one(q, 'sort') ?? 'date';
  if (['sessions', 'users', 'crash_free_users', 'crash_free_sessions'].includes(sort) && one(q, 'flatten') !== '1') {
    throw detail(400, 'sorting by crash statistics requires flattening (flatten=1)');
  }
  if (!['date', 'build', 'semver', 'adoption', 'sessions', 'users', 'crash_free_users', 'crash_free_sessions'].includes(sort)) {
    throw detail(400, 'invalid sort');
  }
  if (status === 'archived') return [];
  const envs = many(q, 'environment');
  // A release is in an environment once it sent sessions there (the scenario's) or was deployed there.
  const inEnv = (r: ReleaseRec) => envs.length === 0 || envs.includes(state.environment) || r.deploys.some((d) => envs.includes(d.environment));
  const text = (one(q, 'query') ?? '').toLowerCase();
  const ids = new Set(projects.map((p) => p.id));
  // Every sort other than date falls back to newest first: the scenarios do not distinguish them.
  return [...state.releases.values()]
    .filter((r) => inEnv(r) && r.projectIds.some((id) => ids.has(id)) && r.version.toLowerCase().includes(text))
    .sort((a, b) => b.dateCreated - a.dateCreated || b.id - a.id);
}

export function createDeploy(state: TrackerState, version: string, body: unknown, now: number): DeployRec {
  const r = getRelease(state, version);
  const b = asBody(body);
  const environment = optString(b, 'environment', 64);
  if (!environment) throw fieldError('environment', 'This field is required.');
  const name = optString(b, 'name', 64) ?? null;
  const url = optUrl(b, 'url') ?? null;
  const dateStarted = optDate(b, 'dateStarted') ?? null;
  const dateFinished = optDate(b, 'dateFinished') ?? iso(now);
  if (b.projects !== undefined) {
    if (!Array.isArray(b.projects)) throw fieldError('projects', 'Expected a list of items.');
    for (const slug of b.projects) {
      const p = state.projects.find((x) => x.slug === slug);
      if (!p || !r.projectIds.includes(p.id)) throw fieldError('projects', `Invalid projects: ${String(slug)}`);
    }
  }
  const id = String(1 + [...state.releases.values()].reduce((n, x) => n + x.deploys.length, 0));
  const deploy: DeployRec = {
    id,
    environment,
    dateStarted,
    dateFinished: new Date(Date.parse(dateFinished)).toISOString(),
    name,
    url,
  };
  r.deploys.push(deploy);
  return deploy;
}
