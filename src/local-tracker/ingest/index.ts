/**
 * POST /api/{project_id}/envelope/ (and the legacy /store/, one JSON event): the ingest endpoints Sentry SDKs send to, as Relay answers
 * it (relay-server/src/endpoints/envelope.rs, common.rs, extractors/request_meta.rs): the DSN's
 * public key in `X-Sentry-Auth: Sentry sentry_key=…` or `?sentry_key=`, a plain or gzip body,
 * 200 `{"id": event_id}` (or `{}`), and errors as `{"detail": …, "causes": [...]}`.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Reply } from '../http';
import type { ProjectRec } from '../store';
import { EnvelopeError, LIMITS, jsonPayload, parseEnvelope } from './envelope';
import { isRecord, str } from './ids';
import { IssueStore } from './issues-ingest';
import { type SessionOutcome, SessionStore } from './sessions-ingest';

export { LIMITS } from './envelope';

/** The envelope endpoint, and the legacy store endpoint older SDKs (sentry-python 1.x) send events to. */
export const ENVELOPE_PATH = /^\/api\/(\d{1,19})\/(envelope|store)\/?$/;

const fail = (status: number, detail: string, causes?: string[]): Reply => ({ status, body: causes ? { detail, causes } : { detail } });

export interface IngestStats {
  envelopes: number;
  rejected: number;
  items: Record<string, number>;
  sessions: SessionOutcome;
}

export class Ingest {
  readonly sessions = new SessionStore();
  readonly issues = new IssueStore();
  readonly keys = new Map<number, string>();
  readonly stats: IngestStats = {
    envelopes: 0,
    rejected: 0,
    items: Object.create(null) as Record<string, number>,
    sessions: { accepted: 0, dropped: 0, refused: 0, sessions: 0 },
  };

  constructor(projects: ProjectRec[], keys: Record<string, string> = {}) {
    for (const p of projects) this.keys.set(p.id, keys[p.slug] ?? randomBytes(16).toString('hex'));
  }

  /** `http://<key>@127.0.0.1:<port>/<project_id>` per project, for SENTRY_DSN. */
  dsns(baseUrl: string, projects: ProjectRec[]): { project: string; id: number; dsn: string }[] {
    const u = new URL(baseUrl);
    return projects.map((p) => ({ project: p.slug, id: p.id, dsn: `${u.protocol}//${this.keys.get(p.id)}@${u.host}/${p.id}` }));
  }

  environments(): Set<string> {
    return new Set([...this.sessions.environments(), ...this.issues.environments()]);
  }

  /** Answers one envelope request. `raw` is the body as received, at most LIMITS.envelopeBytes. */
  handle(req: { method: string; url: URL; headers: Record<string, string | string[] | undefined>; raw: Buffer; tooLarge: boolean; now: number }): Reply {
    const reply = this.answer(req);
    if (reply.status === 200) this.stats.envelopes += 1;
    else this.stats.rejected += 1;
    return reply;
  }

