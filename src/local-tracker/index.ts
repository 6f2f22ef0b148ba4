export { startLocalTracker, type LocalTracker, type LocalTrackerOptions, type LoggedRequest } from './server';
export { listScenarios, getScenario, type Scenario, type IssueSpec } from './scenarios';
export { simClock, type SimClock } from './clock';
export { sessionRequestsByPoll } from './requests';
export type { Fault, Faults } from './faults';
export { Traffic, type ProjectTraffic, type Phase, type Rates, type ScriptedSession, type SessionStatus, type TrafficModel } from './traffic';
export type { RequestTraffic, RequestPhase } from './metrics';
