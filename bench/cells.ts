import { mulberry32 } from '../src/sim/simulate';
import { ratioChecks, type GatePolicy } from '../src/gate/types';
import type { Schedule } from '../src/pipeline/watch';
import { pollTimes } from '../src/replay/schedule';
import type { Decision, Strategy } from './strategies';
import { type Phase, simulateRelease, type TrafficSpec } from './traffic';

export type Kind = 'healthy' | 'at-limit' | 'regression';

export interface Scenario {
  key: string;
  label: string;
  kind: Kind;
  /** Phases as multiples of the limit p0 (user crash rate = multiple × p0). */
  phases: { fromSec: number; multiple: number }[];
  noisyUser?: { sessionsPerMinute: number };
}

const steady = (multiple: number) => [{ fromSec: 0, multiple }];

export const SCENARIOS: Scenario[] = [
  { key: 'h0.25', label: 'healthy 0.25×', kind: 'healthy', phases: steady(0.25) },
  { key: 'h0.5', label: 'healthy 0.5×', kind: 'healthy', phases: steady(0.5) },
  { key: 'noisy', label: 'healthy 0.5× + noisy user', kind: 'healthy', phases: steady(0.5), noisyUser: { sessionsPerMinute: 2 } },
  { key: 'h1', label: 'at the limit 1×', kind: 'at-limit', phases: steady(1) },
  { key: 'r1.5', label: 'regression 1.5×', kind: 'regression', phases: steady(1.5) },
  { key: 'r2', label: 'regression 2×', kind: 'regression', phases: steady(2) },
  { key: 'r4', label: 'regression 4×', kind: 'regression', phases: steady(4) },
  { key: 'r10', label: 'regression 10×', kind: 'regression', phases: steady(10) },
  {
    key: 'burn',
    label: 'slow burn 0.5× → 4× at 5 min',
    kind: 'regression',
    phases: [
      { fromSec: 0, multiple: 0.5 },
      { fromSec: 300, multiple: 4 },
    ],
  },
];

export const TRAFFIC = [5, 20, 100, 1000, 5000];

export interface BenchSettings {
  seed: number;
  releasesPerCell: number;
  schedule: Schedule;
  sessionsPerUser: number;
  bucketSec: number;
  ingestionDelaySec: number;
  erroredRate: number;
}

export interface StrategyStats {
  fails: number;
  passes: number;
  inconclusive: number;
  /** Passes decided before the window end. */
  earlyPasses: number;
  /** Sorted seconds to fail, Infinity for releases never failed. */
  failTimes: number[];
  /** Sorted seconds the gate ran (window end unless it stopped earlier). */
  durations: number[];
}

export interface CellResult {
  minCrashFree: number;
  scenario: Scenario;
  sessionsPerMinute: number;
  releases: number;
  byStrategy: Record<string, StrategyStats>;
}

/** A stable seed per cell, so a cell's data does not depend on which other cells ran. */
function cellSeed(seed: number, parts: number[]): number {
  let h = seed >>> 0;
  for (const p of parts) h = Math.imul(h ^ (p + 0x9e3779b9), 0x85ebca6b) >>> 0;
  return h;
}

export function trafficSpec(settings: BenchSettings, scenario: Scenario, p0: number, sessionsPerMinute: number): TrafficSpec {
  const phases: Phase[] = scenario.phases.map((p) => ({ fromSec: p.fromSec, userCrashRate: Math.min(1, p.multiple * p0) }));
  return {
    sessionsPerMinute,
    sessionsPerUser: settings.sessionsPerUser,
    windowSec: settings.schedule.windowMs / 1000,
    bucketSec: settings.bucketSec,
    ingestionDelaySec: settings.ingestionDelaySec,
    phases,
    erroredRate: settings.erroredRate,
    ...(scenario.noisyUser ? { noisyUser: scenario.noisyUser } : {}),
  };
}

/** Simulates one cell's releases and runs every strategy on the same data. */
export function runCell(settings: BenchSettings, policy: GatePolicy, strategies: Strategy[], scenario: Scenario, sessionsPerMinute: number): CellResult {
  const limit = ratioChecks(policy)[0]!;
  const p0 = limit.maxBadRate;
  const spec = trafficSpec(settings, scenario, p0, sessionsPerMinute);
  const rng = mulberry32(cellSeed(settings.seed, [Math.round(p0 * 1e6), SCENARIOS.indexOf(scenario), sessionsPerMinute]));
  const polls = pollTimes(settings.schedule);
  const decisions: Record<string, Decision[]> = Object.fromEntries(strategies.map((s) => [s.key, []]));
  for (let r = 0; r < settings.releasesPerCell; r++) {
    const samples = simulateRelease(rng, spec);
    const run = { policy, schedule: settings.schedule, polls, samples };
    for (const s of strategies) decisions[s.key]!.push(s.decide(run));
  }
  const byStrategy: Record<string, StrategyStats> = {};
  for (const s of strategies) {
    const ds = decisions[s.key]!;
    byStrategy[s.key] = {
      fails: ds.filter((d) => d.verdict === 'fail').length,
      passes: ds.filter((d) => d.verdict === 'pass').length,
      inconclusive: ds.filter((d) => d.verdict === 'inconclusive').length,
      earlyPasses: ds.filter((d) => d.verdict === 'pass' && d.stoppedAt * 1000 < settings.schedule.windowMs).length,
      failTimes: ds.map((d) => (d.verdict === 'fail' ? d.stoppedAt : Infinity)).sort((a, b) => a - b),
      durations: ds.map((d) => d.stoppedAt).sort((a, b) => a - b),
    };
  }
  return { minCrashFree: 1 - p0, scenario, sessionsPerMinute, releases: settings.releasesPerCell, byStrategy };
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
