import { eFail, ePass } from '../src/gate/evalue';
import { FINAL_LOOK_SHARE } from '../src/gate/final-look';
import { mulberry32, type Rng } from '../src/sim/simulate';
import { ratioChecks, type GatePolicy } from '../src/gate/types';
import { sessionCheck } from '../src/sources/sentry/checks';
import type { Schedule } from '../src/pipeline/watch';
import { type RecordedSample, replayRelease } from '../src/replay/replay';
import { pollTimes } from '../src/replay/schedule';
import { countsAtPolls } from './strategies';

/*
 * Traffic shaped like real traffic (issue #19): users come back within the
 * window with heavy-tailed session counts, and users differ in how often they
 * crash or error (a per-user propensity), so a user's sessions are not
 * independent trials. The design effect (variance of bad sessions over the
 * binomial variance) is 1 + ρ (E[S²]/E[S] − 1) for ρ the intra-user
 * correlation and S a user's sessions; ρ is set per cell to reach it.
 */

export interface ClusteredSpec {
  sessionsPerMinute: number;
  windowSec: number;
  bucketSec: number;
  ingestionDelaySec: number;
  /** Mean share of sessions that crash, and of the others that have a handled error. */
  crashRate: number;
  errorRate: number;
  designEffect: number;
  /** How users arrive over the window (default steady). */
  shape?: TrafficShape;
}

/**
 * How users arrive over the window: steady; rising or falling 10× (arrival
 * intensity linear from 1 to 10, or 10 to 1); bursty (half the users in
 * BURSTS bursts of BURST_SEC at random times, the other half steady).
 */
export type TrafficShape = 'steady' | 'rising' | 'falling' | 'bursty';
const BURSTS = 3;
const BURST_SEC = 60;

/** A release's arrival time sampler: inverse CDF of the shape's intensity. */
function arrivals(rng: Rng, shape: TrafficShape, windowSec: number): (rng: Rng) => number {
  // Intensity 1 + 9x on x in [0, 1]: CDF (x + 4.5x²) / 5.5.
  const rising = (u: number) => (-1 + Math.sqrt(1 + 99 * u)) / 9;
  if (shape === 'rising') return (r) => rising(r()) * windowSec;
  if (shape === 'falling') return (r) => (1 - rising(1 - r())) * windowSec;
  if (shape === 'bursty') {
    const starts = Array.from({ length: BURSTS }, () => rng() * (windowSec - BURST_SEC));
    return (r) => (r() < 0.5 ? r() * windowSec : starts[Math.floor(r() * BURSTS)]! + r() * BURST_SEC);
  }
  return (r) => r() * windowSec;
}

/** P(S ≥ s) = s^-1.5 up to 200: most users open one or two sessions, a few open dozens. */
const TAIL = 1.5;
const MAX_SESSIONS = 200;
/** Mean gap between a user's sessions (exponential), seconds. */
const GAP_SEC = 60;

function plannedSessions(rng: Rng): number {
  return Math.min(MAX_SESSIONS, Math.floor((1 - rng()) ** (-1 / TAIL)));
}

/** Session start times of one user within the window, from an arrival drawn by `arrive` (default uniform). */
function sessionTimes(rng: Rng, windowSec: number, arrive?: (rng: Rng) => number): number[] {
  const planned = plannedSessions(rng);
  const out: number[] = [];
  let t = arrive ? arrive(rng) : rng() * windowSec;
  for (let i = 0; i < planned && t < windowSec; i++) {
    out.push(t);
    t += -Math.log(1 - rng()) * GAP_SEC;
  }
  return out;
}

