/**
 * `sdk`: a tracker that invents nothing. Every session and issue comes from what SDKs send to
 * the envelope endpoint, with no ingestion delay, for a CI job that runs its app against it.
 */
import type { Scenario } from '../scenarios';

export const SDK_SCENARIO = 'sdk';

export function sdkScenario(): Scenario {
  return {
    name: SDK_SCENARIO,
    description: 'No invented traffic: only the sessions and events SDKs send to the DSN.',
    seed: 1,
    environment: 'production',
    projectSlugs: ['shop-web'],
    projects: [{ sessionsPerMinute: 0, phases: [{ fromMinute: 0, crash: 0 }] }],
    ingestionDelaySec: 0,
    previousRelease: { version: 'shop-web@1.4.0', deployedMinutesBeforeStart: 180 },
    issues: [],
    repos: ['acme/shop'],
  };
}
