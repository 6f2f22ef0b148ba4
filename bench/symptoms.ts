/**
 * Symptom checks at request level (issue #15): a 5xx-rate ratio check with
 * max 2%, judged by the gate's own decision, against the guide's alert
 * (">2% FOR 5 minutes", evaluated every minute on a 5-minute rate) and an
 * Argo-style AnalysisRun (failureLimit 2, one measurement a minute of that
 * minute's rate). `npm run bench -- ...` is the tracker benchmark; this one
 * runs with `node scripts/node24.mjs bench/symptoms.mjs [--runs N] [--seed N]`
 * and writes bench/SYMPTOMS.md.
 *
 * Requests are the gate's trials exactly as a metrics source reports them:
 * counts since the deploy at each poll (the source's increase() over
 * $__range, rounded). They are fed to the decision as anonymous sessions,
 * which the gate judges on their own counts: the same test, limit and
 * second-half check a ratio check of a metrics source gets.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binomial, mulberry32, type Rng } from '../src/sim/simulate';
import { replaySettings } from '../src/replay/options';
import { type RecordedSample, replayRelease } from '../src/replay/replay';
import { pollTimes } from '../src/replay/schedule';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string', default: '20261126' } },
});
const RUNS = Number(values.runs);
const SEED = Number(values.seed);

const LIMIT = 0.02;
const GATE = {
  window: '10m',
  interval: '1m',
  'initial-delay': '1m',
  confidence: '0.95',
  'min-sessions': '100',
  'min-crash-free-users': 'off',
  'max-error-rate': String(LIMIT),
} as const;
const { policy, schedule } = replaySettings(GATE);
const POLLS = pollTimes(schedule);
const RATES = [1, 10, 100, 1_000, 10_000];
const MINUTES = schedule.windowMs / 60_000;

/** Requests and 5xx per minute: the 5 minutes before the deploy (the old version), then the window. */
interface Minutes {
  before: { n: number; k: number }[];
  after: { n: number; k: number }[];
}

function simulate(rng: Rng, perSecond: number, before: number, after: number): Minutes {
  const minute = (p: number) => {
    const n = binomial(rng, perSecond * 60 * 4, 0.25); // Poisson-like arrivals around rate x 60
    return { n, k: binomial(rng, n, p) };
  };
  return { before: Array.from({ length: 5 }, () => minute(before)), after: Array.from({ length: MINUTES }, () => minute(after)) };
}

type Decision = { fail: boolean; at: number | null };

function gate(m: Minutes): Decision {
  let n = 0;
  let k = 0;
  const samples: RecordedSample[] = m.after.map((c, i) => {
    n += c.n;
    k += c.k;
    return { t: (i + 1) * 60, sessions: n, erroredSessions: k, crashedSessions: 0, users: 0, crashedUsers: 0 };
  });
  const r = replayRelease(policy, schedule, samples, POLLS);
  return { fail: r.verdict === 'fail', at: r.verdict === 'fail' ? r.decidedAt : null };
}

/** The guide's rule: the 5-minute rate above 2% at every evaluation (each minute) for 5 minutes: 6 evaluations in a row. */
function guide(m: Minutes): Decision {
  const all = [...m.before, ...m.after];
  let pendingSince: number | null = null;
  for (let minute = 1; minute <= MINUTES; minute += 1) {
    const last5 = all.slice(m.before.length + minute - 5, m.before.length + minute);
    const n = last5.reduce((s, c) => s + c.n, 0);
    const k = last5.reduce((s, c) => s + c.k, 0);
    if (n > 0 && k / n > LIMIT) {
      pendingSince ??= minute;
      if (minute - pendingSince >= 5) return { fail: true, at: minute * 60 };
    } else pendingSince = null;
  }
  return { fail: false, at: null };
}

/** Argo-style: one measurement a minute of that minute's rate; fails at the third failed measurement. */
function argo(m: Minutes): Decision {
  let failed = 0;
  for (const [i, c] of m.after.entries()) {
    if (c.n > 0 && c.k / c.n > LIMIT) failed += 1;
    if (failed > 2) return { fail: true, at: (i + 1) * 60 };
  }
  return { fail: false, at: null };
}