/** Sessions per user seen in the window (mean and mean of squares), by simulation once per window and shape. */
const moments = new Map<string, { mean: number; meanSq: number }>();
function sessionMoments(windowSec: number, shape: TrafficShape = 'steady'): { mean: number; meanSq: number } {
  const key = `${windowSec}|${shape}`;
  const known = moments.get(key);
  if (known) return known;
  const rng = mulberry32(12345);
  let sum = 0;
  let sumSq = 0;
  const n = 200_000;
  let arrive = shape === 'steady' ? undefined : arrivals(rng, shape, windowSec);
  for (let i = 0; i < n; i++) {
    // Bursts move from release to release: average over many.
    if (shape === 'bursty' && i % 1000 === 0) arrive = arrivals(rng, shape, windowSec);
    const s = sessionTimes(rng, windowSec, arrive).length;
    sum += s;
    sumSq += s * s;
  }
  const m = { mean: sum / n, meanSq: sumSq / n };
  moments.set(key, m);
  return m;
}

/** ρ that gives the design effect for this window's session counts. */
export function correlationFor(designEffect: number, windowSec: number, shape: TrafficShape = 'steady'): number {
  const { mean, meanSq } = sessionMoments(windowSec, shape);
  return Math.max(0, Math.min(0.99, (designEffect - 1) / (meanSq / mean - 1)));
}

/**
 * A user's next session is bad with this chance, given `bad` of their `drawn`
 * sessions so far were: the Pólya urn of a per-user propensity drawn from
 * Beta(mean κ, (1 − mean) κ), κ = 1/ρ − 1. It gives the same joint law of a
 * user's sessions as drawing the propensity first (the Beta-Bernoulli
 * predictive) without the two gamma draws per user that took half the
 * benchmark's time; ρ = 0 is the plain Bernoulli(mean), drawing nothing more.
 */
function nextBadChance(mean: number, kappa: number, bad: number, drawn: number): number {
  return kappa === Infinity || mean <= 0 ? mean : (mean * kappa + bad) / (kappa + drawn);
}

/**
 * One release's cumulative counts since the deploy, one sample per bucket as
 * it becomes visible, with users, crashed users and users with an unhealthy
 * session counted distinct over the window so far (as Sentry counts them).
 */
export function simulateClustered(rng: Rng, spec: ClusteredSpec, half?: { from: number; to: number; users: number; crashedUsers: number }): RecordedSample[] {
  const W = spec.windowSec;
  const buckets = Math.ceil(W / spec.bucketSec);
  const inc = () => new Array<number>(buckets).fill(0);
  const sessions = inc();
  const crashed = inc();
  const errored = inc();
  const users = inc();
  const crashedUsers = inc();
  const erroredUsers = inc();
  const shape = spec.shape ?? 'steady';
  const rho = correlationFor(spec.designEffect, W, shape);
  const kappa = rho > 0 ? 1 / rho - 1 : Infinity;
  // Users so that sessions in the window average sessionsPerMinute over it, whatever the shape.
  const expectedUsers = (spec.sessionsPerMinute * (W / 60)) / sessionMoments(W, shape).mean;
  const n = Math.max(0, Math.round(expectedUsers + Math.sqrt(expectedUsers) * gaussian(rng)));
  const arrive = shape === 'steady' ? undefined : arrivals(rng, shape, W);
  for (let u = 0; u < n; u++) {
    const times = sessionTimes(rng, W, arrive);
    if (times.length === 0) continue;
    let crashes = 0;
    let errors = 0;
    let errorDraws = 0;
    users[Math.floor(times[0]! / spec.bucketSec)]! += 1;
    let wasCrashed = false;
    let wasErrored = false;
    let inHalf = false;
    let crashedInHalf = false;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      const spanned = half !== undefined && t >= half.from && t < half.to;
      const b = Math.floor(t / spec.bucketSec);
      sessions[b]! += 1;
      const crash = rng() < nextBadChance(spec.crashRate, kappa, crashes, i);
      if (crash) crashes += 1;
      const bad = crash || rng() < nextBadChance(spec.errorRate, kappa, errors, errorDraws++);
      if (bad && !crash) errors += 1;
      if (spanned) inHalf = true;
      if (crash && spanned) crashedInHalf = true;
      if (crash) {
        crashed[b]! += 1;
        if (!wasCrashed) crashedUsers[b]! += 1;
        wasCrashed = true;
      }
      if (bad) {
        errored[b]! += 1;
        if (!wasErrored) erroredUsers[b]! += 1;
        wasErrored = true;
      }
    }
    if (half && inHalf) half.users += 1;
    if (half && crashedInHalf) half.crashedUsers += 1;
  }
  const out: RecordedSample[] = [];
  const total = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0, erroredUsers: 0 };
  for (let b = 0; b < buckets; b++) {
    total.sessions += sessions[b]!;
    total.crashedSessions += crashed[b]!;
    total.erroredSessions += errored[b]!;
    total.users += users[b]!;
    total.crashedUsers += crashedUsers[b]!;
    total.erroredUsers += erroredUsers[b]!;
    const t = (b + 1) * spec.bucketSec + spec.ingestionDelaySec;
    if (t <= W) out.push({ t, ...total });
  }
  return out;
}

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export type ClusteredCheck = 'crash-free-sessions' | 'error-rate';

