import type { Inputs } from '../config/schema';
import type { GatePolicy } from '../gate/types';
import { sentryChecks } from '../sources/sentry/checks';

/** The checks and the test's settings the inputs ask for, with the absolute limits. */
export function policyFromInputs(inputs: Inputs): GatePolicy {
  return {
    checks: [...sentryChecks(inputs)],
    confidence: inputs.confidence,
    minSessions: inputs['min-sessions'],
    passEarly: inputs['pass-early'],
    passMargin: inputs['pass-margin'],
  };
}
