import type { Inputs } from '../config/schema';
import type { GatePolicy, RateLimit } from './types';

/** The absolute limits the inputs ask for, as maximum bad rates (p0). */
export function policyFromInputs(inputs: Inputs): GatePolicy {
  const limits: RateLimit[] = [];
  const add = (id: RateLimit['id'], maxBadRate: number | null) => {
    if (maxBadRate !== null) limits.push({ id, maxBadRate, absoluteMaxBadRate: maxBadRate, source: 'absolute' });
  };
  const cfu = inputs['min-crash-free-users'];
  const cfs = inputs['min-crash-free-sessions'];
  add('crash-free-users', cfu === null ? null : 1 - cfu);
  add('crash-free-sessions', cfs === null ? null : 1 - cfs);
  add('error-rate', inputs['max-error-rate']);
  return {
    limits,
    confidence: inputs.confidence,
    minSessions: inputs['min-sessions'],
    passEarly: inputs['pass-early'],
    passMargin: inputs['pass-margin'],
    ...(inputs['max-new-issue-users'] === null ? {} : { maxNewIssueUsers: inputs['max-new-issue-users'] }),
  };
}
