/**
 * Scenarios as a traffic generator: what the scenario's app would send to Sentry, sent as an SDK
 * sends it. Sessions go as `sessions` items (server-mode aggregates: per start time and user,
 * how many sessions exited, errored, had an unhandled error, ended abnormally or crashed), issues
 * as `event` items (an exception, the user, release, environment and a fingerprint), each in an
 * envelope handed to the envelope endpoint's own handler (Ingest.handle: the same parse and
 * store as a POST /api/<id>/envelope/). The sessions, issues and releases APIs then read only the
 * ingest store: scenario traffic and real SDK traffic take one data path.
 *
 * The scenario's time is minutes since each release's deploy, which the gate records while the
 * tracker runs, on a clock tests can move by hours; so nothing is sent ahead of time. Before an
 * API read, `sessions()` and `issues()` send what has become visible since the last read: a
 * session once its ingestion delay has passed (with `lag: 'crash-first'` a crashed one at once,
 * the others each after its own share of the delay), an issue's events as its ramp reaches them.
 * Per release and project a high-water mark (the `now` of the last send) and the earliest start
 * time covered make each send idempotent; a read reaching further back than any before first
 * sends the sessions of that older stretch. Sessions keep their start time to the millisecond, so
 * counts over any range are the per-session model's; what was sent stays sent, as with an SDK
 * (a deploy recorded later does not take back sessions already ingested).
 */
import { createHash } from 'node:crypto';
import type { Ingest } from './ingest';
import { ABNORMAL, CRASHED, ERRORED, HEALTHY, UNHANDLED } from './ingest/sessions-ingest';
import type { Scenario } from './scenarios';
import { type ProjectRec, type ReleaseRec, type TrackerState, anchorOf, untilOf } from './store';
import type { Traffic } from './traffic';

/** Aggregates in one `sessions` item: well under the ingest's 100 KiB and 1,000-aggregate limits per item. */
const AGGREGATES_PER_ITEM = 500;
/** Items in one envelope: well under its 1,000 items and 20 MiB. */
const ITEMS_PER_ENVELOPE = 100;
/** Aggregate fields by status rank. */
const FIELD: Record<number, string> = { [HEALTHY]: 'exited', [ERRORED]: 'errored', [UNHANDLED]: 'unhandled', [ABNORMAL]: 'abnormal', [CRASHED]: 'crashed' };

interface Stream {
  /** Earliest session start (epoch ms) sent for. */
  lo: number;
  /** Every session started at or after `lo` and visible at this time has been sent. */
  sentAt: number;
}

export interface ScenarioTrafficOptions {
  state: TrackerState;
  scenario: Scenario;
  traffic: Traffic;
  ingest: Ingest;
  /** Real ms per scenario minute (time compression). */
  minuteMs: number;
  ingestionDelayMs: number;
  /** The tracker's address: the DSN the envelopes name. */
  baseUrl: () => string;
  /** Sees each envelope as it is sent (what an SDK would POST to the project's envelope endpoint). */
  tap?: (envelope: { projectId: number; body: Buffer }) => void;
}

export class ScenarioTraffic {
  private streams = new Map<ReleaseRec, Map<number, Stream>>();
  private eventsSent = new Map<ReleaseRec, number[]>();
  private readonly idle: boolean;

  constructor(private readonly o: ScenarioTrafficOptions) {
    this.idle = o.traffic.model.projects.every((p) => p.sessionsPerMinute <= 0 && !(p.script?.length ?? 0));
  }

