import { TrackerAnswerError } from '../errors';
import { serverTime } from '../../util/text';
import { CLOCK_SKEW_MS } from '../../util/server-time';
import type { IssueItem } from '../issue-item';
import type { SessionSample, Check, HealthPoll, HealthSource, Observation, PollWindow } from '../types';
import type { BugsnagApi } from './api';
import type { BugsnagError, ReleaseGroup } from './schemas';

/**
 * Release health from Bugsnag's Data Access API: the release group of this
 * version in the release stage gives total_sessions_count and
 * unhandled_sessions_count (Bugsnag's stability score is the crash-free
 * share of sessions) and, where the API gives them, daily users seen and
 * daily users with an unhandled error; errors introduced in this version
 * feed the new-issue check with their user counts.
 *
 * Less than Sentry: the counts run from the release group's first session,
 * not from the deploy, and cannot be cut at `until` (no time range): a
 * re-deploy of a version already seen is judged on the sessions since the
 * first poll (the group's counts then are taken off), and no second-half
 * (`recent`) counts exist. Users are daily users summed over
 * days: within a watch of minutes they are the users.
 */
export const BUGSNAG_RATIO_CHECKS = ['crash-free-sessions', 'crash-free-users'] as const;

export interface BugsnagHealthOptions {
  api: BugsnagApi;
  version: string;
  environment: string;
}

function ratioOf(n: number | null | undefined, k: number | null | undefined, what: string): Observation | null {
  if (n == null || k == null) return null;
  if (k > n) throw new TrackerAnswerError(`Bugsnag's release group counts more ${what} with unhandled errors (${k}) than ${what} (${n})`);
  return { kind: 'ratio', counts: { n, k } };
}

function toItem(e: BugsnagError): IssueItem {
  const title = [e.error_class, e.message].filter((s) => typeof s === 'string' && s.trim() !== '').join(': ') || '(no message)';
  return {
    id: e.id,
    shortId: e.id.slice(0, 12),
    title,
    userCount: e.users,
    scope: null,
    culprit: null,
    permalink: null,
    project: '',
    count: e.events ?? 0,
    firstSeen: serverTime(e.first_seen),
  };
}

export function createBugsnagHealth(opts: BugsnagHealthOptions): HealthSource {
  const { api, version, environment } = opts;
  let groupId: string | null = null;
  // Counts only grow: a group whose counts went down is not the same data (a broken or hostile answer).
  let last: ReleaseGroup | null = null;
  // A re-deploy of a version this stage saw before: its group carries the earlier sessions, which
  // would judge this deploy by old history (a crash-prone week fails a healthy re-deploy). Its
  // counts at the first poll are taken off every later poll's. Daily users cannot be cut that way
  // (a user seen before the deploy and crashing after it adds a bad user and no user), so the
  // crash-free-users check has no data then.
  let before: { sessions: number; unhandled: number } | null = null;
  let baseTaken = false;

  function takeBase(group: ReleaseGroup, since: number) {
    if (baseTaken) return;
    baseTaken = true;
    const first = typeof group.first_released_at === 'string' ? Date.parse(group.first_released_at) : NaN;
    if (Number.isFinite(first) && first < since - CLOCK_SKEW_MS)
      before = { sessions: group.total_sessions_count ?? 0, unhandled: group.unhandled_sessions_count ?? 0 };
  }
  const since = (n: number | null | undefined, base: number) => (n == null ? n : Math.max(0, n - base));

  async function findGroup(signal?: AbortSignal): Promise<ReleaseGroup | null> {
    if (groupId) return api.releaseGroup(groupId, signal);
    // The stage is checked too: another stage's group of this version (staging's crashes) is not this release's health.
    const group =
      (await api.releaseGroups(environment, signal)).find(
        (g) => g.app_version === version && (g.release_stage_name == null || g.release_stage_name === environment),
      ) ?? null;
    if (group) groupId = group.id;
    return group;
  }

  return {
    name: 'bugsnag',
    requests: () => api.http.requestCount,
    async poll(checks: readonly Check[], window: PollWindow): Promise<HealthPoll> {
      const mine = checks.filter((c) => c.source === 'bugsnag');
      const observations: Record<string, Observation> = {};
      const missing: Record<string, string> = {};
      const ratios = mine.filter((c) => c.kind === 'ratio');
      if (ratios.length > 0) {
        const group = await findGroup(window.signal);
        if (
          group &&
          last &&
          ((group.total_sessions_count ?? 0) < (last.total_sessions_count ?? 0) || (group.unhandled_sessions_count ?? 0) < (last.unhandled_sessions_count ?? 0))
        ) {
          throw new TrackerAnswerError("Bugsnag's session counts for the release went down since the last poll");
        }
        if (group) {
          last = group;
          takeBase(group, window.since);
        }
        for (const check of ratios) {
          const obs =
            group === null
              ? null
              : check.id === 'crash-free-sessions'
                ? ratioOf(since(group.total_sessions_count, before?.sessions ?? 0), since(group.unhandled_sessions_count, before?.unhandled ?? 0), 'sessions')
                : check.id === 'crash-free-users' && !before
                  ? ratioOf(group.accumulative_daily_users_seen, group.accumulative_daily_users_with_unhandled, 'users')
                  : null;
          if (obs) observations[check.id] = obs;
          else
            missing[check.id] =
              group === null
                ? `Bugsnag has no release group for this version in ${environment} yet (no build or session seen)`
                : before && check.id === 'crash-free-users'
                  ? "this version was released to the stage before: Bugsnag's daily user counts cannot be cut at this deploy"
                  : 'Bugsnag gave no counts for it';
        }
      }
      for (const check of mine.filter((c) => c.kind === 'count')) {
        // Introduced in this version but first seen before this deploy (a re-deploy): not new now.
        const errors = (await api.errorsIntroducedIn(version, environment, window.signal)).filter(
          (e) => !(Date.parse(e.first_seen ?? '') < window.since - CLOCK_SKEW_MS),
        );
        observations[check.id] = { kind: 'count', items: errors.map(toItem) };
      }
      // The release group's sessions and users, for the min-sessions rule, the progress line, the chart and the outputs.
      const totals: SessionSample | undefined =
        last && last.total_sessions_count != null && last.unhandled_sessions_count != null
          ? {
              at: window.until,
              projects: {},
              sessions: Math.max(0, last.total_sessions_count - (before?.sessions ?? 0)),
              crashedSessions: Math.max(0, last.unhandled_sessions_count - (before?.unhandled ?? 0)),
              erroredSessions: null,
              users: before ? 0 : (last.accumulative_daily_users_seen ?? 0),
              crashedUsers: before ? 0 : (last.accumulative_daily_users_with_unhandled ?? 0),
            }
          : undefined;
      return { at: window.until, observations, ...(Object.keys(missing).length ? { missing } : {}), ...(totals ? { totals } : {}) };
    },
  };
}
