import { inputsSchema } from './schema';
import { sentryOptionalShape, type TrackerName } from './tracker-inputs';

// With Bugsnag or Rollbar, Sentry's required inputs may be unset; the schema's
// refinements (the cross-field rules) are kept.
const notSentry = inputsSchema.safeExtend(sentryOptionalShape);

/** The schema the raw inputs are parsed with, for the tracker they select (null: an unknown one, whose value the schema reports). */
export function schemaFor(tracker: TrackerName | null): typeof inputsSchema {
  return tracker === 'sentry' ? inputsSchema : (notSentry as unknown as typeof inputsSchema);
}
