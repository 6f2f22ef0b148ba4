/**
 * Release-health sessions as SDKs send them, kept as the sessions API reads them: one row per
 * session (or per aggregate bucket, with a count) at its start time, with its user and worst
 * status, per project, release and environment.
 *
 * What counts follows Sentry's session protocol (develop.sentry.dev "Sessions"; Relay's
 * session metrics extraction): a `session` item counts once, on `init: true`; later updates only
 * make it worse (errored when `errors > 0` or `status: errored`, then abnormal, then crashed);
 * `exited` ends it and later updates are ignored. A `sessions` item holds server-mode
 * aggregates: per `started` bucket, `exited` healthy, `errored`, `unhandled`, `abnormal` and
 * `crashed` sessions, with `did` when the SDK knows the user. A session without a release is
 * dropped, as Relay drops it. `unhandled` (an unhandled error that did not crash) is Relay's
 * newer status (relay-event-schema SessionStatus::Unhandled, SessionAggregateItem.unhandled).
 */
import { hash53, isRecord, parseTime, str } from './ids';

/** Session status ranks as stored (and as the sessions API counts them). */
export const HEALTHY = 0;
export const ERRORED = 1;
export const ABNORMAL = 2;
export const CRASHED = 3;
export const UNHANDLED = 4;

/** No user: the row counts as sessions only. */
export const NO_USER = -1;

/**
 * Users numbered in the order they first came, up to this many: the sessions query counts users
 * in maps, which small integer keys make several times faster than 53-bit hashes. Later users
 * keep their hash, moved past the numbered range.
 */
export const NUMBERED_USERS_CAP = 1_000_000;

/** Sessions whose status can still change; the oldest are forgotten past this (their later updates are ignored). */
export const OPEN_SESSIONS_CAP = 100_000;
/** Stored session rows in all; past this, new sessions are refused (429), as a quota would. */
export const SESSION_ROWS_CAP = 5_000_000;
/** Distinct (project, release, environment) series; past this, sessions of a new one are refused. */
export const SERIES_CAP = 10_000;

export class SessionSeries {
  private len = 0;
  private t = new Float64Array(64);
  private user = new Float64Array(64);
  private status = new Uint8Array(64);
  private count = new Uint32Array(64);
  constructor(
    readonly projectId: number,
    readonly release: string,
    readonly environment: string,
  ) {}

  get size(): number {
    return this.len;
  }

  push(t: number, user: number, status: number, n: number): number {
    if (this.len === this.t.length) {
      const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.t = grow(this.t, (k) => new Float64Array(k));
      this.user = grow(this.user, (k) => new Float64Array(k));
      this.status = grow(this.status, (k) => new Uint8Array(k));
      this.count = grow(this.count, (k) => new Uint32Array(k));
    }
    const i = this.len++;
    this.t[i] = t;
    this.user[i] = user;
    this.status[i] = status;
    this.count[i] = n;
    return i;
  }

  worsen(i: number, status: number): void {
    if (SEVERITY[status]! > SEVERITY[this.status[i]!]!) this.status[i] = status;
  }

  /** Rows started in [from, to) and visible before `visibleBefore` (epoch ms). */
  forEach(from: number, to: number, visibleBefore: number, visit: (t: number, user: number, status: number, n: number) => void): void {
    const hi = Math.min(to, visibleBefore + 1);
    for (let i = 0; i < this.len; i++) {
      const t = this.t[i]!;
      if (t >= from && t < hi) visit(t, this.user[i]!, this.status[i]!, this.count[i]!);
    }
  }
}

/** How bad each status is, for a session's (and a user's) worst: healthy < errored < unhandled < abnormal < crashed. */
export const SEVERITY: Record<number, number> = { [HEALTHY]: 0, [ERRORED]: 1, [UNHANDLED]: 2, [ABNORMAL]: 3, [CRASHED]: 4 };

/** An aggregate's counts by status. */
const AGGREGATE_FIELDS = [
  ['exited', HEALTHY],
  ['errored', ERRORED],
  ['unhandled', UNHANDLED],
  ['abnormal', ABNORMAL],
  ['crashed', CRASHED],
] as const;

/** A session's or aggregate's payload did not fit the protocol; the item is dropped, the envelope still accepted. */
export interface SessionOutcome {
  accepted: number;
  dropped: number;
  refused: number;
  /** Sessions stored (an aggregate counts its sessions). */
  sessions: number;
}

export class SessionStore {
  private series = new Map<string, SessionSeries>();
  private open = new Map<string, { s: SessionSeries; i: number }>();
  private users = new Map<number, number>();
  rows = 0;

