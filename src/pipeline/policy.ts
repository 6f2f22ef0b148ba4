import type { Inputs } from '../config/schema';
import type { GatePolicy } from '../gate/types';
import type { Check } from '../sources/types';
import { sentryChecks } from '../sources/sentry/checks';
import { usesSentry } from '../config/metrics-inputs';
import { bugsnagChecks } from '../sources/bugsnag/checks';
import { rollbarChecks } from '../sources/rollbar/checks';

/** The checks and the test's settings the inputs ask for, with the absolute limits, and the checks the sources add. */
export function policyFromInputs(inputs: Inputs, extra: readonly Check[] = []): GatePolicy {
  return {
    checks: [
      ...(inputs.tracker === 'bugsnag'
        ? bugsnagChecks(inputs)
        : inputs.tracker === 'rollbar'
          ? rollbarChecks(inputs)
          : usesSentry(inputs)
            ? sentryChecks(inputs)
            : []),
      ...extra,
    ],
    confidence: inputs.confidence,
    minSessions: inputs['min-sessions'],
    passEarly: inputs['pass-early'],
    passMargin: inputs['pass-margin'],
  };
}
