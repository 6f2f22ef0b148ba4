import type { z } from 'zod';
import type { HttpClient } from '../../http/client';
import type { CommitInput, Deploy, HealthSample, NewIssue, RefInput, ReleaseInfo, Tracker, UserCounts } from './types';
import { ReleaseNotFoundError, TrackerAnswerError, TrackerSetupError } from '../errors';
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
  type SessionsResponse,
  sessionsSchemaFor,
} from './schemas';
import {
  checkAnswer,
  COUNT_FIELDS,
  decrease,
  RATE_FIELDS,
  sessionsRange,
  STATUS_FIELDS,
  toHealthSample,
  totalsSuffice,
  toUserCounts,
  usersSuffice,
} from './sessions';
import { HttpError } from '../../http/errors';
import { findNewerDeploy } from './newer-deploy';
import { releasePageUrl } from './urls';
import { serverTime } from '../../util/text';
import { CLOCK_SKEW_MS } from '../../util/server-time';

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

/** Thrown inside the adapter when Sentry refused minute intervals: the read is asked again by the hour. */
class StepsRefused extends Error {}

/** The answer to a range with nothing settled in it. */
const NO_GROUPS: SessionsResponse = { groups: [] };

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

  async function sessionsQuery(version: string, environment: string, since: number, until: number, signal?: AbortSignal, cover = true, settled = false) {
    const ids = await projectIds(version, signal);
    const range = sessionsRange(since, until, { cover, groups: ids.size, hourly: !minuteSteps, settled });
    const query = {
      project: [...ids.values()],
      environment,
      query: `release:"${version.replace(/"/g, '\\"')}"`,
      start: iso(range.start),
      end: iso(range.end),
      interval: range.interval,
      includeSeries: 0,
    };
    // A settled range with no whole interval in it holds no settled data: nothing to ask.
    return { ids, query, at: range.end, empty: settled && range.end <= range.start };
  }

  type SessionsQuery = Awaited<ReturnType<typeof sessionsQuery>>['query'];

  // Older Sentry (before its date range used to_intervals) refuses minute intervals over more than
  // 6 hours (sessions_v2.get_constrained_date_range): then whole hours.
  let minuteSteps = true;
  function minutesRefused(error: unknown): boolean {
    if (!(minuteSteps && error instanceof HttpError && error.status === 400 && /one-minute resolution/.test(error.body))) return false;
    minuteSteps = false;
    return true;
  }
  async function withSteps<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof StepsRefused) return read();
      throw error;
    }
  }

  /**
   * One sessions request, checked as an answer (see checkAnswer); Sentry refusing minute steps is told apart.
   * `required`: the fields every group must have (rates may be missing: the sessions backend drops them).
   */
  async function readSessions(
    query: SessionsQuery,
    request: { field: readonly string[]; required: readonly string[]; groupBy: readonly string[] },
    signal?: AbortSignal,
  ) {
    try {
      const { data } = await http.call('GET', `${orgPath}/sessions/`, {
        query: { ...query, field: [...request.field], groupBy: request.groupBy.length === 1 ? request.groupBy[0] : [...request.groupBy] },
        schema: sessionsSchemaFor(request.required, request.groupBy),
        ...(signal ? { signal } : {}),
      });
      checkAnswer(data);
      return data;
    } catch (error) {
      if (minutesRefused(error)) throw new StepsRefused();
      throw explainSentryError(error, { what: 'reading release health', org, baseUrl: opts.sentryUrl, projects: opts.projects });
    }
  }

  const readTotals = (query: SessionsQuery, signal?: AbortSignal) =>
    readSessions(query, { field: [...COUNT_FIELDS, ...RATE_FIELDS], required: COUNT_FIELDS, groupBy: ['project'] }, signal);

  const readStatuses = (query: SessionsQuery, signal?: AbortSignal) =>
    readSessions(query, { field: STATUS_FIELDS, required: STATUS_FIELDS, groupBy: ['project', 'session.status'] }, signal);

  // The last accepted sample per watched range: cumulative counts cannot go down.
  const lastSamples = new Map<string, HealthSample>();

  async function getRelease(version: string, signal?: AbortSignal, what = `reading release ${version}`): Promise<SentryRelease | null> {
    try {
      const { data } = await http.call('GET', releasePath(version), { schema: releaseSchema, ...(signal ? { signal } : {}) });
      remember(data);
      return data;
    } catch (error) {
      if (error instanceof Error && 'status' in error && error.status === 404) return null;
      throw explainSentryError(error, { what, org, baseUrl: opts.sentryUrl, projects: opts.projects });
    }
  }

  async function projectIds(version: string, signal?: AbortSignal): Promise<Map<string, string>> {
    if (opts.projects.some((slug) => !slugToId.has(slug))) {
      const release = await getRelease(version, signal);
      if (!release)
        throw new ReleaseNotFoundError(
          `Sentry has no release "${version}" in organization "${org}": register it first (register: true) or check the release input.`,
        );
    }
    const missing = opts.projects.filter((slug) => !slugToId.has(slug));
    if (missing.length) throw new TrackerSetupError(`Release "${version}" is not associated with project(s) ${missing.join(', ')} in Sentry.`);
    return new Map(opts.projects.map((slug) => [slug, slugToId.get(slug) as string]));
  }

  return {
    projectIds,
    async createRelease(version, projects) {
      // Sentry answers 201 also when an existing release gained a project
      // (organization_releases.py): only a release it did not have is created.
      const existed = (await getRelease(version, undefined, `creating release ${version}`)) !== null;
      const { status, data } = await call(`creating release ${version}`, 'POST', `${orgPath}/releases/`, {
        body: { version, projects },
        schema: releaseSchema,
        // 208 "Already Reported": the release exists with these projects; re-runs are fine.
        okStatuses: [208],
      });
      remember(data);
      return { created: status === 201 && !existed };
    },
    async getRelease(version) {
      const release = await getRelease(version);
      return release && toReleaseInfo(release);
    },
    async listRepos(name) {
      // One page holds 100: filtered by name, an organization with more still finds its repository.
      const { data } = await call('listing repositories', 'GET', `${orgPath}/repos/`, { ...(name ? { query: { query: name } } : {}), schema: repoListSchema });
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
      const body = {
        environment: deploy.environment,
        ...(deploy.name ? { name: deploy.name } : {}),
        ...(deploy.url ? { url: deploy.url } : {}),
        ...(deploy.dateStarted ? { dateStarted: deploy.dateStarted } : {}),
        dateFinished: deploy.dateFinished,
      };
      const post = (withProjects: boolean) =>
        http.call('POST', `${releasePath(version)}deploys/`, { body: withProjects ? { ...body, projects: deploy.projects } : body, schema: deploySchema });
      try {
        return (await post(true)).data satisfies Deploy;
      } catch (error) {
        // Sentry before getsentry/sentry#78026 checks `projects` against the
        // token's project access, which a project:releases token lacks; without
        // `projects` it records the deploy for the release's projects.
        if (!(error instanceof HttpError && error.status === 400 && /projects/.test(error.body) && /access/i.test(error.body))) {
          throw explainSentryError(error, { what: `recording the deploy of ${version}`, org, baseUrl: opts.sentryUrl, projects: opts.projects });
        }
      }
      try {
        return { ...(await post(false)).data, withoutProjects: true };
      } catch (error) {
        throw explainSentryError(error, { what: `recording the deploy of ${version}`, org, baseUrl: opts.sentryUrl, projects: opts.projects });
      }
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
    async sample({ version, environment, since, until, unhealthy = false, settled = false, signal }): Promise<HealthSample> {
      const sample = await withSteps(async () => {
        const { ids, query, at, empty } = await sessionsQuery(version, environment, since, until, signal, true, settled);
        if (empty) return toHealthSample(NO_GROUPS, null, slugsOf(ids), Math.max(at, since), unhealthy);
        // crash_free_rate cannot be grouped by session.status: the status query
        // is a second request, asked only when the tracker gave no rate to count
        // from (the sessions dataset of older self-hosted Sentry has none).
        // The error-rate check judges users with an unhealthy session (errors
        // cluster by user): only the status query counts them, and it also
        // counts the unhealthy sessions, so unhealthy_rate(session) is not asked.
        const totals = await readTotals(query, signal);
        const statuses = unhealthy || !totalsSuffice(totals) ? await readStatuses(query, signal) : null;
        // A settled sample ends where the query ended, on an interval boundary.
        return toHealthSample(totals, statuses, slugsOf(ids), settled ? at : until, unhealthy);
      });
      const key = JSON.stringify([version, environment, since]);
      const before = lastSamples.get(key);
      const down = before && before.at <= sample.at ? decrease(before, sample) : null;
      if (down) throw new TrackerAnswerError(`Sentry's cumulative counts went down since the last poll (${down})`);
      lastSamples.set(key, sample);
      return sample;
    },
    async usersBetween({ version, environment, since, until, settled = false, signal }): Promise<UserCounts> {
      // The span starts mid-window: asked from the next interval boundary, so
      // Sentry's rounding of start cannot reach back before it.
      return withSteps(async () => {
        const { ids, query, empty } = await sessionsQuery(version, environment, since, until, signal, false, settled);
        if (empty) return toUserCounts(NO_GROUPS, null, slugsOf(ids));
        const totals = await readTotals(query, signal);
        const statuses = usersSuffice(totals) ? null : await readStatuses(query, signal);
        return toUserCounts(totals, statuses, slugsOf(ids));
      });
    },
    async newIssues({ version, projects, environment, since, until, signal }): Promise<NewIssue[]> {
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
      // firstRelease is the release an issue was first seen in anywhere: one seen
      // in this environment before the deploy (or never) is not new here.
      const fresh = data.filter((i) => i.firstSeen !== null && (since === undefined || !(Date.parse(i.firstSeen) < since)));
      // A first sighting in the future is no sighting: a tracker that says so is
      // broken or hostile, and its answer must not fail (and roll back) a release.
      const future = until === undefined ? undefined : fresh.find((i) => Date.parse(i.firstSeen as string) > until + CLOCK_SKEW_MS);
      if (future)
        throw new TrackerAnswerError(
          `Sentry lists an issue of ${version} first seen in the future (${serverTime(future.firstSeen)}): the issues read is not used`,
        );
      return fresh.map((i) => ({ ...i, firstSeen: i.firstSeen as string, project: i.project.slug }));
    },
    newerDeploy: (q) =>
      findNewerDeploy(
        {
          projectIds,
          listReleases: async (query, signal) =>
            (await call('listing releases', 'GET', `${orgPath}/releases/`, { query, schema: releaseListSchema, signal })).data,
          listDeploys: async (version, signal) =>
            (await call(`listing deploys of ${version}`, 'GET', `${releasePath(version)}deploys/`, { schema: deployListSchema, signal })).data,
        },
        q,
      ),
    releaseUrl(version, project) {
      return releasePageUrl(opts.sentryUrl, org, version, project ? slugToId.get(project) : undefined);
    },
  };
}