  /** A user's number: distinct for distinct `did`s (but for hash collisions, see hash53). */
  private userOf(did: string): number {
    const h = hash53(did);
    const known = this.users.get(h);
    if (known !== undefined) return known;
    if (this.users.size >= NUMBERED_USERS_CAP) return h < NUMBERED_USERS_CAP ? h + NUMBERED_USERS_CAP : h;
    const n = this.users.size;
    this.users.set(h, n);
    return n;
  }

  all(): Iterable<SessionSeries> {
    return this.series.values();
  }

  environments(): Set<string> {
    return new Set([...this.series.values()].map((s) => s.environment));
  }

  /** The series of a session's attributes; undefined without a release, `full` past SERIES_CAP. */
  private seriesFor(projectId: number, attrs: Record<string, unknown>): SessionSeries | undefined | 'full' {
    const release = str(attrs.release, 250);
    if (!release) return undefined;
    const environment = str(attrs.environment, 64) ?? 'production';
    const key = `${projectId}\u0000${release}\u0000${environment}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= SERIES_CAP) return 'full';
      this.series.set(key, (s = new SessionSeries(projectId, release, environment)));
    }
    return s;
  }

  /** One `session` item (an update of one session). */
  update(projectId: number, payload: unknown, out: SessionOutcome): void {
    if (!isRecord(payload)) return void (out.dropped += 1);
    const sid = str(payload.sid, 100);
    const attrs = isRecord(payload.attrs) ? payload.attrs : {};
    const started = parseTime(payload.started);
    const status = statusOf(payload.status, payload.errors);
    if (!sid || started === undefined || status === undefined) return void (out.dropped += 1);
    const key = `${projectId}\u0000${sid}`;
    const known = this.open.get(key);
    const ended = payload.status === 'exited' || payload.status === 'crashed' || payload.status === 'abnormal';
    if (known) {
      known.s.worsen(known.i, status);
      if (ended) this.open.delete(key);
      return void (out.accepted += 1);
    }
    // An update of a session we never saw start (or have forgotten) adds no session.
    if (payload.init !== true) return void (out.dropped += 1);
    const s = this.seriesFor(projectId, attrs);
    if (!s) return void (out.dropped += 1);
    if (s === 'full' || this.rows >= SESSION_ROWS_CAP) return void (out.refused += 1);
    const did = payload.did === undefined || payload.did === null ? undefined : String(payload.did).slice(0, 200);
    const i = s.push(started, did ? this.userOf(did) : NO_USER, status, 1);
    this.rows += 1;
    out.sessions += 1;
    if (!ended) {
      if (this.open.size >= OPEN_SESSIONS_CAP) this.open.delete(this.open.keys().next().value!);
      this.open.set(key, { s, i });
    }
    out.accepted += 1;
  }

  /** One `sessions` item: server-mode aggregates. */
  aggregates(projectId: number, payload: unknown, out: SessionOutcome): void {
    if (!isRecord(payload) || !Array.isArray(payload.aggregates)) return void (out.dropped += 1);
    const s = this.seriesFor(projectId, isRecord(payload.attrs) ? payload.attrs : {});
    if (!s) return void (out.dropped += 1);
    if (s === 'full') return void (out.refused += 1);
    for (const a of payload.aggregates.slice(0, 1000)) {
      if (!isRecord(a)) continue;
      const started = parseTime(a.started);
      if (started === undefined) continue;
      const did = a.did === undefined || a.did === null ? NO_USER : this.userOf(String(a.did).slice(0, 200));
      for (const [field, status] of AGGREGATE_FIELDS) {
        const n = a[field];
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) continue;
        if (this.rows >= SESSION_ROWS_CAP) return void (out.refused += 1);
        s.push(started, did, status, Math.min(n, 0xffffffff));
        this.rows += 1;
        out.sessions += Math.min(n, 0xffffffff);
      }
    }
    out.accepted += 1;
  }
}

/** A session update's status rank, or undefined for one the protocol does not know. */
function statusOf(status: unknown, errors: unknown): number | undefined {
  const errored = typeof errors === 'number' && errors > 0;
  switch (status ?? 'ok') {
    case 'ok':
    case 'exited':
      return errored ? ERRORED : HEALTHY;
    case 'errored':
      return ERRORED;
    case 'unhandled':
      return UNHANDLED;
    case 'abnormal':
      return ABNORMAL;
    case 'crashed':
      return CRASHED;
    default:
      return undefined;
  }
}
