import { ConfigError, loadConfig } from '../config/load';
import type { InputName } from '../config/schema';
import { policyFromInputs } from '../pipeline/policy';
import type { GatePolicy } from '../gate/types';
import type { Schedule } from '../pipeline/watch';

/** The inputs that shape the decision; replay takes these flags and no others. */
export const REPLAY_INPUTS = [
  'window',
  'interval',
  'initial-delay',
  'min-crash-free-users',
  'min-crash-free-sessions',
  'max-error-rate',
  'min-sessions',
  'confidence',
  'pass-early',
  'pass-margin',
] as const satisfies readonly InputName[];

// Stand-ins for the tracker inputs the schema requires: replay never talks to a tracker.
const OFFLINE: Partial<Record<InputName, string>> = {
  'sentry-auth-token': 'replay',
  'sentry-org': 'replay',
  'sentry-projects': 'replay',
  release: 'replay',
};

/**
 * Validates replay flags with the action's own schema (so `--window 10` or
 * `--confidence 95%` mean exactly what they mean in the action) and returns
 * the gate policy and schedule. Throws a ConfigError with one line per bad
 * flag, naming it as `--name`.
 */
export function replaySettings(raw: Partial<Record<InputName, string>>): { policy: GatePolicy; schedule: Schedule } {
  const allowed: ReadonlySet<string> = new Set(REPLAY_INPUTS);
  for (const name of Object.keys(raw)) {
    if (!allowed.has(name)) {
      const why = name === 'max-new-issue-users' ? 'replay files hold health counts, not issues' : 'replay only decides recorded health';
      throw new ConfigError(`--${name} does not apply to replay (${why}); replay takes --${REPLAY_INPUTS.join(', --')}`);
    }
  }
  let config;
  try {
    config = loadConfig((name) => raw[name] ?? OFFLINE[name], {});
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.message.replace(/^Input (\S+)/gm, '--$1'));
    throw error;
  }
  const { inputs } = config;
  return {
    policy: policyFromInputs(inputs),
    schedule: { windowMs: inputs.window, intervalMs: inputs.interval, initialDelayMs: inputs['initial-delay'] },
  };
}
