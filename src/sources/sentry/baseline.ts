import type { Check, HealthSource, RatioCounts } from '../types';
import { trials } from './health';
import type { Tracker } from './types';

/** The checks a previous release's crash rate can tighten; the error-rate check stays absolute. */
const COMPARED = ['crash-free-users', 'crash-free-sessions'] as const;

/**
 * Sentry's baseline (baseline: previous-release): the previous release's
 * sessions and users over the window, by check id, from the same session
 * query the watch polls with.
 */
export function sentryBaseline(deps: { tracker: Tracker; projects: string[]; environment: string }): NonNullable<HealthSource['baseline']> {
  return async (checks: readonly Check[], window) => {
    const ids = COMPARED.filter((id) => checks.some((c) => c.kind === 'ratio' && c.source === 'sentry' && c.id === id));
    if (ids.length === 0) return {};
    const counts = await deps.tracker.sample({
      version: window.previous,
      projects: deps.projects,
      environment: deps.environment,
      since: window.since,
      until: window.until,
      signal: window.signal,
    });
    const byCheck: Record<string, RatioCounts> = {};
    for (const id of ids) byCheck[id] = trials(id, counts);
    return byCheck;
  };
}