  /**
   * Sends the sessions that are visible at `now`, of the releases named (every release when
   * none), in `projects`, started at or after `from`.
   */
  sessions(now: number, q: { releases: string[]; projects: ProjectRec[]; from: number }): void {
    if (this.idle) return;
    const { state } = this.o;
    const env = state.environment;
    for (const release of state.releases.values()) {
      if (q.releases.length > 0 && !q.releases.includes(release.version)) continue;
      const anchor = anchorOf(release, env);
      let streams = this.streams.get(release);
      if (!streams) this.streams.set(release, (streams = new Map()));
      for (const project of q.projects) {
        if (!release.projectIds.includes(project.id)) continue;
        const span = { role: release.role, project: state.projects.indexOf(project), anchor, until: untilOf(state, release, project.id, env) };
        const lower = Math.max(anchor, q.from);
        const attrs = JSON.stringify({ release: release.version, environment: env });
        const out = new SessionsBatch((aggregates) => {
          const items = [];
          for (let i = 0; i < aggregates.length; i += AGGREGATES_PER_ITEM) {
            items.push({ type: 'sessions', payload: `{"attrs":${attrs},"aggregates":[${aggregates.slice(i, i + AGGREGATES_PER_ITEM).join(',')}]}` });
          }
          this.send(project.id, items, now);
        });
        const s = streams.get(project.id);
        if (!s) {
          this.collect(out, span, lower, -Infinity, now);
          streams.set(project.id, { lo: lower, sentAt: now });
        } else {
          // An older stretch than any read before: none of it was sent.
          if (lower < s.lo) this.collect(out, span, lower, -Infinity, Math.max(now, s.sentAt), s.lo);
          // What became visible since the last send.
          if (now > s.sentAt) this.collect(out, span, Math.max(s.lo, s.sentAt - this.o.ingestionDelayMs - 1), s.sentAt, now);
          s.lo = Math.min(s.lo, lower);
          s.sentAt = Math.max(s.sentAt, now);
        }
        out.flush();
      }
    }
  }

  /** Sessions started in [from, to) and within the release's span that become visible in (after, upTo]. */
  private collect(
    out: SessionsBatch,
    span: { role: ReleaseRec['role']; project: number; anchor: number; until: number },
    from: number,
    after: number,
    upTo: number,
    to = Infinity,
  ): void {
    const delay = this.o.ingestionDelayMs;
    const crashFirst = this.o.scenario.lag === 'crash-first';
    this.o.traffic.forEach({ ...span, from, to, visibleBefore: upTo }, (t, user, status) => {
      // Crash-first: as Sentry's server SDKs send them, a crash at once, the rest after their own lag.
      const visibleAt = crashFirst ? (status === CRASHED ? t : t + lagOf(t, user) * delay) : t + delay;
      if (visibleAt <= after || visibleAt > upTo) return;
      // A quarter of the users' handled errors went unhandled (without crashing): Sentry's fifth status.
      out.add(t, user, status === ERRORED && user % 4 === 0 ? UNHANDLED : status);
    });
  }

  /** Sends the events of the scenario's issues that are visible at `now` and not sent yet. */
  issues(now: number): void {
    const { state, scenario, minuteMs } = this.o;
    if (scenario.issues.length === 0) return;
    const visible = now - this.o.ingestionDelayMs;
    for (const release of state.releases.values()) {
      const anchor = anchorOf(release, state.environment);
      let sent = this.eventsSent.get(release);
      if (!sent) this.eventsSent.set(release, (sent = scenario.issues.map(() => 0)));
      scenario.issues.forEach((spec, index) => {
        if ((spec.release ?? 'current') !== release.role) return;
        const project = state.projects[spec.project];
        if (!project || !release.projectIds.includes(project.id)) return;
        const firstSeen = anchor + spec.firstSeenMinute * minuteMs;
        if (firstSeen > visible) return;
        // Events arrive evenly over the ramp, each from a user; so users grow with them.
        const ramp = (spec.rampMinutes ?? 0) * minuteMs;
        const progress = ramp === 0 ? 1 : Math.min(1, (visible - firstSeen) / ramp);
        const due = Math.max(1, Math.ceil(spec.events * progress));
        for (let k = sent[index]! + 1; k <= due; k++) {
          const at = firstSeen + (ramp * (k - 1)) / spec.events;
          // The users reached when the ramp reached this event (as many as the ramp's share of them), the last one with the last event.
          const users = Math.min(spec.users, spec.events);
          const user = k === spec.events ? users : Math.max(1, Math.ceil((users * (k - 1)) / spec.events));
          const event = scenarioEvent(spec.title, {
            event_id: createHash('sha1').update(`${scenario.seed}|${release.version}|${index}|${k}`).digest('hex').slice(0, 32),
            timestamp: new Date(at).toISOString(),
            platform: 'javascript',
            level: spec.level ?? 'error',
            release: release.version,
            environment: state.environment,
            user: { id: `user-${user}` },
            transaction: spec.culprit,
            // One issue per spec and release, as each watched release brings its own.
            fingerprint: [`scenario-issue-${index}`, release.version],
          });
          this.send(project.id, [{ type: 'event', payload: JSON.stringify(event) }], now, event.event_id as string);
        }
        sent[index] = Math.max(sent[index]!, due);
      });
    }
  }

