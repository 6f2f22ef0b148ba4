import type { Deploy, NewerDeploy } from './types';
import type { SentryRelease } from './schemas';
import { pastServerTime } from '../../util/server-time';

export interface NewerDeployDeps {
  projectIds(version: string, signal?: AbortSignal): Promise<Map<string, string>>;
  listReleases(query: Record<string, string | string[] | number>, signal?: AbortSignal): Promise<SentryRelease[]>;
  listDeploys(version: string, signal?: AbortSignal): Promise<Deploy[]>;
}

/** Releases whose deploys are read one by one at most: each costs a request. */
const MAX_DEPLOY_LISTS = 10;

/**
 * The newest deploy to `environment`, by a loop (an 8 MiB answer holds more deploys than a spread may pass).
 * A time in the future is no deploy: a broken or hostile answer must not call off a rollback.
 */
function latestIn(deploys: Deploy[], environment: string, now: number): number {
  let latest = -Infinity;
  for (const d of deploys) {
    const at = d.environment === environment ? pastServerTime(d.dateFinished, now) : null;
    if (at !== null && at > latest) latest = at;
  }
  return latest;
}

/**
 * The newest deploy of another release to `environment` that finished after
 * the watched release's own newest deploy there (or `after`, whichever is
 * later), or null when the watched release is still the newest.
 *
 * Sentry has no organization-wide deploy list: the releases list, filtered to
 * the environment, gives each release's `lastDeploy`, the deploy created last
 * for it in any environment. A release last deployed elsewhere after `after`
 * may have reached this environment in between, so its deploys are read.
 */
export async function findNewerDeploy(
  deps: NewerDeployDeps,
  q: { version: string; projects: string[]; environment: string; after: number; now: number; signal?: AbortSignal },
): Promise<NewerDeploy | null> {
  const { version, environment, now, signal } = q;
  const ids = await deps.projectIds(version, signal);
  const [own, releases] = await Promise.all([
    deps.listDeploys(version, signal),
    deps.listReleases({ project: q.projects.map((p) => ids.get(p) as string), environment, per_page: 100 }, signal),
  ]);
  // A release rolled back and deployed again is live again: its newest deploy counts.
  const mine = Math.max(q.after, latestIn(own, environment, now));
  let newest: NewerDeploy | null = null;
  let lists = 0;
  for (const r of releases) {
    if (r.version === version || !r.lastDeploy) continue;
    const last = pastServerTime(r.lastDeploy.dateFinished, now);
    if (last === null || !(last > mine)) continue;
    let at = r.lastDeploy.environment === environment ? last : -Infinity;
    if (at === -Infinity && lists++ < MAX_DEPLOY_LISTS) at = latestIn(await deps.listDeploys(r.version, signal), environment, now);
    if (at > mine && (!newest || at > Date.parse(newest.dateFinished))) newest = { version: r.version, dateFinished: new Date(at).toISOString() };
  }
  return newest;
}
