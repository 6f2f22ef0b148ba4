import type { z } from 'zod';
import type { HttpClient } from '../../http/client';
import type { CommitInput, Deploy, HealthSample, NewIssue, RefInput, ReleaseInfo, Tracker, UserCounts } from '../types';
import { TrackerSetupError } from '../errors';
import { explainSentryError } from './errors';
import {
  anyJson,
  deployListSchema,
  deploySchema,
  issueListSchema,
  releaseListSchema,
  releaseSchema,
  repoListSchema,
  type SentryRelease,
  sessionsSchemaFor,
} from './schemas';
import { findNewerDeploy } from './newer-deploy';
import { sessionsRange, STATUS_FIELDS, toHealthSample, totalsSuffice, toUserCounts, TOTALS_FIELDS } from './sessions';
import { releasePageUrl } from './urls';

export interface SentryTrackerOptions {
  http: HttpClient;
  sentryUrl: string;
  org: string;
  projects: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

const slugsOf = (ids: Map<string, string>) => new Map([...ids].map(([slug, id]) => [id, slug]));

/** ISO-8601 UTC timestamps sort as plain strings (localeCompare would load ICU for nothing). */
const byNewest = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

function toReleaseInfo(r: SentryRelease): ReleaseInfo {
  return {
    version: r.version,
    dateCreated: r.dateCreated,
    dateReleased: r.dateReleased,
    lastCommitId: r.lastCommit?.id ?? null,
    projects: r.projects.map((p) => p.slug),
  };
}

export function createSentryTracker(opts: SentryTrackerOptions): Tracker & { projectIds(version: string): Promise<Map<string, string>> } {
  const { http, org } = opts;
  const orgPath = `/organizations/${encodeURIComponent(org)}`;
  const releasePath = (version: string) => `${orgPath}/releases/${encodeURIComponent(version)}/`;
  const slugToId = new Map<string, string>();

  function remember(release: SentryRelease) {
    for (const p of release.projects) slugToId.set(p.slug, p.id);
  }

  async function call<T>(what: string, method: 'GET' | 'POST' | 'PUT', path: string, options: Parameters<HttpClient['call']>[2] & { schema: z.ZodType<T> }) {
    try {
      return await http.call(method, path, options);
    } catch (error) {
      throw explainSentryError(error, { what, org, baseUrl: opts.sentryUrl, projects: opts.projects });
    }
  }

  async function sessionsQuery(version: string, environment: string, since: number, until: number, signal?: AbortSignal, padStart = true) {
    const ids = await projectIds(version, signal);
    const range = sessionsRange(since, until, padStart);
    const query = {
      project: [...ids.values()],
      environment,
      query: `release:"${version.replace(/"/g, '\\"')}"`,
      start: iso(range.start),
      end: iso(range.end),
      interval: range.interval,
      includeSeries: 0,
    };
    return { ids, query };
  }

  function readTotals(query: Awaited<ReturnType<typeof sessionsQuery>>['query'], signal?: AbortSignal) {
    return call('reading release health', 'GET', `${orgPath}/sessions/`, {
      query: { ...query, field: TOTALS_FIELDS, groupBy: 'project' },
      schema: sessionsSchemaFor(TOTALS_FIELDS, ['project']),
      signal,
    });
  }

  async function getRelease(version: string, signal?: AbortSignal): Promise<SentryRelease | null> {
    try {
      const { data } = await http.call('GET', releasePath(version), { schema: releaseSchema, ...(signal ? { signal } : {}) });
      remember(data);
      return data;
    } catch (error) {
      if (error instanceof Error && 'status' in error && error.status === 404) return null;
      throw explainSentryError(error, { what: `reading release ${version}`, org, baseUrl: opts.sentryUrl, projects: opts.projects });
    }
  }

  async function projectIds(version: string, signal?: AbortSignal): Promise<Map<string, string>> {
    if (opts.projects.some((slug) => !slugToId.has(slug))) {
      const release = await getRelease(version, signal);
      if (!release) throw new TrackerSetupError(`Sentry has no release "${version}" in organization "${org}": register it first (register: true) or check the release input.`);
    }
    const missing = opts.projects.filter((slug) => !slugToId.has(slug));
    if (missing.length) throw new TrackerSetupError(`Release "${version}" is not associated with project(s) ${missing.join(', ')} in Sentry.`);
    return new Map(opts.projects.map((slug) => [slug, slugToId.get(slug) as string]));
  }

  return {
    projectIds,
    async createRelease(version, projects) {
      const { status, data } = await call(`creating release ${version}`, 'POST', `${orgPath}/releases/`, {
        body: { version, projects },
        schema: releaseSchema,
        // 208 "Already Reported": the release exists with these projects; re-runs are fine.
        okStatuses: [208],
      });
      remember(data);
      return { created: status === 201 };
    },
    async getRelease(version) {
      const release = await getRelease(version);
      return release && toReleaseInfo(release);
    },
    async listRepos() {
      const { data } = await call('listing repositories', 'GET', `${orgPath}/repos/`, { schema: repoListSchema });
      return data.filter((r) => !r.status || r.status === 'active').map((r) => r.name);
    },
    async setRefs(version: string, refs: RefInput[]) {
      await call(`setting refs of ${version}`, 'PUT', releasePath(version), { body: { refs }, schema: anyJson });
    },
    async setCommits(version: string, commits: CommitInput[]) {
      await call(`associating commits with ${version}`, 'PUT', releasePath(version), { body: { commits }, schema: anyJson });
    },
    async listDeploys(version) {
      const { data } = await call(`listing deploys of ${version}`, 'GET', `${releasePath(version)}deploys/`, { schema: deployListSchema });
      return data;
    },
    async createDeploy(version, deploy) {
      const { data } = await call(`recording the deploy of ${version}`, 'POST', `${releasePath(version)}deploys/`, {
        body: {
          environment: deploy.environment,
          ...(deploy.name ? { name: deploy.name } : {}),
          ...(deploy.url ? { url: deploy.url } : {}),
          ...(deploy.dateStarted ? { dateStarted: deploy.dateStarted } : {}),
          dateFinished: deploy.dateFinished,
          projects: deploy.projects,
        },
        schema: deploySchema,
      });
      return data satisfies Deploy;
    },
    async finalize(version, dateReleased) {
      await call(`finalizing ${version}`, 'PUT', releasePath(version), { body: { dateReleased }, schema: anyJson });
    },
    async previousRelease(version, projects, environment) {
      // Sentry's list filters take numeric project ids; without them there is nothing sensible to ask.
      const ids = await projectIds(version);
      const { data } = await call('listing releases', 'GET', `${orgPath}/releases/`, {
        query: { project: projects.map((p) => ids.get(p) as string), environment, per_page: 25 },
        schema: releaseListSchema,
      });
      const current = data.find((r) => r.version === version);
      const before = (r: SentryRelease) => !current?.dateCreated || r.dateCreated < current.dateCreated;
      const candidates = data.filter((r) => r.version !== version && before(r));
      // Prefer what was last deployed to this environment; else the newest release created before this one.
      const deployed = candidates
        .filter((r) => r.lastDeploy?.environment === environment)
        .sort((a, b) => byNewest(a.lastDeploy?.dateFinished ?? '', b.lastDeploy?.dateFinished ?? ''));
      const chosen = deployed[0] ?? candidates.sort((a, b) => byNewest(a.dateCreated, b.dateCreated))[0];
      return chosen ? toReleaseInfo(chosen) : null;
    },
    async sample({ version, environment, since, until, unhealthy = false, signal }): Promise<HealthSample> {
      const { ids, query } = await sessionsQuery(version, environment, since, until, signal);
      const readStatuses = () =>
        call('reading release health', 'GET', `${orgPath}/sessions/`, {
          query: { ...query, field: STATUS_FIELDS, groupBy: ['project', 'session.status'] },
          schema: sessionsSchemaFor(STATUS_FIELDS, ['project', 'session.status']),
          signal,
        });
      // crash_free_rate cannot be grouped by session.status: unhealthy sessions
      // take a second request, asked for only when the error-rate check needs
      // them or the tracker gave no crash_free_rate to count crashes from.
      if (unhealthy) {
        const [totals, statuses] = await Promise.all([readTotals(query, signal), readStatuses()]);
        return toHealthSample(totals.data, statuses.data, slugsOf(ids), until);
      }
      const totals = await readTotals(query, signal);
      const statuses = totalsSuffice(totals.data) ? null : (await readStatuses()).data;
      return toHealthSample(totals.data, statuses, slugsOf(ids), until);
    },
    async usersBetween({ version, environment, since, until, signal }): Promise<UserCounts> {
      // Not padded: this span starts mid-window, and Sentry's rounding may only
      // trim its start, which leaves a shorter span, not a wrong one.
      const { ids, query } = await sessionsQuery(version, environment, since, until, signal, false);
      return toUserCounts((await readTotals(query, signal)).data, slugsOf(ids));
    },
    async newIssues({ version, projects, environment, signal }): Promise<NewIssue[]> {
      const ids = await projectIds(version, signal);
      const { data } = await call('listing new issues', 'GET', `${orgPath}/issues/`, {
        query: {
          project: projects.map((p) => ids.get(p) as string),
          environment,
          query: `firstRelease:"${version.replace(/"/g, '\\"')}"`,
          sort: 'user',
          // The most users first: the one that decides the check is on the first page.
          limit: 100,
        },
        schema: issueListSchema,
        signal,
      });
      return data.map((i) => ({ ...i, project: i.project.slug }));
    },
    newerDeploy: (q) =>
      findNewerDeploy({
        projectIds,
        listReleases: async (query, signal) => (await call('listing releases', 'GET', `${orgPath}/releases/`, { query, schema: releaseListSchema, signal })).data,
        listDeploys: async (version, signal) => (await call(`listing deploys of ${version}`, 'GET', `${releasePath(version)}deploys/`, { schema: deployListSchema, signal })).data,
      }, q),
    releaseUrl(version, project) {
      return releasePageUrl(opts.sentryUrl, org, version, project ? slugToId.get(project) : undefined);
    },
  };
}