  /** One envelope through the envelope endpoint's handler; anything but 200 is the generator's bug, and fails loudly. */
  private send(projectId: number, items: { type: string; payload: string }[], now: number, eventId?: string): void {
    const { ingest } = this.o;
    const key = ingest.keys.get(projectId)!;
    const url = new URL(`/api/${projectId}/envelope/`, this.o.baseUrl());
    const header = { ...(eventId ? { event_id: eventId } : {}), sent_at: new Date(now).toISOString(), dsn: `${url.protocol}//${key}@${url.host}/${projectId}` };
    const lines = [JSON.stringify(header)];
    for (const { type, payload } of items) lines.push(JSON.stringify({ type, length: Buffer.byteLength(payload) }), payload);
    const body = Buffer.from(`${lines.join('\n')}\n`);
    this.o.tap?.({ projectId, body });
    const reply = ingest.handle({
      method: 'POST',
      url,
      headers: {
        'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7, sentry_client=release-health-gate-scenario/1`,
        'content-type': 'application/x-sentry-envelope',
      },
      raw: body,
      tooLarge: false,
      now,
    });
    if (reply.status !== 200) throw new Error(`the ingest endpoint refused the scenario's envelope: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
}

/** A scenario issue's event: an exception when its title reads `Type: value`, else a message. */
function scenarioEvent(title: string, base: Record<string, unknown>): Record<string, unknown> {
  const at = title.indexOf(': ');
  if (at <= 0) return { ...base, message: title };
  return { ...base, exception: { values: [{ type: title.slice(0, at), value: title.slice(at + 2), mechanism: { type: 'generic', handled: false } }] } };
}

/**
 * One aggregate per session, with its start to the millisecond and its user, handed on an
 * envelope's worth at a time as JSON text. (Two sessions of one user in the same millisecond are
 * two aggregates: the store adds them up as it would one with a count of two.)
 */
class SessionsBatch {
  private aggregates: string[] = [];
  /** ISO seconds by epoch second: toISOString for each of 300,000 sessions a minute costs more than all the rest. */
  private seconds = new Map<number, string>();

  constructor(private readonly flushTo: (aggregates: string[]) => void) {}

  add(t: number, user: number, status: number): void {
    const ms = Math.floor(t);
    const second = Math.floor(ms / 1000);
    let prefix = this.seconds.get(second);
    if (prefix === undefined) {
      if (this.seconds.size > 10_000) this.seconds.clear();
      this.seconds.set(second, (prefix = new Date(second * 1000).toISOString().slice(0, 20)));
    }
    // Numbers and an ISO date only: nothing that JSON would escape.
    this.aggregates.push(`{"started":"${prefix}${String(ms - second * 1000).padStart(3, '0')}Z","did":"${user}","${FIELD[status]!}":1}`);
    if (this.aggregates.length >= AGGREGATES_PER_ITEM * ITEMS_PER_ENVELOPE) this.flush();
  }

  flush(): void {
    if (this.aggregates.length === 0) return;
    const all = this.aggregates;
    this.aggregates = [];
    this.flushTo(all);
  }
}

/** A session's share of the longest lag, in [0, 1): fixed by its time and user, so every send agrees. */
function lagOf(t: number, user: number): number {
  let h = Math.imul((t ^ (t / 4294967296)) | 0, 0x9e3779b1) ^ Math.imul(user, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
