import type * as z from 'zod';
import type { HttpClient } from '../../http/client';
import { nextPage } from '../link';
import { explainVendorError } from '../vendor-error';
import {
  type BugsnagBuild,
  type BugsnagError,
  buildListSchema,
  errorListSchema,
  type ReleaseGroup,
  releaseGroupListSchema,
  releaseGroupSchema,
} from './schemas';

/**
 * Bugsnag's Data Access API v2 as the gate uses it. Requests carry
 * `Authorization: token …` and `X-Version: 2` (the client is built with
 * them); lists are paged by the Link header; a 429 waits for Retry-After
 * (the HTTP client's rate-limit handling).
 *
 * Endpoints (https://docs.bugsnag.com/api/data-access/, reference at
 * https://bugsnagapiv2.docs.apiary.io/):
 *   GET /projects/{project_id}/release_groups?release_stage_name=…&per_page=…
 *   GET /release_groups/{release_group_id}
 *   GET /projects/{project_id}/releases?release_stage=…  (builds)
 *   GET /projects/{project_id}/errors?filters[version.introduced_in][][type]=eq&…
 */
export interface BugsnagApi {
  releaseGroups(environment: string, signal?: AbortSignal): Promise<ReleaseGroup[]>;
  releaseGroup(id: string, signal?: AbortSignal): Promise<ReleaseGroup>;
  builds(environment: string, signal?: AbortSignal): Promise<BugsnagBuild[]>;
  errorsIntroducedIn(version: string, environment: string, signal?: AbortSignal): Promise<BugsnagError[]>;
  readonly http: HttpClient;
}

/** Pages read per list at most: the newest release groups and the most-affecting errors are on the first. */
const MAX_PAGES = 5;
const PER_PAGE = 100;

export function bugsnagApi(http: HttpClient, opts: { baseUrl: string; projectId: string }): BugsnagApi {
  const project = `/projects/${encodeURIComponent(opts.projectId)}`;
  const where = `bugsnag-project-id ("${opts.projectId}") and bugsnag-url`;

  async function call<T>(what: string, path: string, schema: z.ZodType<T>, query: Record<string, string | number> | undefined, signal?: AbortSignal) {
    try {
      return await http.call('GET', path, { schema, ...(query ? { query } : {}), ...(signal ? { signal } : {}) });
    } catch (error) {
      throw explainVendorError(error, {
        vendor: 'Bugsnag',
        what,
        tokenInput: 'bugsnag-token',
        needs: 'a personal auth token of a user with access to the project',
        where,
      });
    }
  }

  async function paged<T>(what: string, path: string, schema: z.ZodType<T[]>, query: Record<string, string | number>, signal?: AbortSignal): Promise<T[]> {
    const all: T[] = [];
    let next: string | null = path;
    let first = true;
    for (let page = 0; next !== null && page < MAX_PAGES; page++) {
      const res: { data: T[]; headers: Record<string, string | string[] | undefined> } = await call(what, next, schema, first ? query : undefined, signal);
      all.push(...res.data);
      next = nextPage(res.headers.link, opts.baseUrl);
      first = false;
    }
    return all;
  }

  return {
    http,
    releaseGroups: (environment, signal) =>
      paged(
        'listing release groups',
        `${project}/release_groups`,
        releaseGroupListSchema,
        { release_stage_name: environment, top_only: 'false', visible_only: 'false', per_page: PER_PAGE },
        signal,
      ),
    releaseGroup: async (id, signal) =>
      (await call('reading the release group', `/release_groups/${encodeURIComponent(id)}`, releaseGroupSchema, undefined, signal)).data,
    builds: (environment, signal) =>
      paged('listing builds', `${project}/releases`, buildListSchema, { release_stage: environment, per_page: PER_PAGE }, signal),
    errorsIntroducedIn: (version, environment, signal) =>
      paged(
        'listing errors introduced in the release',
        `${project}/errors`,
        errorListSchema,
        {
          'filters[version.introduced_in][][type]': 'eq',
          'filters[version.introduced_in][][value]': version,
          'filters[app.release_stage][][type]': 'eq',
          'filters[app.release_stage][][value]': environment,
          sort: 'users',
          direction: 'desc',
          per_page: PER_PAGE,
        },
        signal,
      ),
  };
}
