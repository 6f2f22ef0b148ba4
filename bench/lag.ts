import { binomial, mulberry32, type Rng } from '../src/sim/simulate';
import { exactInterval } from '../src/gate/interval';
import { ratioChecks, type GatePolicy } from '../src/gate/types';
import { type RecordedSample, replayRelease } from '../src/replay/replay';
import type { Schedule } from '../src/pipeline/watch';

/**
 * Crash-first ingestion lag, as Sentry's server SDKs send sessions: a crash
 * is sent at once, the healthy session updates with the next flush, up to
 * 60 s later. The newest minute then holds every crash but only some of the
 * healthy users, so counts up to now overstate the crash rate; counts up to
 * now minus the settle time do not. Only the crash-free-users check is run.
 */
export const LAG_TRAFFIC = [100, 1000, 10_000];
export const LAG_SETTLES_SEC = [0, 60];
export const LAG_SCENARIOS = [
  { key: 'h0.5', label: 'healthy 0.5×', multiple: 0.5 },
  { key: 'h1', label: 'at the limit 1×', multiple: 1 },
  { key: 'r4', label: 'regression 4×', multiple: 4 },
];

const BUCKET_SEC = 10;
/** A healthy user's update arrives (j + 1) × 10 s after its bucket ends, j uniform in 0..5: up to 60 s. */
const LAG_SLOTS = 6;
const SESSIONS_PER_USER = 3;

interface Bucket {
  end: number;
  crashedUsers: number;
  crashedSessions: number;
  /** Healthy users by lag slot. */
  healthy: number[];
}

function simulateBuckets(rng: Rng, sessionsPerMinute: number, userCrashRate: number, untilSec: number): Bucket[] {
  const perBucket = (sessionsPerMinute / SESSIONS_PER_USER) * (BUCKET_SEC / 60);
  const p = userCrashRate > 0 ? -Math.expm1(Math.log1p(-userCrashRate) / SESSIONS_PER_USER) : 0;
  const out: Bucket[] = [];
  for (let b = 0; b * BUCKET_SEC < untilSec; b++) {
    const users = Math.floor((b + 1) * perBucket) - Math.floor(b * perBucket);
    const crashedUsers = binomial(rng, users, userCrashRate);
    const crashedSessions = crashedUsers + binomial(rng, crashedUsers * (SESSIONS_PER_USER - 1), p);
    // Multinomial over the lag slots, as successive binomials.
    let left = users - crashedUsers;
    const healthy: number[] = [];
    for (let j = 0; j < LAG_SLOTS; j++) {
      const n = j === LAG_SLOTS - 1 ? left : binomial(rng, left, 1 / (LAG_SLOTS - j));
      healthy.push(n);
      left -= n;
    }
    out.push({ end: (b + 1) * BUCKET_SEC, crashedUsers, crashedSessions, healthy });
  }
  return out;
}

/** What a poll at `pollSec` sees of the sessions started up to `untilSec`. */
function visible(buckets: Bucket[], untilSec: number, pollSec: number): Omit<RecordedSample, 't'> {
  const c = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 };
  for (const b of buckets) {
    if (b.end > untilSec) break;
    c.crashedUsers += b.crashedUsers;
    c.users += b.crashedUsers;
    c.sessions += b.crashedUsers * SESSIONS_PER_USER;
    c.crashedSessions += b.crashedSessions;
    b.healthy.forEach((n, j) => {
      if (b.end + (j + 1) * BUCKET_SEC <= pollSec) {
        c.users += n;
        c.sessions += n * SESSIONS_PER_USER;
      }
    });
  }
  c.erroredSessions = c.crashedSessions;
  return c;
}

export interface LagCell {
  minCrashFree: number;
  scenario: (typeof LAG_SCENARIOS)[number];
  sessionsPerMinute: number;
  settleSec: number;
  releases: number;
  fails: number;
  /** Sorted minutes from the deploy to the fail (the poll that decided, settle after its data), Infinity when never. */
  failMinutes: number[];
}

/**
 * The gate's decision (replayRelease: the action's decide() at each poll) on
 * the counts each poll would see: polls judge data up to minute 1..10 of a
 * 10-minute window and are sent `settle` after it.
 */
