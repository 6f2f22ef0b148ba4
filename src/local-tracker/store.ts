/** In-memory organisation state of the local tracker and its Sentry-shaped serializers. */
import type { Role } from './traffic';

export interface ProjectRec {
  id: number;
  slug: string;
  platform: string;
}

export interface DeployRec {
  id: string;
  environment: string;
  dateStarted: string | null;
  dateFinished: string;
  name: string | null;
  url: string | null;
}

export interface CommitRec {
  id: string;
  repository: string | null;
  message: string | null;
  author_name?: string | null;
  author_email?: string | null;
  timestamp?: string | null;
}

export interface RefRec {
  repository: string;
  commit: string;
  previousCommit?: string | null;
}

export interface ReleaseRec {
  id: number;
  version: string;
  ref: string | null;
  url: string | null;
  dateCreated: number;
  dateReleased: string | null;
  projectIds: number[];
  deploys: DeployRec[];
  commits: CommitRec[];
  refs: RefRec[];
  /** Which traffic model its sessions follow: the seeded previous release or a watched one. */
  role: Role;
  userAgent: string | null;
  /** Archived releases leave the default (open) list; unset is open. */
  status?: ReleaseStatus;
}

export type ReleaseStatus = 'open' | 'archived';

export interface RepoRec {
  id: string;
  name: string;
  url: string;
  dateCreated: string;
}

export interface TrackerState {
  org: string;
  environment: string;
  projects: ProjectRec[];
  releases: Map<string, ReleaseRec>;
  repos: RepoRec[];
  /**
   * Which Sentry to be: `metrics` (sentry.io, current self-hosted; default) or
   * `sessions`, a self-hosted Sentry on the sessions dataset (no rate fields).
   */
  backend?: 'metrics' | 'sessions';
  /** As Sentry before getsentry/sentry#78026: a deploy's `projects` need project access the token may lack (400). */
  deployProjectsNeedAccess?: boolean;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoMs = (ms: number): string => new Date(ms).toISOString();

/**
 * When a release's sessions start in `environment`: its newest deploy there (dateFinished),
 * otherwise its creation.
 */
export function anchorOf(r: ReleaseRec, environment: string): number {
  let best: number | undefined;
  for (const d of r.deploys) {
    if (d.environment !== environment) continue;
    const t = Date.parse(d.dateFinished);
    if (best === undefined || t > best) best = t;
  }
  return best ?? r.dateCreated;
}

/** When users of `projectId` moved on to a newer release: the next anchor after this one. */
export function untilOf(state: TrackerState, r: ReleaseRec, projectId: number, environment: string): number {
  const mine = anchorOf(r, environment);
  let until = Infinity;
  for (const other of state.releases.values()) {
    if (other === r || !other.projectIds.includes(projectId)) continue;
    const a = anchorOf(other, environment);
    if (a > mine && a < until) until = a;
  }
  return until;
}

export function serializeDeploy(d: DeployRec) {
  return { ...d };
}

function versionInfo(version: string) {
  const at = version.indexOf('@');
  const pkg = at > 0 ? version.slice(0, at) : null;
  const raw = at > 0 ? version.slice(at + 1) : version;
  const isHash = /^[0-9a-f]{40}$/i.test(raw);
  return {
    package: pkg,
    version: { raw },
    description: isHash ? raw.slice(0, 12) : raw,
    buildHash: isHash ? raw : null,
  };
}

export function serializeRelease(state: TrackerState, r: ReleaseRec, newGroups: (projectId: number) => number) {
  // Sentry sets release.last_deploy_id to each newly created deploy, whatever its dates.
  const lastDeploy = r.deploys.at(-1) ?? null;
  const last = r.commits[0] ?? (r.refs[0] ? { id: r.refs[0].commit, repository: r.refs[0].repository, message: null } : undefined);
  const projects = r.projectIds.map((id) => state.projects.find((p) => p.id === id)!).filter(Boolean);
  const perProject = projects.map((p) => ({
    id: p.id,
    slug: p.slug,
    name: p.slug,
    newGroups: newGroups(p.id),
    platform: p.platform,
    platforms: [p.platform],
    hasHealthData: true,
  }));
  const info = versionInfo(r.version);
  return {
    id: r.id,
    version: r.version,
    status: r.status ?? 'open',
    shortVersion: info.description,
    versionInfo: info,
    ref: r.ref,
    url: r.url,
    dateReleased: r.dateReleased,
    dateCreated: isoMs(r.dateCreated),
    dateStarted: null,
    data: {},
    newGroups: perProject.reduce((s, p) => s + p.newGroups, 0),
    owner: null,
    commitCount: r.commits.length || r.refs.length,
    lastCommit: last
      ? { id: last.id, message: last.message, dateCreated: isoMs(r.dateCreated), repository: last.repository ? { name: last.repository } : null }
      : null,
    deployCount: r.deploys.length,
    lastDeploy: lastDeploy ? serializeDeploy(lastDeploy) : null,
    authors: [],
    projects: perProject,
    firstEvent: null,
    lastEvent: null,
    currentProjectMeta: {},
    userAgent: r.userAgent,
  };
}

export function serializeRepo(r: RepoRec) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    provider: { id: 'integrations:github', name: 'GitHub' },
    status: 'active',
    dateCreated: r.dateCreated,
    integrationId: '1',
    externalSlug: r.name,
    externalId: String(100000 + Number(r.id)),
  };
}

export function serializeProject(p: ProjectRec, created: number, latestRelease: string | null, environment: string) {
  return {
    id: String(p.id),
    slug: p.slug,
    name: p.slug,
    platform: p.platform,
    platforms: [p.platform],
    dateCreated: isoMs(created),
    isBookmarked: false,
    isMember: true,
    features: ['releases'],
    firstEvent: isoMs(created),
    firstTransactionEvent: false,
    access: ['project:read', 'project:releases', 'event:read'],
    hasAccess: true,
    hasFeedbacks: false,
    hasFlags: false,
    hasMinifiedStackTrace: false,
    hasMonitors: false,
    hasNewFeedbacks: false,
    hasProfiles: false,
    hasReplays: false,
    hasSessions: true,
    hasInsightsHttp: false,
    hasInsightsDb: false,
    hasInsightsAssets: false,
    hasInsightsAppStart: false,
    hasInsightsScreenLoad: false,
    hasInsightsVitals: false,
    hasInsightsCaches: false,
    hasInsightsQueues: false,
    hasInsightsAgentMonitoring: false,
    hasInsightsMCP: false,
    hasLogs: false,
    hasTraceMetrics: false,
    hasUserReports: false,
    team: { id: '1', name: 'Shop', slug: 'shop' },
    teams: [{ id: '1', name: 'Shop', slug: 'shop' }],
    environments: [environment],
    latestRelease: latestRelease ? { version: latestRelease } : null,
    latestDeploys: null,
    options: {},
  };
}
