import { binomial, type Rng } from '../src/sim/simulate';
import type { RecordedSample } from '../src/replay/replay';

/** From `fromSec` on, this share of new users crash (the crash-free-users complement). */
export interface Phase {
  fromSec: number;
  userCrashRate: number;
}

export interface TrafficSpec {
  sessionsPerMinute: number;
  /** Every user opens this many sessions, in the same bucket (one visit). */
  sessionsPerUser: number;
  windowSec: number;
  /** Simulation step; the tracker shows data per bucket. */
  bucketSec: number;
  /** Data from a bucket shows up in queries this long after the bucket ends. */
  ingestionDelaySec: number;
  phases: Phase[];
  /** Share of non-crashed sessions with a handled error. */
  erroredRate: number;
  /** One extra user, there from the start, whose every session crashes. */
  noisyUser?: { sessionsPerMinute: number };
}

function userCrashRateAt(spec: TrafficSpec, sec: number): number {
  let rate = 0;
  for (const p of spec.phases) if (p.fromSec <= sec) rate = p.userCrashRate;
  return rate;
}

/**
 * One release's tracker view, as replay samples: cumulative counts since the
 * deploy, one sample each time a bucket becomes visible (bucket end + the
 * ingestion delay), up to the window end.
 *
 * Users arrive at a steady rate (sessionsPerMinute / sessionsPerUser) and each
 * opens `sessionsPerUser` sessions. A user crashes when any of their sessions
 * crashes, so a phase's user crash rate q means a per-session crash chance
 * p = 1 - (1 - q)^(1/s). Crashed users are Binomial(users, q); a crashed user
 * has their first crash plus Binomial(s - 1, p) more (a close approximation of
 * the count given at least one crash). Errored sessions are the crashed ones
 * plus Binomial(healthy sessions, erroredRate).
 */
export function simulateRelease(rng: Rng, spec: TrafficSpec): RecordedSample[] {
  const s = spec.sessionsPerUser;
  const usersPerBucket = (spec.sessionsPerMinute / s) * (spec.bucketSec / 60);
  const buckets = Math.floor((spec.windowSec - spec.ingestionDelaySec) / spec.bucketSec);
  const noisyPerBucket = spec.noisyUser ? (spec.noisyUser.sessionsPerMinute * spec.bucketSec) / 60 : 0;
  const total = { sessions: 0, crashedSessions: 0, erroredSessions: 0, users: 0, crashedUsers: 0 };
  const samples: RecordedSample[] = [];
  let noisyCarry = 0;
  let noisySeen = false;
  for (let b = 0; b < buckets; b++) {
    // Steady arrivals: the variance that matters is in the crashes.
    const users = Math.floor((b + 1) * usersPerBucket) - Math.floor(b * usersPerBucket);
    const q = userCrashRateAt(spec, b * spec.bucketSec);
    const p = q > 0 ? -Math.expm1(Math.log1p(-q) / s) : 0;
    const crashedUsers = binomial(rng, users, q);
    const crashedSessions = crashedUsers + binomial(rng, crashedUsers * (s - 1), p);
    const sessions = users * s;
    total.users += users;
    total.crashedUsers += crashedUsers;
    total.sessions += sessions;
    total.crashedSessions += crashedSessions;
    total.erroredSessions += crashedSessions + binomial(rng, sessions - crashedSessions, spec.erroredRate);
    if (spec.noisyUser) {
      noisyCarry += noisyPerBucket;
      const n = Math.floor(noisyCarry);
      noisyCarry -= n;
      if (n > 0 && !noisySeen) {
        noisySeen = true;
        total.users += 1;
        total.crashedUsers += 1;
      }
      total.sessions += n;
      total.crashedSessions += n;
      total.erroredSessions += n;
    }
    samples.push({ t: (b + 1) * spec.bucketSec + spec.ingestionDelaySec, ...total });
  }
  return samples;
}