export function runLagCell(
  seed: number,
  releases: number,
  policy: GatePolicy,
  schedule: Schedule,
  scenario: (typeof LAG_SCENARIOS)[number],
  sessionsPerMinute: number,
  settleSec: number,
): LagCell {
  const p0 = ratioChecks(policy)[0]!.maxBadRate;
  const windowSec = schedule.windowMs / 1000;
  const cuts = Array.from({ length: Math.round(windowSec / 60) }, (_, i) => 60 * (i + 1));
  const rng = mulberry32(
    (seed ^ Math.imul(sessionsPerMinute, 0x9e3779b1) ^ Math.imul(Math.round(p0 * 1e6) + 7 * Math.round(scenario.multiple * 100), 0x85ebca6b)) >>> 0,
  );
  let fails = 0;
  const failMinutes: number[] = [];
  for (let r = 0; r < releases; r++) {
    // The same traffic for both settle times: one draw per release and cell seed.
    const buckets = simulateBuckets(rng, sessionsPerMinute, Math.min(1, scenario.multiple * p0), windowSec);
    const samples: RecordedSample[] = cuts.map((u) => ({ t: u, ...visible(buckets, u, u + settleSec) }));
    const result = replayRelease(
      policy,
      schedule,
      samples,
      cuts.map((u) => u * 1000),
    );
    if (result.verdict === 'fail') {
      fails += 1;
      failMinutes.push(((result.decidedAt ?? windowSec) + settleSec) / 60);
    } else failMinutes.push(Infinity);
  }
  failMinutes.sort((a, b) => a - b);
  return { minCrashFree: 1 - p0, scenario, sessionsPerMinute, settleSec, releases, fails, failMinutes };
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

function rateWithInterval(k: number, n: number): string {
  const [lo, hi] = exactInterval(n, k, 0.025)!;
  return `${pct(k / n)} (${pct(lo)}–${pct(hi)})`;
}

/** The markdown section: one row per limit, traffic and settle time. */
export function lagSection(cells: LagCell[], confidence: number): string {
  const find = (limit: number, key: string, traffic: number, settle: number) =>
    cells.find((c) => c.minCrashFree === limit && c.scenario.key === key && c.sessionsPerMinute === traffic && c.settleSec === settle)!;
  const median = (c: LagCell) => {
    const m = c.failMinutes[Math.ceil(c.failMinutes.length / 2) - 1]!;
    return Number.isFinite(m) ? `${m} min` : '–';
  };
  const lines = [
    '## Crash-first ingestion lag: settle 0 s against 60 s',
    '',
    `Crashes arrive at once, each healthy user's sessions ${BUCKET_SEC}–60 s later (uniform over 10-second steps), as Sentry's server SDKs flush them. ` +
      `Polls judge the data up to minutes 1–10 of the 10-minute window; with settle 60 s each is sent a minute after its data, so the last at minute 11. ` +
      `Gate as above (crash-free users, confidence ${confidence}). ${cells[0]?.releases ?? 0} releases per cell; false rollbacks with their exact 95% interval; ` +
      `minutes to fail counted from the deploy to the poll that failed.`,
    '',
    '| limit | sessions/min | settle | healthy 0.5× failed | at the limit 1× failed | 4× caught | 4× median time to fail |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const limits = [...new Set(cells.map((c) => c.minCrashFree))];
  for (const limit of limits) {
    for (const traffic of LAG_TRAFFIC) {
      for (const settle of LAG_SETTLES_SEC) {
        const h = find(limit, 'h0.5', traffic, settle);
        const at = find(limit, 'h1', traffic, settle);
        const r4 = find(limit, 'r4', traffic, settle);
        lines.push(
          `| ${(limit * 100).toFixed(1)}% | ${traffic.toLocaleString('en-US')} | ${settle} s | ${rateWithInterval(h.fails, h.releases)} | ${rateWithInterval(at.fails, at.releases)} | ${pct(r4.fails / r4.releases)} | ${median(r4)} |`,
        );
      }
    }
  }
  return lines.join('\n');
}
