import { mulberry32 } from '../src/sim/simulate';
import { ratioChecks, type GatePolicy } from '../src/gate/types';
import type { Schedule } from '../src/pipeline/watch';
import { pollTimes } from '../src/replay/schedule';
import { type BenchSettings, quantile, trafficSpec } from './cells';
import { countsAtPolls, ours } from './strategies';
import { simulateRelease } from './traffic';

/*
 * Detection time against a reference (#19 benchmark): Wald's one-sided SPRT on
 * the same polls and the same data, told the true regression. H0: a crashed
 * share of users at the limit p0; H1: m × p0. It fails at the first poll with
 * min-sessions where the likelihood ratio reaches 1/α (α = 1 − confidence), a
 * bound that holds under any stopping (Ville). Knowing m makes it the fastest
 * valid test for that m; the gate does not know m, so the ratio is the price
 * of not knowing it.
 */

export const SPRT_MULTIPLES = [2, 4, 10];
export const SPRT_TRAFFIC = [100, 1000, 5000];

export interface SprtCell {
  minCrashFree: number;
  multiple: number;
  sessionsPerMinute: number;
  releases: number;
  gateFails: number;
  sprtFails: number;
  /** Median seconds to fail over all releases (Infinity when under half were failed). */
  gateMedian: number;
  sprtMedian: number;
  /** Over releases both failed: mean gate time / mean SPRT time. */
  meanRatio: number;
  /** Over releases both failed: the median of gate time / SPRT time. */
  pairedRatio: number;
}

export function runSprtCell(settings: BenchSettings, policy: GatePolicy, schedule: Schedule, multiple: number, sessionsPerMinute: number): SprtCell {
  const p0 = ratioChecks(policy)[0]!.maxBadRate;
  const p1 = Math.min(0.999999, multiple * p0);
  const spec = trafficSpec(settings, { key: `sprt${multiple}`, label: '', kind: 'regression', phases: [{ fromSec: 0, multiple }] }, p0, sessionsPerMinute);
  const rng = mulberry32((settings.seed ^ Math.imul(multiple * 1009 + sessionsPerMinute, 0x2545f491) ^ Math.imul(Math.round(p0 * 1e6), 0x9e3779b1)) >>> 0);
  const polls = pollTimes(schedule);
  const threshold = Math.log(1 / (1 - policy.confidence));
  const up = Math.log(p1 / p0);
  const down = Math.log((1 - p1) / (1 - p0));
  const gate = ours(false);
  const gateTimes: number[] = [];
  const sprtTimes: number[] = [];
  const ratios: number[] = [];
  let gateSum = 0;
  let sprtSum = 0;
  for (let r = 0; r < settings.releasesPerCell; r++) {
    const samples = simulateRelease(rng, spec);
    const g = gate.decide({ policy, schedule, polls, samples });
    const gateAt = g.verdict === 'fail' ? g.stoppedAt : Infinity;
    let sprtAt = Infinity;
    const seen = countsAtPolls(polls, samples);
    for (let i = 0; i < seen.length; i++) {
      const c = seen[i]!;
      if (c.sessions < policy.minSessions) continue;
      if (c.crashedUsers * up + (c.users - c.crashedUsers) * down >= threshold) {
        sprtAt = polls[i]! / 1000;
        break;
      }
    }
    gateTimes.push(gateAt);
    sprtTimes.push(sprtAt);
    if (Number.isFinite(gateAt) && Number.isFinite(sprtAt)) {
      ratios.push(gateAt / sprtAt);
      gateSum += gateAt;
      sprtSum += sprtAt;
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return {
    minCrashFree: 1 - p0,
    multiple,
    sessionsPerMinute,
    releases: settings.releasesPerCell,
    gateFails: gateTimes.filter(Number.isFinite).length,
    sprtFails: sprtTimes.filter(Number.isFinite).length,
    gateMedian: quantile(sorted(gateTimes), 0.5),
    sprtMedian: quantile(sorted(sprtTimes), 0.5),
    meanRatio: ratios.length ? gateSum / sprtSum : NaN,
    pairedRatio: ratios.length ? quantile(sorted(ratios), 0.5) : NaN,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
const mins = (sec: number) => (Number.isFinite(sec) ? `${(sec / 60).toFixed(sec % 60 === 0 ? 0 : 1)}` : '–');

export function sprtSection(cells: SprtCell[], confidence: number): string {
  const lines = [
    '## Detection time against an SPRT on the same polls',
    '',
    `The gate (the **gate** column above) against Wald's one-sided SPRT on the same polls and data, told the true regression: H0 crashed users at the limit, H1 at m × the limit, fail when the likelihood ratio reaches 1/α = ${(1 / (1 - confidence)).toFixed(0)} (valid under any stopping), once min-sessions is reached. ` +
      'Knowing m makes it the fastest valid test for that m, so the ratio is what not knowing it costs. Polls are a minute apart and the first data shows at minute 2, so one poll more is 1.5× at minute 2. ' +
      "**ratio (mean)**: over releases both failed, the gate's mean time to fail over the SPRT's (target ≤ 1.3×); **paired median**: the median of gate ÷ SPRT over the same releases; the median minutes are over all releases (– when under half were failed).",
    '',
    '| min-crash-free-users | regression | sessions/min | failed: gate | failed: SPRT | median min to fail: gate | SPRT | ratio (mean) | paired median |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cells) {
    const ratio = c.meanRatio;
    const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${ratio <= 1.3 ? ' ✅' : ' ❌'}` : '–';
    lines.push(
      `| ${c.minCrashFree * 100}% | ${c.multiple}× | ${c.sessionsPerMinute} | ${pct(c.gateFails / c.releases)} | ${pct(c.sprtFails / c.releases)} | ${mins(c.gateMedian)} | ${mins(c.sprtMedian)} | ${shown} | ${Number.isFinite(c.pairedRatio) ? `${c.pairedRatio.toFixed(2)}×` : '–'} |`,
    );
  }
  return lines.join('\n');
}
