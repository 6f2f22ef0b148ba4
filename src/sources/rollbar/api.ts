import type * as z from 'zod';
import type { HttpClient } from '../../http/client';
import * as zod from 'zod';
import { HttpError } from '../../http/errors';
import { explainVendorError } from '../vendor-error';

const anyAnswer = zod.unknown();
import {
  deployCreatedSchema,
  deployListSchema,
  deployUpdatedSchema,
  occurrenceCountsSchema,
  type RollbarDeploy,
  type RollbarItem,
  versionItemsSchema,
} from './schemas';

/**
 * Rollbar's REST API as the gate uses it, all on every plan (no RQL). The
 * token goes in `X-Rollbar-Access-Token`; a 429 waits for the
 * X-Rate-Limit-Reset the answer carries (the HTTP client).
 *
 *   POST  /api/1/deploy                 https://docs.rollbar.com/reference/post-deploy
 *   PATCH /api/1/deploy/{deploy_id}     https://docs.rollbar.com/reference/update-a-deploy
 *   GET   /api/1/deploys?page=N         https://docs.rollbar.com/reference/list-all-deploys
 *   GET   /api/1/versions/{version}/items?environment=…&event=new
 *                                       https://docs.rollbar.com/docs/decision-support-with-versions-api
 *   GET   /api/1/reports/occurrence_counts?environment=…&bucket_size=60&min_level=error
 *                                       https://docs.rollbar.com/reference/get-occurrence-counts
 */
export interface RollbarApi {
  readonly http: HttpClient;
  deploys(signal?: AbortSignal): Promise<RollbarDeploy[]>;
  createDeploy(body: Record<string, string>, signal?: AbortSignal): Promise<number>;
  finishDeploy(id: number, signal?: AbortSignal): Promise<void>;
  newItems(version: string, environment: string, signal?: AbortSignal): Promise<RollbarItem[]>;
  occurrenceCounts(environment: string, signal?: AbortSignal): Promise<[number, number][]>;
}

const DEPLOY_PAGES = 3;
const READ = 'a project access token with the read scope';
const WRITE = 'a project access token with the post_server_item or write scope';

export function rollbarApi(http: HttpClient): RollbarApi {
  async function call<T>(
    what: string,
    needs: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    opts: { schema: z.ZodType<T>; query?: Record<string, string | number>; body?: unknown; signal?: AbortSignal | undefined },
  ) {
    try {
      const { signal, ...rest } = opts;
      return (await http.call(method, path, { ...rest, ...(signal ? { signal } : {}) })).data;
    } catch (error) {
      throw explainVendorError(error, { vendor: 'Rollbar', what, tokenInput: 'rollbar-token', needs, where: 'rollbar-url and the version and environment' });
    }
  }
  return {
    http,
    async deploys(signal) {
      const all: RollbarDeploy[] = [];
      for (let page = 1; page <= DEPLOY_PAGES; page++) {
        const answer = await call('listing deploys', READ, 'GET', '/deploys', { schema: deployListSchema, query: { page }, signal });
        all.push(...answer.result.deploys);
        if (answer.result.deploys.length < 20) break;
      }
      return all;
    },
    createDeploy: (body, signal) => call('recording the deploy', WRITE, 'POST', '/deploy', { schema: deployCreatedSchema, body, signal }),
    async finishDeploy(id, signal) {
      await call('marking the deploy succeeded', WRITE, 'PATCH', `/deploy/${id}`, { schema: deployUpdatedSchema, body: { status: 'succeeded' }, signal });
    },
    async newItems(version, environment, signal) {
      // A version no occurrence has named yet is unknown to Rollbar (404): nothing new in it so far.
      try {
        await http.call('GET', `/versions/${encodeURIComponent(version)}`, { schema: anyAnswer, query: { environment }, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) return [];
      }
      const answer = await call('listing items new in the version', READ, 'GET', `/versions/${encodeURIComponent(version)}/items`, {
        schema: versionItemsSchema,
        query: { environment, event: 'new' },
        signal,
      });
      return answer.result;
    },
    async occurrenceCounts(environment, signal) {
      const answer = await call('reading occurrence counts', READ, 'GET', '/reports/occurrence_counts', {
        schema: occurrenceCountsSchema,
        query: { environment, bucket_size: 60, min_level: 'error' },
        signal,
      });
      return answer.result;
    },
  };
}
