export { startLocalTracker, type LocalTracker, type LocalTrackerOptions, type LoggedRequest } from './server';
export { listScenarios, getScenario, type Scenario, type IssueSpec } from './scenarios';
export { simClock, type SimClock } from './clock';
export type { Fault, Faults } from './faults';
export type { ProjectTraffic, Phase, Rates, ScriptedSession, SessionStatus } from './traffic';