export interface ClusteredCell {
  check: ClusteredCheck;
  limit: number;
  multiple: number;
  designEffect: number;
  sessionsPerMinute: number;
  shape: TrafficShape;
  releases: number;
  /** The gate now: fails, passes, inconclusive. */
  now: { fails: number; passes: number; inconclusive: number };
  /** The gate before #19.1 and #19.6: bad sessions as independent trials, no pass-margin. */
  before: { fails: number; passes: number; inconclusive: number };
  /** The pass-early rule before #19.4 (the mirrored test on sessions): releases passed before the window end. */
  beforeEarlyPasses: number;
  nowEarlyPasses: number;
}

/** Sessions as independent trials: what the gate judged before #19.1. */
const asSessions = (s: RecordedSample): RecordedSample => ({ ...s, crashedUsers: s.crashedSessions, erroredUsers: s.erroredSessions });

/**
 * The pass-early rule before #19.4 on the counts as given: pass at the first
 * non-final poll with at least min-sessions where the mirrored e-value
 * reached the threshold and the fail e-value had not.
 */
function oldEarlyPass(policy: GatePolicy, polls: readonly number[], samples: readonly RecordedSample[]): boolean {
  const alpha = 1 - policy.confidence;
  const threshold = ratioChecks(policy).length / (alpha * (1 - FINAL_LOOK_SHARE));
  const seen = countsAtPolls(polls, samples);
  for (let i = 0; i < seen.length - 1; i++) {
    const c = seen[i]!;
    if (c.sessions < policy.minSessions) continue;
    let healthy = true;
    for (const limit of ratioChecks(policy)) {
      const n = c.sessions;
      const k = limit.id === 'error-rate' ? (c.erroredSessions ?? 0) : c.crashedSessions;
      if (eFail(n, k, limit.maxBadRate) >= threshold) return false;
      if (ePass(n, k, limit.maxBadRate) < threshold) healthy = false;
    }
    if (healthy) return true;
  }
  return false;
}