  private answer(req: {
    method: string;
    url: URL;
    headers: Record<string, string | string[] | undefined>;
    raw: Buffer;
    tooLarge: boolean;
    now: number;
  }): Reply {
    if (req.method !== 'POST') return fail(405, `Method "${req.method}" not allowed.`);
    const [, project, endpoint] = ENVELOPE_PATH.exec(req.url.pathname) ?? [];
    const projectId = Number(project);
    const key = authKey(req.headers['x-sentry-auth'], req.url.searchParams);
    if (key === 'bad') return fail(401, 'bad x-sentry-auth header');
    if (key === 'multiple') return fail(401, 'multiple authorization payloads detected');
    if (key === undefined) return fail(401, 'missing authorization information');
    if (this.keys.get(projectId) !== key) return fail(403, 'event submission rejected with_reason: ProjectId');
    if (req.tooLarge) return fail(413, `envelope exceeded size limits (the local tracker accepts ${LIMITS.envelopeBytes} bytes)`);

    let body: Buffer;
    try {
      body = decode(req.raw, req.headers['content-encoding']);
    } catch (e) {
      if (e instanceof RangeError) return fail(413, `envelope exceeded size limits (the local tracker accepts ${LIMITS.envelopeBytes} bytes)`);
      return fail(400, 'invalid request body', [(e as Error).message]);
    }
    if (body.length === 0) return fail(400, 'empty request body');

    // Everything is checked before anything is stored: a rejected envelope changes nothing.
    const work: (() => void)[] = [];
    let eventId: string | undefined;
    try {
      // A store request is one event: the envelope of that one item.
      const envelope = endpoint === 'store' ? { headers: {}, items: [{ type: 'event', headers: {}, payload: body }] } : parseEnvelope(body);
      const dsn = str(envelope.headers.dsn, 1000);
      if (dsn && !dsnMatches(dsn, projectId, key)) return fail(400, 'invalid event envelope', ['project id header mismatch between envelope and request']);
      eventId = str(envelope.headers.event_id, 64);
      for (const item of envelope.items) {
        // Item types are the sender's words: count a bounded set of them.
        const counted = Object.hasOwn(this.stats.items, item.type) || Object.keys(this.stats.items).length < 50 ? item.type.slice(0, 40) : 'other';
        this.stats.items[counted] = (this.stats.items[counted] ?? 0) + 1;
        if (item.type === 'event') {
          if (item.payload.length > LIMITS.eventBytes) return overflow('event');
          const event = jsonPayload(item);
          if (!isRecord(event)) throw new EnvelopeError('invalid JSON data in event item: not an object');
          eventId ??= str(event.event_id, 64);
          const bytes = item.payload.length;
          work.push(() => void this.issues.add(projectId, event, bytes, req.now));
        } else if (item.type === 'session' || item.type === 'sessions') {
          if (item.payload.length > LIMITS.sessionBytes) return overflow(item.type);
          const payload = jsonPayload(item);
          const s = this.stats.sessions;
          work.push(item.type === 'session' ? () => this.sessions.update(projectId, payload, s) : () => this.sessions.aggregates(projectId, payload, s));
        }
        // Transactions, attachments, client reports, logs, check-ins...: accepted and ignored.
      }
    } catch (e) {
      if (e instanceof EnvelopeError) return endpoint === 'store' ? fail(400, e.reason) : fail(400, 'invalid event envelope', [e.reason]);
      throw e;
    }
    const refusedBefore = this.stats.sessions.refused;
    for (const w of work) w();
    if (this.stats.sessions.refused > refusedBefore) {
      return {
        status: 429,
        body: { detail: 'Sentry dropped data due to a quota or internal rate limit being reached.' },
        headers: { 'Retry-After': '60', 'X-Sentry-Rate-Limits': '60:session:organization' },
      };
    }
    return { status: 200, body: eventId ? { id: eventId } : {} };
  }
}

function overflow(type: string): Reply {
  // Relay answers an item over its limit with 400 (BadStoreRequest::Overflow).
  return fail(400, `envelope exceeded size limits for type '${type}' (https://develop.sentry.dev/sdk/envelopes/#size-limits)`);
}

function decode(raw: Buffer, encoding: string | string[] | undefined): Buffer {
  const enc = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  const opts = { maxOutputLength: LIMITS.envelopeBytes };
  if (enc === '' || enc === 'identity') return raw;
  if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(raw, opts);
  if (enc === 'deflate') return inflateSync(raw, opts);
  throw new Error(`unsupported content encoding "${enc.slice(0, 40)}"`);
}

/** The public key from `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7` or `?sentry_key=`. */
function authKey(header: string | string[] | undefined, params: URLSearchParams): string | undefined | 'bad' | 'multiple' {
  const fromQuery = params.getAll('sentry_key');
  if (Array.isArray(header)) return 'multiple';
  let fromHeader: string | undefined;
  if (header !== undefined) {
    const m = /^\s*sentry\s+(.*)$/is.exec(header);
    if (!m) return 'bad';
    for (const part of m[1]!.split(',')) {
      const [k, ...v] = part.split('=');
      if (k?.trim() === 'sentry_key') fromHeader = v.join('=').trim();
    }
    if (!fromHeader) return 'bad';
  }
  if (fromHeader !== undefined && fromQuery.length > 0) return 'multiple';
  if (fromQuery.length > 1) return 'multiple';
  return fromHeader ?? fromQuery[0];
}

function dsnMatches(dsn: string, projectId: number, key: string): boolean {
  try {
    const u = new URL(dsn);
    return u.username === key && u.pathname.split('/').pop() === String(projectId);
  } catch {
    return false;
  }
}
