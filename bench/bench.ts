import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replayCommand } from '../src/cli/replay';
import { mulberry32 } from '../src/sim/simulate';
import { replaySettings } from '../src/replay/options';
import { type BenchSettings, type CellResult, runCell, SCENARIOS, TRAFFIC } from './cells';
import { actionCosts, requestsPerPoll } from './costs';
import {
  runUsersCell,
  usersSection,
  CLUSTERED_CHECKS,
  CLUSTERED_MULTIPLES,
  CLUSTERED_TRAFFIC,
  type ClusteredCell,
  clusteredSection,
  DESIGN_EFFECTS,
  runClusteredCell,
  SHAPED_TRAFFIC,
  SHAPES,
  shapesSection,
} from './clustered';
import { runSprtCell, SPRT_MULTIPLES, SPRT_TRAFFIC, type SprtCell, sprtSection } from './sprt';
import { buildPlot } from './plot';
import { buildResults, type LimitResults, type Measured } from './report';
import { ARGO_FAILURE_LIMIT, STRATEGIES } from './strategies';
import { simulateRelease } from './traffic';
import { LAG_SCENARIOS, LAG_SETTLES_SEC, LAG_TRAFFIC, type LagCell, lagSection, runLagCell } from './lag';
import { BURN_TRAFFIC, type BurnCell, dataLimitsSection, runBurnCell, runWindowCell, type WindowCell, WINDOWS } from './data-limits';
import { defaultWorkers, isWorker, type Job, runJobs, serveJobs } from './pool';

// The bundle runs from .build/, so the repository is one level up.
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20260603' },
    runs: { type: 'string' },
    'skip-action': { type: 'boolean', default: false },
    // Only the clustered-traffic cells, printed and not written: for iterating on them.
    'clustered-only': { type: 'boolean', default: false },
    'lag-only': { type: 'boolean', default: false },
    // Only the shaped-traffic and SPRT cells, printed and not written.
    'shapes-only': { type: 'boolean', default: false },
    'sprt-only': { type: 'boolean', default: false },
    // Only the windows-needed and slow-burn-oracle cells, printed and not written.
    'limits-only': { type: 'boolean', default: false },
    // Threads for the cells (default 2, or 1 on one core); figures do not depend on it.
    workers: { type: 'string' },
  },
});
const quick = values.quick === true;
const seed = Number(values.seed);
const releasesPerCell = values.runs ? Number(values.runs) : quick ? 200 : 1000;
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(releasesPerCell) || releasesPerCell < 1) {
  process.stderr.write('usage: npm run bench -- [--quick] [--seed N] [--runs RELEASES_PER_CELL] [--skip-action] [--lag-only]\n');
  process.exit(2);
}

const GATE_FLAGS = { window: '10m', interval: '1m', 'initial-delay': '1m', confidence: '0.95', 'min-sessions': '100' };
const LIMITS = ['0.97', '0.995'];

const base = replaySettings({ ...GATE_FLAGS, 'min-crash-free-users': LIMITS[0] });
const settings: BenchSettings = {
  seed,
  releasesPerCell,
  schedule: base.schedule,
  sessionsPerUser: 3,
  bucketSec: 30,
  ingestionDelaySec: 60,
  erroredRate: 0.01,
};

const log = (m: string) => process.stderr.write(`${m}\n`);
const workers = values.workers ? Number(values.workers) : defaultWorkers();

const policyFor = (flags: Record<string, string>) => replaySettings({ ...GATE_FLAGS, ...flags });

