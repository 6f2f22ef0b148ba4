import type { Inputs } from '../../config/schema';
import { CHECK_LABELS, DISPLAY, UNIT_LABELS } from '../../gate/format';
import type { RateCheckId } from '../../gate/types';
import type { Check, CountCheck, RatioCheck } from '../types';

/** A session check of Sentry's at `maxBadRate` (an absolute limit until a baseline moves it). */
export function sessionCheck(id: RateCheckId, maxBadRate: number): RatioCheck {
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