export function runClusteredCell(
  seed: number,
  releases: number,
  schedule: Schedule,
  policy: GatePolicy,
  check: ClusteredCheck,
  multiple: number,
  designEffect: number,
  sessionsPerMinute: number,
  shape: TrafficShape = 'steady',
): ClusteredCell {
  const limit = ratioChecks(policy)[0]!.maxBadRate;
  const shapeSeed = Math.imul(SHAPES.indexOf(shape), 0x27d4eb2f);
  const rng = mulberry32(
    (seed ^
      Math.imul(Math.round(multiple * 100) + 7, 0x9e3779b1) ^
      Math.imul(designEffect * 13 + sessionsPerMinute, 0x85ebca6b) ^
      (check === 'error-rate' ? 0x5bd1e995 : 0) ^
      shapeSeed) >>>
      0,
  );
  const spec: ClusteredSpec = {
    sessionsPerMinute,
    windowSec: schedule.windowMs / 1000,
    bucketSec: 30,
    ingestionDelaySec: 60,
    crashRate: check === 'crash-free-sessions' ? Math.min(1, multiple * limit) : 0.001,
    // Unhealthy = crashed or errored: the errored share of the rest makes the unhealthy share multiple × limit.
    errorRate: check === 'error-rate' ? Math.max(0, (multiple * limit - 0.001) / (1 - 0.001)) : 0,
    designEffect,
    shape,
  };
  const polls = pollTimes(schedule);
  const beforePolicy: GatePolicy = { ...policy, passMargin: null };
  const tally = () => ({ fails: 0, passes: 0, inconclusive: 0 });
  const cell: ClusteredCell = {
    check,
    limit,
    multiple,
    designEffect,
    sessionsPerMinute,
    shape,
    releases,
    now: tally(),
    before: tally(),
    beforeEarlyPasses: 0,
    nowEarlyPasses: 0,
  };
  const windowSec = schedule.windowMs / 1000;
  for (let r = 0; r < releases; r++) {
    const samples = simulateClustered(rng, spec);
    const now = replayRelease({ ...policy, passEarly: true }, schedule, samples, polls);
    const before = replayRelease(beforePolicy, schedule, samples.map(asSessions), polls);
    count(cell.now, now.verdict);
    count(cell.before, before.verdict);
    if (now.verdict === 'pass' && now.decidedAt !== null && now.decidedAt < windowSec) cell.nowEarlyPasses += 1;
    if (oldEarlyPass(policy, polls, samples)) cell.beforeEarlyPasses += 1;
  }
  return cell;
}

function count(t: { fails: number; passes: number; inconclusive: number }, verdict: string): void {
  if (verdict === 'fail') t.fails += 1;
  else if (verdict === 'pass') t.passes += 1;
  else t.inconclusive += 1;
}

