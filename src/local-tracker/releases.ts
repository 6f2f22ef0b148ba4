/** Release, deploy, repository and project endpoints of the local tracker. */
import { HttpError, type Query, detail, many, notFound, one } from './http';
import {
  type CommitRec,
  type DeployRec,
  type ProjectRec,
  type RefRec,
  type ReleaseRec,
  type ReleaseStatus,
  type TrackerState,
  iso,
  serializeRepo,
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

// Django's parse_datetime: up to 12 fraction digits (sentry-cli sends chrono's nanoseconds),
// a `T` or a space, and an optional offset; a date alone is midnight, and no offset means UTC.
const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A date field as Sentry would store and serialize it: ISO 8601 UTC (to the millisecond here). */
function optDate(b: Body, key: string): string | null | undefined {
  const v = optString(b, key);
  if (typeof v !== 'string') return v;
  const m = DATETIME.exec(v);
  const offset = m?.[5]
    ? m[5].toUpperCase() === 'Z'
      ? 'Z'
      : m[5].replace(/^([+-]\d{2}):?(\d{2})?$/, (_, h: string, mm?: string) => `${h}:${mm ?? '00'}`)
    : 'Z';
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0').slice(0, 3)}${offset}`) : NaN;
  if (Number.isNaN(ms)) {
    throw fieldError(key, 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
  }
  return new Date(ms).toISOString();
}

/** ReleaseSerializer.validate_status: `open` or `archived`. */
function optStatus(b: Body): ReleaseStatus | undefined {
  const v = b.status;
  if (v === undefined || v === null) return undefined;
  if (v !== 'open' && v !== 'archived') throw fieldError('status', `Invalid status ${String(v)}`);
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
  const status = optStatus(b);
  if (status !== undefined) r.status = status;
  if (ref !== undefined) r.ref = ref;
  if (url !== undefined) r.url = url;
  if (dateReleased !== undefined) r.dateReleased = dateReleased;
  if (commits) r.commits = commits;
  // set_refs fetches the commits between the refs and replaces the release's commits with them;
  // an empty list (sentry-cli `set-commits --clear`) leaves none.
  if (refs) {
    r.refs = refs;
    if (!commits) r.commits = [];
  }
}

export function createRelease(state: TrackerState, body: unknown, now: number, userAgent: string | null): { status: 201 | 208; release: ReleaseRec } {
  const b = asBody(body);
  const version = b.version;
  if (version === undefined) throw fieldError('version', 'This field is required.');
  if (typeof version !== 'string') throw fieldError('version', 'Not a valid string.');
  if (version.length > 200) throw fieldError('version', 'Ensure this field has no more than 200 characters.');
  if (!validVersion(version)) throw fieldError('version', `Release with name ${version} is not allowed`);
  if (!Array.isArray(b.projects)) throw fieldError('projects', 'This field is required.');
  const status = optStatus(b);
  // The organization endpoint's serializer has no dateStarted (sentry-cli `releases new` sends
  // one): DRF drops unknown fields, so it is ignored, as is any other unknown field.
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
      status: status ?? 'open',
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
  // sentry-cli `releases archive|restore` is a POST here with the version and a status.
  else if (status !== undefined) release.status = status;
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
  const envs = many(q, 'environment');
  // A release is in an environment once it sent sessions there (the scenario's) or was deployed there.
  const inEnv = (r: ReleaseRec) => envs.length === 0 || envs.includes(state.environment) || r.deploys.some((d) => envs.includes(d.environment));
  const text = (one(q, 'query') ?? '').toLowerCase();
  const ids = new Set(projects.map((p) => p.id));
  // Every sort other than date falls back to newest first: the scenarios do not distinguish them.
  return [...state.releases.values()]
    .filter((r) => (r.status ?? 'open') === status && inEnv(r) && r.projectIds.some((id) => ids.has(id)) && r.version.toLowerCase().includes(text))
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

/**
 * DELETE of a release: Release.safe_delete refuses while issues were first seen in it.
 * `issues` counts them (the scenario's issues already visible for this release).
 */
export function deleteRelease(state: TrackerState, version: string, issues: number): void {
  getRelease(state, version);
  if (issues > 0) throw detail(400, 'This release is referenced by active issues and cannot be removed.');
  state.releases.delete(version);
}

/** `releases/{version}/commits/`: its commits (or the heads of its refs) as CommitSerializer sends them. */
export function releaseCommits(state: TrackerState, r: ReleaseRec) {
  const commits: CommitRec[] = r.commits.length ? r.commits : r.refs.map((x) => ({ id: x.commit, repository: x.repository, message: null }));
  const created = new Date(r.dateCreated).toISOString();
  return commits.map((c) => {
    const repo = state.repos.find((x) => x.name === c.repository);
    return {
      id: c.id,
      message: c.message,
      dateCreated: c.timestamp ?? created,
      pullRequest: null,
      suspectCommitType: '',
      ...(repo ? { repository: serializeRepo(repo) } : {}),
      author: c.author_email ? { name: c.author_name ?? c.author_email, email: c.author_email } : {},
      releases: [{ version: r.version, shortVersion: r.version, ref: r.ref, url: r.url, dateReleased: r.dateReleased, dateCreated: created }],
    };
  });
}

/**
 * `releases/{version}/previous-with-commits/` (sentry-cli `set-commits --local`): the newest older
 * release that shares a project and has commits, or `{}`.
 */
export function previousWithCommits(state: TrackerState, r: ReleaseRec): ReleaseRec | null {
  const older = [...state.releases.values()].filter(
    (x) => x !== r && x.dateCreated <= r.dateCreated && (x.commits.length > 0 || x.refs.length > 0) && x.projectIds.some((id) => r.projectIds.includes(id)),
  );
  return older.sort((a, b) => b.dateCreated - a.dateCreated || b.id - a.id)[0] ?? null;
}