/** What a worker can be asked to run: one cell each, from plain arguments. */
const HANDLERS = {
  headline: (limit: string, scenario: number, traffic: number) =>
    runCell(settings, policyFor({ 'min-crash-free-users': limit }).policy, STRATEGIES, SCENARIOS[scenario]!, traffic),
  clustered: (check: number, multiple: number, deff: number, traffic: number, shape: string) =>
    runClusteredCell(
      seed,
      releasesPerCell,
      settings.schedule,
      policyFor(CLUSTERED_CHECKS[check]!.flags).policy,
      CLUSTERED_CHECKS[check]!.check,
      multiple,
      deff,
      traffic,
      shape as (typeof SHAPES)[number],
    ),
  users: (deff: number, traffic: number) =>
    runUsersCell(seed, releasesPerCell, settings.schedule, policyFor({ 'min-crash-free-users': '0.97' }).policy, deff, traffic, 0.005),
  sprt: (limit: string, multiple: number, traffic: number) => {
    const { policy, schedule } = policyFor({ 'min-crash-free-users': limit });
    return runSprtCell(settings, policy, schedule, multiple, traffic);
  },
  lag: (limit: string, scenario: number, traffic: number, settle: number) => {
    const { policy, schedule } = policyFor({ 'min-crash-free-users': limit });
    return runLagCell(seed, releasesPerCell, policy, schedule, LAG_SCENARIOS[scenario]!, traffic, settle);
  },
  window: (traffic: number, windowMin: number) => runWindowCell(settings, policyFor({ 'min-crash-free-users': '0.995' }).policy, traffic, windowMin),
  burn: (limit: string, traffic: number) => runBurnCell(settings, policyFor({ 'min-crash-free-users': limit }).policy, traffic),
};

const job = (kind: keyof typeof HANDLERS, ...args: (string | number)[]): Job => ({ kind, args });

/** Runs jobs on the worker threads; the heaviest cells (most traffic) first, so the threads finish together. */
async function run<T>(label: string, jobs: Job[]): Promise<T[]> {
  const weight = (j: Job) => Math.max(...j.args.map((a) => (typeof a === 'number' ? a : 0)));
  const order = jobs.map((j, i) => i).sort((a, b) => weight(jobs[b]!) - weight(jobs[a]!));
  const results = await runJobs<T>(
    new URL(import.meta.url),
    order.map((i) => jobs[i]!),
    workers,
  );
  log(`${label} done (${jobs.length} cells)`);
  const out = new Array<T>(jobs.length);
  order.forEach((i, k) => (out[i] = results[k]!));
  return out;
}

async function usersCells(): Promise<string> {
  const jobs = DESIGN_EFFECTS.flatMap((deff) => CLUSTERED_TRAFFIC.map((traffic) => job('users', deff, traffic)));
  return usersSection(await run('clustered crash-free users at the limit', jobs), Number(GATE_FLAGS.confidence));
}

async function clusteredCells(): Promise<ClusteredCell[]> {
  const jobs = CLUSTERED_CHECKS.flatMap((_, check) =>
    CLUSTERED_MULTIPLES.flatMap((multiple) =>
      DESIGN_EFFECTS.flatMap((deff) => CLUSTERED_TRAFFIC.map((traffic) => job('clustered', check, multiple, deff, traffic, 'steady'))),
    ),
  );
  return run('clustered', jobs);
}

/** Rising, falling and bursty traffic at the limit, for each clustered check. */
async function shapedCells(): Promise<ClusteredCell[]> {
  const jobs = CLUSTERED_CHECKS.flatMap((_, check) =>
    SHAPES.filter((x) => x !== 'steady').flatMap((shape) =>
      DESIGN_EFFECTS.flatMap((deff) => SHAPED_TRAFFIC.map((traffic) => job('clustered', check, 1, deff, traffic, shape))),
    ),
  );
  return run('shaped', jobs);
}

/** The gate's time to fail against an SPRT told the regression, on the headline traffic. */
async function sprtCells(): Promise<SprtCell[]> {
  return run(
    'SPRT reference',
    LIMITS.flatMap((limit) => SPRT_MULTIPLES.flatMap((multiple) => SPRT_TRAFFIC.map((traffic) => job('sprt', limit, multiple, traffic)))),
  );
}

/** The crash-first lag cells: the gate at settle 0 and 60 s on the same traffic. */
async function lagCells(): Promise<LagCell[]> {
  const jobs = LIMITS.flatMap((limit) =>
    LAG_SCENARIOS.flatMap((_, scenario) => LAG_TRAFFIC.flatMap((traffic) => LAG_SETTLES_SEC.map((settle) => job('lag', limit, scenario, traffic, settle)))),
  );
  return run('crash-first lag', jobs);
}

