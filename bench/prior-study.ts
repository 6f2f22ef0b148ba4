/*
 * The study behind FAIL_PRIOR (src/gate/evalue.ts), and the pass-early prior: a
 * benchmark, not a test (it asserts nothing). Slow:
 *   npm run bench -- prior-study [--runs 2000] [--odds 1.5,2,3,4,6] [--shapes 0.5,1,2,5,20] [--study fail|pass|both]
 * Each simulated release gets `rate` units per minute with a true bad rate of
 * `multiple` × p0 and is polled every minute for 10 minutes; it fails at the
 * first poll where eFail >= 1/(1 - 0.95) = 20.
 */
import { parseArgs } from 'node:util';
import { logEFail, logEPass, type PriorShape } from '../src/gate/evalue';
import { binomial, mulberry32 } from '../src/sim/simulate';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: 'string', default: '2000' },
    odds: { type: 'string', default: '1.5,2,3,4,6' },
    shapes: { type: 'string', default: '0.5,1,2,5,20' },
    study: { type: 'string', default: 'both' },
  },
});
if (!['fail', 'pass', 'both'].includes(values.study) || !(Number(values.runs) >= 1)) {
  process.stderr.write('usage: npm run bench -- prior-study [--runs N] [--odds LIST] [--shapes LIST] [--study fail|pass|both]\n');
  process.exit(2);
}

const RATES = [5, 20, 100, 1000, 5000];
const MULTIPLES = [0.25, 0.5, 0.75, 1, 1.5, 2, 4, 10];
const LIMITS = [0.03, 0.005];
const POLLS = 10;
const RUNS = Number(values.runs);
const LOG_THRESHOLD = Math.log(20);

interface Outcome {
  failRate: number;
  /** Median poll (1-based) of failure over all runs; Infinity when half or more never fail. */
  medianPoll: number;
  /** Mean poll of failure, counting a run that never fails as POLLS + 1. */
  meanPoll: number;
}

/** Fail rate and median time to fail for one scenario, memoising E by (n, k). */
function simulateScenario(prior: PriorShape, p0: number, rate: number, multiple: number, seed: number, cache: Map<number, number>): Outcome {
  const rng = mulberry32(seed);
  const p = Math.min(1, p0 * multiple);
  const polls: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let k = 0;
    let failedAt = Infinity;
    for (let t = 1; t <= POLLS; t++) {
      k += binomial(rng, rate, p);
      const n = rate * t;
      const key = n * 1e7 + k;
      let logE = cache.get(key);
      if (logE === undefined) {
        logE = logEFail(n, k, p0, prior);
        cache.set(key, logE);
      }
      if (logE >= LOG_THRESHOLD) {
        failedAt = t;
        break;
      }
    }
    polls.push(failedAt);
  }
  polls.sort((x, y) => x - y);
  const meanPoll = polls.reduce((sum, t) => sum + Math.min(t, POLLS + 1), 0) / RUNS;
  return { failRate: polls.filter(Number.isFinite).length / RUNS, medianPoll: polls[Math.floor(RUNS / 2)] ?? Infinity, meanPoll };
}

const candidates: PriorShape[] = [];
for (const oddsRatio of values.odds.split(',').map(Number)) {
  for (const shape of values.shapes.split(',').map(Number)) candidates.push({ oddsRatio, shape });
}

/** The fail prior: false fails at or below the limit, detection and polls to fail above it. */
function failStudy(): void {
  {
    const rows: string[] = [];
    const scores = new Map<PriorShape, { detected: number; meanPoll: number; cells: number }>();
    for (const prior of candidates) {
      for (const p0 of LIMITS) {
        const cache = new Map<number, number>();
        const cells: string[] = [];
        for (const multiple of MULTIPLES) {
          const per = RATES.map((rate, i) => {
            const o = simulateScenario(prior, p0, rate, multiple, 1000 * i + multiple * 100 + 7, cache);
            if (multiple > 1) {
              const s = scores.get(prior) ?? { detected: 0, meanPoll: 0, cells: 0 };
              s.detected += o.failRate;
              s.meanPoll += o.meanPoll;
              s.cells += 1;
              scores.set(prior, s);
            }
            return multiple <= 1 ? `${(o.failRate * 100).toFixed(2)}%` : `${(o.failRate * 100).toFixed(0)}%/${o.medianPoll === Infinity ? '-' : o.medianPoll}`;
          });
          cells.push(`${multiple}x[${per.join(' ')}]`);
        }
        rows.push(`odds ${prior.oddsRatio} shape ${prior.shape} p0 ${p0}: ${cells.join('  ')}`);
      }
    }
    const ranked = [...scores].sort((x, y) => y[1].detected - x[1].detected);
    for (const [prior, s] of ranked)
      rows.push(
        `mean detection ${((s.detected / s.cells) * 100).toFixed(1)}%, mean polls to fail ${(s.meanPoll / s.cells).toFixed(2)}: odds ${prior.oddsRatio} shape ${prior.shape}`,
      );
    process.stdout.write(`rates/min ${RATES.join(',')}; cells: fail% (false-fail for <=1x) / median poll of failure\n${rows.join('\n')}\n`);
  }
}

/** Same simulation for pass-early: share of runs whose ePass reaches 20 within the window. */
function simulatePass(prior: PriorShape, p0: number, rate: number, multiple: number, seed: number): Outcome {
  const rng = mulberry32(seed);
  const polls: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let k = 0;
    let passedAt = Infinity;
    for (let t = 1; t <= POLLS; t++) {
      k += binomial(rng, rate, p0 * multiple);
      if (logEPass(rate * t, k, p0, prior) >= LOG_THRESHOLD) {
        passedAt = t;
        break;
      }
    }
    polls.push(passedAt);
  }
  polls.sort((x, y) => x - y);
  const meanPoll = polls.reduce((sum, t) => sum + Math.min(t, POLLS + 1), 0) / RUNS;
  return { failRate: polls.filter(Number.isFinite).length / RUNS, medianPoll: polls[Math.floor(RUNS / 2)] ?? Infinity, meanPoll };
}

/** The pass-early prior: passes below the limit, false passes at it. */
function passStudy(): void {
  {
    const rows: string[] = [];
    for (const oddsRatio of [1 / 1.5, 1 / 2, 1 / 3, 1 / 5]) {
      for (const shape of [0.5, 1, 2, 5]) {
        const prior = { oddsRatio, shape };
        let score = 0;
        const cells: string[] = [];
        for (const p0 of LIMITS) {
          for (const multiple of [0, 0.25, 0.5, 1]) {
            const per = RATES.map((rate, i) => {
              const o = simulatePass(prior, p0, rate, multiple, 1000 * i + multiple * 100 + 11);
              if (multiple < 1) score += o.meanPoll;
              return `${(o.failRate * 100).toFixed(multiple < 1 ? 0 : 2)}%/${o.medianPoll === Infinity ? '-' : o.medianPoll}`;
            });
            cells.push(`${p0}@${multiple}x[${per.join(' ')}]`);
          }
        }
        rows.push(`mean polls to pass ${(score / 30).toFixed(2)} odds 1/${(1 / oddsRatio).toFixed(1)} shape ${shape}: ${cells.join(' ')}`);
      }
    }
    process.stdout.write(`pass-early: cells are passed% / median poll (1x: false-pass rate)\n${rows.join('\n')}\n`);
  }
}

if (values.study !== 'pass') failStudy();
if (values.study !== 'fail') passStudy();
