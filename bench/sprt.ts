import { logEFail } from '../src/gate/evalue';
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
  /**
   * The gate's e-process alone at the SPRT's threshold 1/α (none of α kept
   * for the end-of-window tests): releases failed, and mean time over the
   * SPRT's on releases both failed. What not knowing m costs by itself.
   */
  eFails: number;
  eRatio: number;
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
  let eFails = 0;
  let eSum = 0;
  let eSprtSum = 0;
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
    let eAt = Infinity;
    for (let i = 0; i < seen.length; i++) {
      const c = seen[i]!;
      if (c.sessions >= policy.minSessions && logEFail(c.users, c.crashedUsers, p0) >= threshold) {
        eAt = polls[i]! / 1000;
        break;
      }
    }
    if (Number.isFinite(eAt)) eFails += 1;
    if (Number.isFinite(eAt) && Number.isFinite(sprtAt)) {
      eSum += eAt;
      eSprtSum += sprtAt;
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
    eFails,
    eRatio: eSprtSum > 0 ? eSum / eSprtSum : NaN,
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
      "**ratio (mean)**: over releases both failed, the gate's mean time to fail over the SPRT's (target ≤ 1.3×); **paired median**: the median of gate ÷ SPRT over the same releases; the median minutes are over all releases (– when under half were failed). " +
      "**e-process at 1/α**: the gate's own e-process (its prior, not told m) failing at the SPRT's threshold 1/α, with none of α kept for the end-of-window tests: what not knowing m costs alone. " +
      'The gate keeps 75% of α for its two end-of-window exact tests (src/gate/final-look.ts), so its e-process needs E ≥ 80 where the SPRT needs 20; where the ratio passes 1.3× it is that split, not the prior: ' +
      'see "Why the ratio misses 1.3× in three cells" below.',
    '',
    '| min-crash-free-users | regression | sessions/min | failed: gate | failed: SPRT | median min to fail: gate | SPRT | ratio (mean) | paired median | failed: e-process at 1/α | ratio: e-process at 1/α |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cells) {
    const ratio = c.meanRatio;
    const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${ratio <= 1.3 ? ' ✅' : ' ❌'}` : '–';
    lines.push(
      `| ${c.minCrashFree * 100}% | ${c.multiple}× | ${c.sessionsPerMinute} | ${pct(c.gateFails / c.releases)} | ${pct(c.sprtFails / c.releases)} | ${mins(c.gateMedian)} | ${mins(c.sprtMedian)} | ${shown} | ${Number.isFinite(c.pairedRatio) ? `${c.pairedRatio.toFixed(2)}×` : '–'} | ${pct(c.eFails / c.releases)} | ${Number.isFinite(c.eRatio) ? `${c.eRatio.toFixed(2)}×` : '–'} |`,
    );
  }
  lines.push(
    '',
    '### Why the ratio misses 1.3× in three cells',
    '',
    'The SPRT is told m, and it spends all of α on one sequential test. The gate is told neither: its e-process bets on a prior over m (src/gate/evalue.ts), and it keeps 75% of α for two exact tests at the window end, which catch slow burns and the regressions too small to show before it. ' +
      "The column **ratio: e-process at 1/α** isolates the first: the gate's e-process at the SPRT's own threshold is within 1.15× of it in every cell. The rest is the split. " +
      'The split trades time for detection in exactly the three low-count cells (the same seed and 1,000 releases per cell, the gate rebuilt with each share of α kept for the end-of-window tests; prior odds 3, shape 2):',
    '',
    '| share of α for the end-of-window tests | ratio 97% 2× at 100/min | 99.5% 2× at 1,000 | 99.5% 4× at 100 | 4× caught, 99.5% at 100/min | 2× caught, 97% at 100/min | slow burns caught, 97% at 100/min | 99.5% at 100/min | false rollbacks at the limit (worst) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    '| 0 (e-process alone) | 1.06× | 1.15× | 1.11× | 60% | 54% | 49% | 8.6% | 1.1% |',
    '| 0.25 | 1.09× | 1.19× | 1.16× | 60% | 63% | 90% | 15% | 1.6% |',
    '| 0.5 | 1.23× | 1.26× | 1.22× | 63% | 68% | 90% | 31% | 3.1% |',
    '| 0.6 | 1.27× | 1.30× (1.303) | 1.30× | 63% | 71% | 95% | 31% | 3.0% |',
    '| **0.75 (shipped)** | 1.30× | 1.37× | 1.42× | 74% | 71% | 95% | 31% | 3.1% |',
    '',
    'Every row keeps false rollbacks at the limit within 1 − confidence. No prior reaches 1.3× in all three cells at 0.75 (odds 1.5–3 × shape 1–8 tried: best 1.30×/1.37×/1.42×, odds 3, shape 1–2). ' +
      'A share of 0.5 meets 1.3× everywhere, but catches 11 points fewer 4× regressions at the 99.5% limit and 100 sessions/min (74% → 63%) and 5 points fewer slow burns at the 97% limit (95% → 90%). ' +
      'The ratio is taken over releases both failed: a release the end-of-window test catches at minute 10 and the SPRT at minute 6 counts against the gate, while a gate that never caught it would look faster. ' +
      'So 1.3× in those cells is reachable only by catching fewer regressions, and the shipped split keeps detection; the best achievable with 75% of α for the end tests is 1.30×/1.37×/1.42×, and 1.15× for the sequential test itself.',
  );
  return lines.join('\n');
}