/** The windows 4× needs at the 99.5% limit, and slow burns against an oracle told when they start. */
async function dataLimits(): Promise<string> {
  const windows = await run<WindowCell>(
    'windows needed',
    Object.entries(WINDOWS).flatMap(([traffic, mins]) => mins.map((m) => job('window', Number(traffic), m))),
  );
  const burns = await run<BurnCell>(
    'slow-burn oracle',
    LIMITS.flatMap((limit) => BURN_TRAFFIC.map((traffic) => job('burn', limit, traffic))),
  );
  return dataLimitsSection(windows, burns);
}

async function main(): Promise<void> {
  if (values['limits-only']) {
    process.stdout.write(`${await dataLimits()}\n`);
    return;
  }
  if (values['clustered-only']) {
    process.stdout.write(
      `${await usersCells()}\n\n${process.env.BENCH_USERS_ONLY ? '' : clusteredSection(await clusteredCells(), Number(GATE_FLAGS.confidence))}\n`,
    );
    return;
  }
  if (values['shapes-only']) {
    process.stdout.write(`${shapesSection(await shapedCells(), Number(GATE_FLAGS.confidence))}\n`);
    return;
  }
  if (values['sprt-only']) {
    process.stdout.write(`${sprtSection(await sprtCells(), Number(GATE_FLAGS.confidence))}\n`);
    return;
  }
  if (values['lag-only']) {
    process.stdout.write(`${lagSection(await lagCells(), Number(GATE_FLAGS.confidence))}\n`);
    return;
  }
  const started = performance.now();
  const headline = await run<CellResult>(
    'headline',
    LIMITS.flatMap((limit) => SCENARIOS.flatMap((_, scenario) => TRAFFIC.map((traffic) => job('headline', limit, scenario, traffic)))),
  );
  const perLimit = SCENARIOS.length * TRAFFIC.length;
  const limits: LimitResults[] = LIMITS.map((limit, i) => ({ minCrashFree: Number(limit), cells: headline.slice(i * perLimit, (i + 1) * perLimit) }));
  const clustered = `${clusteredSection(await clusteredCells(), Number(GATE_FLAGS.confidence))}\n\n${await usersCells()}\n\n${shapesSection(await shapedCells(), Number(GATE_FLAGS.confidence))}`;
  const sprt = sprtSection(await sprtCells(), Number(GATE_FLAGS.confidence));
  const lag = lagSection(await lagCells(), Number(GATE_FLAGS.confidence));
  const limitsOfData = await dataLimits();
  const benchSeconds = (performance.now() - started) / 1000;

  log('replay speed…');
  const replay = await replaySpeed(10_000, 30);
  log('requests per poll…');
  const requests = await requestsPerPoll(join(ROOT, 'dist/index.js'));
  let action = null;
  let actionSkipped: string | undefined;
  if (values['skip-action']) actionSkipped = '--skip-action';
  else {
    log('cold start and memory of dist/index.js…');
    try {
      action = await actionCosts(join(ROOT, 'dist/index.js'), quick ? 5 : 10);
      if (!action) actionSkipped = 'dist/index.js not built (npm run build)';
    } catch (error) {
      actionSkipped = `the action run failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const measured: Measured = { benchSeconds, replay, action, ...(actionSkipped ? { actionSkipped } : {}) };

  const s = settings.schedule;
  const { markdown, table } = buildResults(
    {
      command: `npm run bench${quick ? ' -- --quick' : ''}${values.runs ? ` --runs ${releasesPerCell}` : ''}${values.seed !== '20260603' ? ` --seed ${seed}` : ''}`,
      seed,
      date: new Date().toISOString().slice(0, 10),
      quick,
      releasesPerCell,
      settingsText: [
        `Gate: window ${s.windowMs / 60_000}m, interval ${s.intervalMs / 60_000}m, initial-delay ${s.initialDelayMs / 60_000}m (polls at minutes 1–10), confidence ${GATE_FLAGS.confidence}, min-sessions ${GATE_FLAGS['min-sessions']}; the whole table at min-crash-free-users ${LIMITS.join(' and ')}.`,
        `Traffic: ${TRAFFIC.join(', ')} sessions per minute; every user opens ${settings.sessionsPerUser} sessions and counts as crashed if any of them crashed; "N× the limit" is the share of crashed users.`,
        `Ingestion delay: a ${settings.bucketSec}-second bucket of sessions becomes visible ${settings.ingestionDelaySec} s after it ends, so the poll at minute m sees the first m − 1 minutes.`,
        `Sessions are not users: 100 sessions/min is 33 users/min, about 300 users seen in the window, and the crash-free-users check counts users.`,
        `Noisy user: one extra user opening 2 sessions a minute, every one of them crashing, on top of a healthy 0.5× release. It is one crashed user, so at 5, 20 and 100 sessions/min it is about 6%, 1.6% and 0.3% of the users seen: at low traffic that release is at or past the limit by the crash-free-users measure, and no target applies there.`,
        `Slow burn: 0.5× for 5 minutes, then 4×; with the ingestion delay the gate sees 4 minutes of the bad phase, and the share since the deploy reaches only about 2× the limit by the window end.`,
        `False rollback = any fail of a healthy release (0.25×, 0.5×, noisy user) or of one at exactly the limit. Detection = the regression failed within the window.`,
      ],
      strategies: STRATEGIES,
      strategyNotes: [
        '**gate**: this action (`decide()` via `replayRelease`), pass-early off. **gate, pass-early**: the same with `pass-early: true` (it can pass a slow burn before it turns bad).',
        '**end-of-window check** (the seed): one look at the window end, fail when the observed crashed-user share is above the limit.',
        '**naive every poll**: fail at the first poll whose cumulative observed share is above the limit.',
        `**Argo-style**: Argo Rollouts AnalysisRun with one measurement per poll interval of that interval's share alone (not cumulative), successCondition \`share <= limit\`, failureLimit ${ARGO_FAILURE_LIMIT} (the analysis fails at the ${ARGO_FAILURE_LIMIT + 1}rd failed measurement, counted in total), intervals with no new data inconclusive and not counted.`,
        '**bound** (a reference, not a gate): one exact binomial test at the window end with the whole α = 1 − confidence. For a regression present from the deploy, no test that keeps false fails at most α does much better with the same data (the one-sided binomial test is uniformly most powerful), so where it misses, a target is beyond what the data can tell.',
        'The naive strategies fail however few sessions they have seen; when they do not fail they pass at the window end if min-sessions was reached, else end inconclusive (as the gate does).',
      ],
      limits,
      requestsPerPoll: requests,
      measured,
      extraSections: [clustered, sprt, limitsOfData],
      lag,
    },
    Number(GATE_FLAGS.confidence),
  );
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), markdown);
  writeFileSync(join(ROOT, 'bench/results.svg'), buildPlot(limits, STRATEGIES, s.windowMs / 1000));
  process.stdout.write(`${table}\n\n${markdown.slice(markdown.indexOf('## Tracker requests'))}\nwrote bench/RESULTS.md and bench/results.svg\n`);
}