/** Wilson 95% interval of a proportion. */
export function wilson(x: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export const CLUSTERED_TRAFFIC = process.env.BENCH_CLUSTER_TRAFFIC ? process.env.BENCH_CLUSTER_TRAFFIC.split(',').map(Number) : [20, 100, 1000, 5000, 10000];
/** The shaped-traffic cells, at the limit only: every fail is false. */
export const SHAPES: TrafficShape[] = ['steady', 'rising', 'falling', 'bursty'];
export const SHAPED_TRAFFIC = [100, 1000, 10000];
export const CLUSTERED_MULTIPLES = [0.5, 1, 2, 4];
export const DESIGN_EFFECTS = [1, 3];
/** The checks and limits benchmarked on clustered traffic: crash-free sessions 99.5%, error rate 5%. */
export const CLUSTERED_CHECKS: { check: ClusteredCheck; flags: Record<string, string> }[] = [
  { check: 'crash-free-sessions', flags: { 'min-crash-free-users': 'off', 'min-crash-free-sessions': '0.995' } },
  { check: 'error-rate', flags: { 'min-crash-free-users': 'off', 'max-error-rate': '0.05' } },
];

const pct = (x: number) => (x === 0 ? '0%' : x < 0.001 ? '<0.1%' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`);
const withInterval = (x: number, n: number) => {
  const [lo, hi] = wilson(x, n);
  return `${pct(x / n)} (${pct(lo)}–${pct(hi)})`;
};

/** The clustered-traffic section of RESULTS.md. */
export function clusteredSection(cells: ClusteredCell[], confidence: number): string {
  const alpha = 1 - confidence;
  const lines: string[] = [];
  lines.push('## Clustered traffic: returning users, per-user propensity (#19.1, #19.4, #19.6)');
  lines.push('');
  lines.push(
    `Users arrive uniformly over the window and come back with heavy-tailed session counts (P(S ≥ s) = s^-${TAIL}, up to ${MAX_SESSIONS}; exponential gaps of ${GAP_SEC} s; sessions past the window end are not opened); ` +
      'each user has their own crash and error propensity (Beta around the release mean), set so bad sessions vary `design effect` × the binomial variance. ' +
      '"N× the limit" is the mean share of bad sessions. Same schedule, ingestion delay and confidence as above; the policy has the one check. ' +
      '**now**: the gate (bad users against sessions, pass-margin 2x, pass-early on). **before**: the gate before #19.1/#19.6 on the same data (bad sessions as independent trials, no pass-margin). ' +
      '**early passes (before)**: the pass-early rule before #19.4 (the mirrored test on sessions). Intervals: Wilson 95%.',
  );
  for (const { check } of CLUSTERED_CHECKS) {
    const mine = cells.filter((c) => c.check === check);
    const limit = mine[0]?.limit ?? 0;
    lines.push('');
    lines.push(`### ${check === 'error-rate' ? `error rate ${pct(limit)}` : `crash-free sessions ${((1 - limit) * 100).toFixed(1)}%`}: at the limit`);
    lines.push('');
    lines.push('| design effect | sessions/min | false rollbacks now | false rollbacks before | early passes now | early passes before |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const c of mine.filter((x) => x.multiple === 1)) {
      const ok = wilson(c.now.fails, c.releases)[1] <= 1.5 * alpha ? ' ✅' : ' ❌';
      lines.push(
        `| ${c.designEffect} | ${c.sessionsPerMinute} | ${withInterval(c.now.fails, c.releases)}${ok} | ${withInterval(c.before.fails, c.releases)} | ${withInterval(c.nowEarlyPasses, c.releases)} | ${withInterval(c.beforeEarlyPasses, c.releases)} |`,
      );
    }
    lines.push('');
    lines.push(`### ${check}: outcomes now / before (fail · pass · inconclusive)`);
    lines.push('');
    lines.push('| release | design effect | sessions/min | now | before |');
    lines.push('| --- | ---: | ---: | --- | --- |');
    for (const c of mine.filter((x) => x.multiple !== 1)) {
      const f = (t: ClusteredCell['now']) => `${pct(t.fails / c.releases)} · ${pct(t.passes / c.releases)} · ${pct(t.inconclusive / c.releases)}`;
      lines.push(`| ${c.multiple}× | ${c.designEffect} | ${c.sessionsPerMinute} | ${f(c.now)} | ${f(c.before)} |`);
    }
  }
  return lines.join('\n');
}

export interface UsersCell {
  designEffect: number;
  sessionsPerMinute: number;
  releases: number;
  /** The crash-free-users limit: the mean crashed share of users at the window end, estimated. */
  limit: number;
  /** Fails with the second half's users counted over it (the action; replay with secondHalf). */
  counted: number;
  /** Fails with the second half's users as a difference of cumulative counts (replay before #19.3). */
  difference: number;
}

/**
 * Releases exactly at a crash-free-users limit on returning users: the limit
 * is the release's own expected crashed share at the window end (estimated
 * on 400 releases first), so every fail is false.
 */