const STRATEGIES = { 'gate (ratio check)': gate, 'guide: >2% FOR 5m': guide, 'Argo-style, failureLimit 2': argo } as const;
type Name = keyof typeof STRATEGIES;

function cell(perSecond: number, before: number, after: number, seed: number) {
  const rng = mulberry32(seed);
  const out = Object.fromEntries(Object.keys(STRATEGIES).map((s) => [s, { fails: 0, times: [] as number[] }])) as Record<
    Name,
    { fails: number; times: number[] }
  >;
  for (let i = 0; i < RUNS; i += 1) {
    const m = simulate(rng, perSecond, before, after);
    for (const [name, decide] of Object.entries(STRATEGIES) as [Name, (m: Minutes) => Decision][]) {
      const d = decide(m);
      if (d.fail) {
        out[name].fails += 1;
        out[name].times.push(d.at ?? 0);
      }
    }
  }
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

const names = Object.keys(STRATEGIES) as Name[];
const lines: string[] = [
  '# Benchmark: symptom checks at request level',
  '',
  `Generated by \`node scripts/node24.mjs bench/symptoms.mjs\` with seed ${SEED}, ${RUNS.toLocaleString('en-US')} simulated releases per cell. Deterministic for a given seed.`,
  '',
  '- Check: `5xx rate`, max 2% (a ratio check of a metrics source). Gate: window 10m, interval 1m, initial-delay 1m (polls at minutes 1–10), confidence 0.95, min-sessions 100.',
  '- Traffic: requests a second as given, arrivals drawn per minute; each request is 5xx with the given probability, independently. The source reports counts since the deploy at each poll (no scrape lag modelled: at a 15 s scrape interval it moves a poll by at most 15 s).',
  '- **guide**: the alert the guide recommends, `5xx rate over 5m > 2% FOR 5m`, evaluated every minute (pending at the first true evaluation, firing when still true 5 minutes later: 6 evaluations in a row). Before minute 5 its 5-minute rate includes the old version\'s traffic (at the "before" rate).',
  "- **Argo-style**: an AnalysisRun with one measurement a minute of that minute's rate alone, successCondition `rate <= 2%`, failureLimit 2 (fails at the 3rd failed measurement).",
  '',
  '## False rollbacks at exactly the limit (2% before and after the deploy)',
  '',
  `Target for the gate: at most 1 − confidence = 5%.`,
  '',
  `| requests/s | ${names.join(' | ')} |`,
  `| ---: | ${names.map(() => '---:').join(' | ')} |`,
];
const base = SEED;
for (const [i, rate] of RATES.entries()) {
  const r = cell(rate, LIMIT, LIMIT, base + i);
  lines.push(`| ${rate.toLocaleString('en-US')} | ${names.map((n) => pct(r[n].fails / RUNS)).join(' | ')} |`);
}
lines.push(
  '',
  '## A 5xx spike from 2% to 8% at the deploy',
  '',
  'Detected: the share of releases failed within the 10-minute window. Time: median seconds from the deploy to the fail, over the releases failed. Target for the gate at 100 requests/s: within 2 minutes at the median.',
  '',
  `| requests/s | ${names.map((n) => `${n}: detected | median s`).join(' | ')} |`,
  `| ---: | ${names.map(() => '---: | ---:').join(' | ')} |`,
);
for (const [i, rate] of RATES.entries()) {
  const r = cell(rate, LIMIT, 0.08, base + 100 + i);
  lines.push(`| ${rate.toLocaleString('en-US')} | ${names.map((n) => `${pct(r[n].fails / RUNS)} | ${median(r[n].times) ?? '–'}`).join(' | ')} |`);
}
lines.push('');
const text = lines.join('\n');
writeFileSync(`${ROOT}bench/SYMPTOMS.md`, text);
process.stdout.write(text);
