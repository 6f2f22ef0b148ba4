import { matchedWindows } from '../../gate/rate-ratio';
import { TrackerAnswerError } from '../errors';
import { CLOCK_SKEW_MS } from '../../util/server-time';
import type { Check, HealthPoll, HealthSource, Observation, PollWindow } from '../types';
import type { RollbarApi } from './api';
import { deploysAround, deployTime } from './registrar';
import type { RollbarItem } from './schemas';
import type { IssueItem } from '../issue-item';

/**
 * Release health from Rollbar's REST API. Rollbar has no sessions, so no
 * crash-free rate; it has:
 *  - items first seen in this code version (the Versions API, event=new):
 *    the new-issue check. Rollbar's item lists carry no per-item user count
 *    on every plan, so an item's occurrences stand in for its users (the
 *    README says so);
 *  - occurrences per minute in the environment (the occurrence_counts
 *    report): the error-rate-increase check, a ratio of "after" errors out
 *    of after + before over matched windows (see gate/rate-ratio.ts), whose
 *    limit r / (r + 1) the check carries.
 */
export const RATE_CHECK_ID = 'error-rate-increase';
const MINUTE = 60_000;

export interface RollbarHealthOptions {
  api: RollbarApi;
  version: string;
  environment: string;
}

function toItem(item: RollbarItem): IssueItem {
  return {
    id: String(item.id),
    shortId: item.counter != null ? `#${item.counter}` : String(item.id),
    title: item.title?.trim() || '(no title)',
    userCount: item.total_occurrences ?? 0,
    scope: null,
    culprit: null,
    permalink: null,
    project: '',
    count: item.total_occurrences ?? 0,
    firstSeen: item.first_occurrence_timestamp ? new Date(item.first_occurrence_timestamp * 1000).toISOString() : 'an unreadable time',
  };
}

export function createRollbarHealth(opts: RollbarHealthOptions): HealthSource {
  const { api, version, environment } = opts;
  // The previous deploy bounds the "before" window: older code ran before it. Read once: it does not move.
  let previousAt: Promise<number | null> | null = null;
  const previousDeployAt = (signal?: AbortSignal) =>
    (previousAt ??= api.deploys(signal).then(
      (deploys) => {
        const { previous } = deploysAround(deploys, version, environment);
        return previous ? deployTime(previous) : null;
      },
      (error: unknown) => {
        previousAt = null;
        throw error;
      },
    ));

  // The most each minute has counted at any poll. A minute only gains occurrences (late ones
  // arrive); one that lost some (an item deleted or merged, a broken or hostile answer) would
  // move the ratio without any change in the code, and a shrunken "before" fails a healthy release.
  const most = new Map<number, number>();

  async function rate(window: PollWindow): Promise<Observation | string> {
    const prev = await previousDeployAt(window.signal);
    const spans = matchedWindows(window.since, window.until, prev, MINUTE);
    if (!spans) return 'no whole minute since the deploy yet, or none between the previous deploy and this one';
    const counts = await api.occurrenceCounts(environment, window.signal);
    if (counts.length === 0 || Math.min(...counts.map(([t]) => t * 1000)) > spans.before.start) {
      return "Rollbar's occurrence counts do not reach back over the matched window before the deploy";
    }
    let after = 0;
    let before = 0;
    const seen = new Set<number>();
    for (const [t, n] of counts) {
      const at = t * 1000;
      if (seen.has(at)) throw new TrackerAnswerError('Rollbar listed the same minute of occurrence counts twice');
      seen.add(at);
      most.set(at, Math.max(most.get(at) ?? 0, n));
    }
    for (const [at, n] of most) {
      if (at >= spans.after.start && at < spans.after.end) after += n;
      else if (at >= spans.before.start && at < spans.before.end) before += n;
    }
    return { kind: 'ratio', counts: { n: after + before, k: after } };
  }

  return {
    name: 'rollbar',
    requests: () => api.http.requestCount,
    async poll(checks: readonly Check[], window: PollWindow): Promise<HealthPoll> {
      const mine = checks.filter((c) => c.source === 'rollbar');
      const observations: Record<string, Observation> = {};
      const missing: Record<string, string> = {};
      for (const check of mine) {
        if (check.kind === 'count') {
          // New in this version but first seen before this deploy (a re-deploy): not new now.
          const items = (await api.newItems(version, environment, window.signal)).filter(
            (i) => !(i.first_occurrence_timestamp != null && i.first_occurrence_timestamp * 1000 < window.since - CLOCK_SKEW_MS),
          );
          observations[check.id] = { kind: 'count', items: items.map(toItem) };
        } else if (check.kind === 'ratio' && check.id === RATE_CHECK_ID) {
          const got = await rate(window);
          if (typeof got === 'string') missing[check.id] = got;
          else observations[check.id] = got;
        }
      }
      return { at: Math.floor(window.until / MINUTE) * MINUTE, observations, ...(Object.keys(missing).length ? { missing } : {}) };
    },
  };
}