export function runUsersCell(
  seed: number,
  releases: number,
  schedule: Schedule,
  policy: GatePolicy,
  designEffect: number,
  sessionsPerMinute: number,
  crashRate: number,
): UsersCell {
  const W = schedule.windowMs / 1000;
  const spec: ClusteredSpec = { sessionsPerMinute, windowSec: W, bucketSec: 30, ingestionDelaySec: 60, crashRate, errorRate: 0, designEffect };
  const rng = mulberry32((seed ^ Math.imul(designEffect * 31 + sessionsPerMinute, 0x27d4eb2d)) >>> 0);
  let crashedUsers = 0;
  let users = 0;
  for (let r = 0; r < 400; r++) {
    const last = simulateClustered(rng, spec).at(-1);
    users += last?.users ?? 0;
    crashedUsers += last?.crashedUsers ?? 0;
  }
  const limit = crashedUsers / Math.max(1, users);
  const p: GatePolicy = { ...policy, checks: [sessionCheck('crash-free-users', limit)] };
  const polls = pollTimes(schedule);
  // The gate's second half: from the last poll at or before mid-window to the last poll, each seeing sessions started a bucket and the ingestion delay earlier.
  const mid = polls.filter((at) => at <= schedule.windowMs / 2).at(-1) ?? 0;
  const lag = spec.ingestionDelaySec;
  let counted = 0;
  let difference = 0;
  for (let r = 0; r < releases; r++) {
    const half = { from: mid / 1000 - lag, to: W - lag, users: 0, crashedUsers: 0 };
    const samples = simulateClustered(rng, spec, half);
    if (replayRelease(p, schedule, samples, polls, { users: half.users, crashedUsers: half.crashedUsers }).verdict === 'fail') counted += 1;
    const seen = countsAtPolls(polls, samples);
    const base = seen[polls.indexOf(mid)]!;
    const end = seen.at(-1)!;
    if (
      replayRelease(p, schedule, samples, polls, { users: Math.max(0, end.users - base.users), crashedUsers: end.crashedUsers - base.crashedUsers }).verdict ===
      'fail'
    )
      difference += 1;
  }
  return { designEffect, sessionsPerMinute, releases, limit, counted, difference };
}

export function usersSection(cells: UsersCell[], confidence: number): string {
  const alpha = 1 - confidence;
  const lines = [
    '### crash-free users at exactly the limit, returning users (#19.3)',
    '',
    "Same clustered traffic, 0.5% of sessions crashing; the limit is the release's own expected crashed share of users at the window end, so every fail is false. " +
      "**counted**: the second half's users counted over it, as the action asks Sentry and as `replay` reads `secondHalf`. **difference**: a difference of cumulative users, as `replay` did before.",
    '',
    '| design effect | sessions/min | limit (crashed users) | false rollbacks, counted | false rollbacks, difference |',
    '| ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cells) {
    const ok = wilson(c.counted, c.releases)[1] <= 1.5 * alpha ? ' ✅' : ' ❌';
    lines.push(
      `| ${c.designEffect} | ${c.sessionsPerMinute} | ${pct(c.limit)} | ${withInterval(c.counted, c.releases)}${ok} | ${withInterval(c.difference, c.releases)} |`,
    );
  }
  return lines.join('\n');
}

/** The rising, falling and bursty cells at the limit (#19 benchmark): false rollbacks and early passes. */
export function shapesSection(cells: ClusteredCell[], confidence: number): string {
  const alpha = 1 - confidence;
  const lines = [
    '### Rising, falling and bursty traffic: at the limit',
    '',
    `Same clustered traffic and checks, users arriving unevenly: **rising**/**falling** 10× over the window (arrival intensity linear from 1 to 10, or 10 to 1), **bursty** (half the users in ${BURSTS} bursts of ${BURST_SEC} s at random times per release, half steady). sessions/min is the average over the window. Every fail is false. Intervals: Wilson 95%.`,
    '',
    '| check | arrivals | design effect | sessions/min | false rollbacks | early passes |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cells) {
    const name = c.check === 'error-rate' ? `error rate ${pct(c.limit)}` : `crash-free sessions ${((1 - c.limit) * 100).toFixed(1)}%`;
    const ok = wilson(c.now.fails, c.releases)[1] <= 1.5 * alpha ? ' ✅' : ' ❌';
    lines.push(
      `| ${name} | ${c.shape} | ${c.designEffect} | ${c.sessionsPerMinute} | ${withInterval(c.now.fails, c.releases)}${ok} | ${withInterval(c.nowEarlyPasses, c.releases)} |`,
    );
  }
  return lines.join('\n');
}
