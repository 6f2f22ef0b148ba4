import type { Inputs } from '../../config/schema';
import type { Check, CountCheck, RatioCheck } from '../types';

/** The ratio checks Sentry's session counts serve. */
export type SessionCheckId = 'crash-free-users' | 'crash-free-sessions' | 'error-rate';

/** What people read for each of Sentry's checks: the one place these labels are written. */
export const CHECK_LABELS: Record<SessionCheckId | 'new-issues', string> = {
  'crash-free-users': 'crash-free users',
  'crash-free-sessions': 'crash-free sessions',
  'error-rate': 'error rate',
  'new-issues': 'new issues',
};

/** Which share people read for each session check. */
export const DISPLAY: Record<SessionCheckId, RatioCheck['display']> = {
  'crash-free-users': 'good',
  'crash-free-sessions': 'good',
  'error-rate': 'bad',
};

/** What n and k count for each session check. */
export const UNIT_LABELS: Record<SessionCheckId, RatioCheck['units']> = {
  'crash-free-users': { trials: 'users', bad: 'crashed' },
  'crash-free-sessions': { trials: 'sessions', bad: 'crashed' },
  'error-rate': { trials: 'sessions', bad: 'errored' },
};

/** The label of one of Sentry's checks by id (a baseline row names its check by id), else the id. */
export const labelOf = (id: string): string => (CHECK_LABELS as Record<string, string>)[id] ?? id;

/** Which share one of Sentry's checks shows, by id. */
export const displayOf = (id: string): RatioCheck['display'] => (DISPLAY as Record<string, RatioCheck['display']>)[id] ?? 'bad';

/** A session check of Sentry's at `maxBadRate` (an absolute limit until a baseline moves it). */
export function sessionCheck(id: SessionCheckId, maxBadRate: number): RatioCheck {
  return {
    kind: 'ratio',
    id,
    label: CHECK_LABELS[id],
    source: 'sentry',
    maxBadRate,
    absoluteMaxBadRate: maxBadRate,
    limitSource: 'absolute',
    units: UNIT_LABELS[id],
    display: DISPLAY[id],
  };
}

/** The new-issue check: fails when one issue new in the release affects more than `maxUsers` users. */
export function newIssuesCheck(maxUsers: number): CountCheck {
  return { kind: 'count', id: 'new-issues', label: CHECK_LABELS['new-issues'], source: 'sentry', maxUsers };
}

/** The checks Sentry serves, from the inputs: crash-free users and sessions, error rate, new issues. */
export function sentryChecks(inputs: Inputs): Check[] {
  const checks: Check[] = [];
  const cfu = inputs['min-crash-free-users'];
  const cfs = inputs['min-crash-free-sessions'];
  if (cfu !== null) checks.push(sessionCheck('crash-free-users', 1 - cfu));
  if (cfs !== null) checks.push(sessionCheck('crash-free-sessions', 1 - cfs));
  if (inputs['max-error-rate'] !== null) checks.push(sessionCheck('error-rate', inputs['max-error-rate']));
  if (inputs['max-new-issue-users'] !== null) checks.push(newIssuesCheck(inputs['max-new-issue-users']));
  return checks;
}
