import type { Inputs } from '../../config/schema';
import { CHECK_LABELS } from '../sentry/checks';
import { rateRatioLimit } from '../../gate/rate-ratio';
import type { Check } from '../types';
import { RATE_CHECK_ID } from './health';

/**
 * The checks Rollbar serves, from the inputs: new items (their occurrences
 * stand in for users), and the error rate against the previous version's as
 * a ratio of "after" errors out of after + before in matched windows, whose
 * limit is r / (r + 1) (src/gate/rate-ratio.ts).
 */
export function rollbarChecks(inputs: Inputs): Check[] {
  const checks: Check[] = [];
  const r = inputs['max-error-rate-increase'];
  if (r !== null) {
    const p0 = rateRatioLimit(r);
    checks.push({
      kind: 'ratio',
      id: RATE_CHECK_ID,
      label: `errors after the deploy vs before (at most ${r}x)`,
      source: 'rollbar',
      maxBadRate: p0,
      absoluteMaxBadRate: p0,
      limitSource: 'absolute',
      units: { trials: 'errors in matched minutes before and after', bad: 'after the deploy' },
      display: 'bad',
    });
  }
  if (inputs['max-new-issue-users'] !== null)
    checks.push({
      kind: 'count',
      id: 'new-issues',
      label: `${CHECK_LABELS['new-issues']} (occurrences)`,
      source: 'rollbar',
      maxUsers: inputs['max-new-issue-users'],
    });
  return checks;
}
