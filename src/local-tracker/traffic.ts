/**
 * A deterministic model of release-health sessions: what a scenario's app would do. It answers
 * no query itself: the scenario generator (scenario-traffic.ts) sends its sessions to the ingest
 * path as an SDK would, and the sessions API reads them from there.
 *
 * Sessions are generated minute by minute after an anchor (the release's deploy to the
 * environment, or its creation). Minute m of project p draws its sessions from a stream seeded by
 * (seed, role, p, m), so any minute can be computed on its own, in any order, and always gives the
 * same sessions.
 */
import { ABNORMAL, CRASHED, ERRORED, HEALTHY } from './ingest/sessions-ingest';
import { streamFor } from './random';

export type SessionStatus = 'healthy' | 'errored' | 'abnormal' | 'crashed';
/** Status names by rank (ingest/sessions-ingest.ts's HEALTHY..CRASHED). */
export const STATUSES: readonly SessionStatus[] = ['healthy', 'errored', 'abnormal', 'crashed'];

/** Per-session probabilities. `errored` is a handled error in a session that did not crash. */
export interface Rates {
  crash: number;
  errored?: number;
  abnormal?: number;
}

/** Rates from `fromMinute` (minutes since the anchor) until the next phase. */
export interface Phase extends Rates {
  fromMinute: number;
}

/** A session placed exactly, for scenarios that need precise small counts. */
export interface ScriptedSession {
  atSec: number;
  user: number;
  status: SessionStatus;
}

export interface ProjectTraffic {
  sessionsPerMinute: number;
  /** Average sessions a user opens over `userHorizonMinutes`; sets the size of the user pool. */
  sessionsPerUser?: number;
  /** The release under watch. */
  phases: Phase[];
  /** The previous release (its history before this deploy is the baseline). */
  previous?: Rates;
  /** One user who opens `share` of the sessions and crashes with probability `crash`. */
  noisyUser?: { share: number; crash: number };
  /** Exact sessions of the watched release, in addition to the random ones. */
  script?: ScriptedSession[];
}

export interface TrafficModel {
  seed: number;
  projects: ProjectTraffic[];
  userHorizonMinutes?: number;
  /**
   * Real milliseconds in one scenario minute (default 60,000). 1,000 plays a
   * 10-minute scenario in 10 s for a process that runs on the real clock, such
   * as the bundled action, where a shared simulated clock is not possible.
   */
  minuteMs?: number;
}

export type Role = 'current' | 'previous';

/** Sessions of one minute: offsets from the minute start (ms), user ids and status ranks. */
export interface MinuteSessions {
  offsetMs: Float64Array;
  user: Int32Array;
  status: Uint8Array;
}

const DEFAULT_PREVIOUS: Rates = { crash: 0.001, errored: 0.01 };
const USER_ID_STRIDE = 1_000_000;
const NOISY_USER = USER_ID_STRIDE - 1;
const CACHE_LIMIT = 50_000;

export class Traffic {
  private cache = new Map<string, MinuteSessions>();

  constructor(readonly model: TrafficModel) {}

  /** Sessions of `minute` (since the anchor) for project index `project`, memoized. */
  minute(role: Role, project: number, minute: number): MinuteSessions {
    const key = `${role}|${project}|${minute}`;
    let hit = this.cache.get(key);
    if (!hit) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      hit = this.generate(role, project, minute);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private generate(role: Role, project: number, minute: number): MinuteSessions {
    const p = this.model.projects[project];
    if (!p || minute < 0) return { offsetMs: new Float64Array(), user: new Int32Array(), status: new Uint8Array() };
    const next = streamFor(this.model.seed, role, project, minute);
    // Fixed count with a random remainder: deterministic, and no extra variance beyond the
    // binomial outcome of each session, which is what the gate's statistics are about.
    const whole = Math.floor(p.sessionsPerMinute);
    const n = whole + (next() < p.sessionsPerMinute - whole ? 1 : 0);
    const rates = role === 'previous' ? (p.previous ?? DEFAULT_PREVIOUS) : phaseAt(p.phases, minute);
    const horizon = this.model.userHorizonMinutes ?? 30;
    const pool = Math.max(1, Math.round((p.sessionsPerMinute * horizon) / (p.sessionsPerUser ?? 3)));
    const script = role === 'current' ? (p.script ?? []).filter((s) => Math.floor(s.atSec / 60) === minute) : [];

    const total = n + script.length;
    const out: MinuteSessions = {
      offsetMs: new Float64Array(total),
      user: new Int32Array(total),
      status: new Uint8Array(total),
    };
    for (let i = 0; i < n; i++) {
      out.offsetMs[i] = Math.floor(next() * 60_000);
      const noisy = p.noisyUser && role === 'current' && next() < p.noisyUser.share;
      if (noisy) {
        out.user[i] = project * USER_ID_STRIDE + NOISY_USER;
        out.status[i] = next() < p.noisyUser!.crash ? CRASHED : HEALTHY;
        continue;
      }
      out.user[i] = project * USER_ID_STRIDE + Math.floor(next() * pool);
      out.status[i] = drawStatus(next(), rates);
    }
    script.forEach((s, j) => {
      out.offsetMs[n + j] = (s.atSec - minute * 60) * 1000;
      out.user[n + j] = project * USER_ID_STRIDE + s.user;
      out.status[n + j] = STATUSES.indexOf(s.status);
    });
    return out;
  }

  /**
   * Calls `visit` for every session of `role`/`project` that started in [from, to), within the
   * release's active span [anchor, until), and at or before `visibleBefore`. Times are epoch ms.
   */
  forEach(
    q: { role: Role; project: number; anchor: number; until: number; from: number; to: number; visibleBefore: number },
    visit: (t: number, user: number, status: number) => void,
  ): void {
    const lo = Math.max(q.from, q.anchor);
    const hi = Math.min(q.to, q.until, q.visibleBefore + 1);
    if (hi <= lo) return;
    const minuteMs = this.model.minuteMs ?? 60_000;
    const scale = minuteMs / 60_000;
    const first = Math.floor((lo - q.anchor) / minuteMs);
    const last = Math.floor((hi - 1 - q.anchor) / minuteMs);
    for (let m = first; m <= last; m++) {
      const s = this.minute(q.role, q.project, m);
      const base = q.anchor + m * minuteMs;
      for (let i = 0; i < s.offsetMs.length; i++) {
        const t = base + s.offsetMs[i]! * scale;
        if (t >= lo && t < hi) visit(t, s.user[i]!, s.status[i]!);
      }
    }
  }
}

export function phaseAt(phases: Phase[], minute: number): Rates {
  let current: Rates = phases[0] ?? { crash: 0 };
  for (const ph of phases) if (ph.fromMinute <= minute) current = ph;
  return current;
}

function drawStatus(u: number, r: Rates): number {
  const crash = r.crash;
  const abnormal = crash + (r.abnormal ?? 0);
  const errored = abnormal + (r.errored ?? 0);
  if (u < crash) return CRASHED;
  if (u < abnormal) return ABNORMAL;
  if (u < errored) return ERRORED;
  return HEALTHY;
}
