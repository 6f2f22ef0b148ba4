import type { Inputs } from '../../config/schema';
import { CHECK_LABELS, UNIT_LABELS } from '../sentry/checks';
import type { Check, RatioCheck } from '../types';

function crashFree(id: 'crash-free-users' | 'crash-free-sessions', minGood: number): RatioCheck {
  const maxBadRate = 1 - minGood;
  return {
    kind: 'ratio',
    id,
    label: CHECK_LABELS[id],
    source: 'bugsnag',
    maxBadRate,
    absoluteMaxBadRate: maxBadRate,
    limitSource: 'absolute',
    units: UNIT_LABELS[id],
    display: 'good',
  };
}

/** The checks Bugsnag serves, from the inputs: crash-free sessions and users, new issues (errors introduced). */
export function bugsnagChecks(inputs: Inputs): Check[] {
  const checks: Check[] = [];
  if (inputs['min-crash-free-users'] !== null) checks.push(crashFree('crash-free-users', inputs['min-crash-free-users']));
  if (inputs['min-crash-free-sessions'] !== null) checks.push(crashFree('crash-free-sessions', inputs['min-crash-free-sessions']));
  if (inputs['max-new-issue-users'] !== null)
    checks.push({ kind: 'count', id: 'new-issues', label: CHECK_LABELS['new-issues'], source: 'bugsnag', maxUsers: inputs['max-new-issue-users'] });
  return checks;
}