/** Times `replay` end to end on a file of `releases` lines of `samples` samples each. */
async function replaySpeed(releases: number, samples: number): Promise<Measured['replay']> {
  const rng = mulberry32(seed);
  const spec = {
    sessionsPerMinute: 1000,
    sessionsPerUser: 3,
    windowSec: samples * 20,
    bucketSec: 20,
    ingestionDelaySec: 0,
    phases: [{ fromSec: 0, userCrashRate: 0.015 }],
    erroredRate: 0.01,
  };
  const lines: string[] = [];
  for (let i = 0; i < releases; i++) {
    const phases = i % 10 === 0 ? [{ fromSec: 0, userCrashRate: 0.12 }] : spec.phases;
    lines.push(JSON.stringify({ id: `r${i}`, samples: simulateRelease(rng, { ...spec, phases }) }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'rhg-replay-'));
  const file = join(dir, 'releases.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  let printed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const byte of chunk) if (byte === 10) printed++;
      done();
    },
  });
  const t0 = performance.now();
  const code = await replayCommand([file], { stdout: sink, stderr: process.stderr });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0 || printed !== releases) throw new Error(`replay exited ${code} after ${printed} of ${releases} lines`);
  return { releases, samplesPerRelease: samples, seconds };
}

if (isWorker) serveJobs(HANDLERS);
else await main();
