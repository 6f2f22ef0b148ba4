/**
 * PagerDuty, Slack and Alertmanager as small servers on loopback: each
 * validates a request against the vendored schema of the real service
 * (test/fixtures/notify), refuses an invalid one as the service does, and
 * records what arrived.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as typeof addFormatsImport;

function validator(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL(`../fixtures/notify/${file}`, import.meta.url), 'utf8')) as object);
}

export const validatePagerDuty = validator('pagerduty-events-v2.schema.json');
export const validateSlack = validator('slack-webhook-message.schema.json');
export const validateAlertmanager = validator('alertmanager-postable-alerts.schema.json');

export interface Arrived {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: unknown;
  /** The status the stub answered. */
  status: number;
}

export interface Stub<State> {
  url: string;
  requests: Arrived[];
  state: State;
  /** Answer this status (and body) to every request from now on (the service is down); null to recover. */
  down(status: number | null, body?: string): void;
  close(): Promise<void>;
}

type Handler<State> = (req: Arrived, state: State) => { status: number; body: string; type?: string };

async function startStub<State>(state: State, handle: Handler<State>): Promise<Stub<State>> {
  const requests: Arrived[] = [];
  let downStatus: number | null = null;
  let downBody = 'unavailable';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const url = new URL(req.url ?? '/', 'http://stub');
      const arrived: Arrived = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, raw, body, status: 0 };
      const answer = downStatus !== null ? { status: downStatus, body: downBody, type: 'text/plain' } : handle(arrived, state);
      arrived.status = answer.status;
      requests.push(arrived);
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    down: (status, body = 'unavailable') => void ([downStatus, downBody] = [status, body]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ajvErrors = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath || '(event)'} ${e.message ?? 'is invalid'}`);

export interface PagerDutyState {
  routingKey: string;
  /** Incidents by dedup_key: open until resolved; a trigger for an open one adds no incident. */
  incidents: { dedupKey: string; open: boolean; triggers: number }[];
}

/** PagerDuty's Events API v2: 202 "Event processed", or 400 with its error body. */
export function startPagerDutyStub(routingKey: string): Promise<Stub<PagerDutyState>> {
  return startStub<PagerDutyState>({ routingKey, incidents: [] }, (req, state) => {
    const invalid = (errors: string[]) => ({ status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }) });
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return { status: 404, body: '{"status":"not found"}' };
    if (req.body === undefined) return invalid(['Invalid JSON']);
    if (!validatePagerDuty(req.body)) return invalid(ajvErrors(validatePagerDuty));
    const event = req.body as { routing_key: string; event_action: string; dedup_key: string };
    if (event.routing_key !== state.routingKey) return invalid(['Invalid routing key']);
    const open = state.incidents.find((i) => i.dedupKey === event.dedup_key && i.open);
    if (event.event_action === 'trigger') {
      if (open) open.triggers += 1;
      else state.incidents.push({ dedupKey: event.dedup_key, open: true, triggers: 1 });
    } else if (event.event_action === 'resolve' && open) open.open = false;
    return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }) };
  });
}

export interface SlackState {
  /** The webhook's path: any other is Slack's 404 no_service. */
  path: string;
  messages: { text?: string; blocks?: unknown[] }[];
}

/** A Slack incoming webhook: 200 "ok", or 400 with its error code as text. */
export function startSlackStub(path = '/services/T0STUB0001/B0STUB0002/q8Xw2mKz7RtY4vLp9NcJ5sHd'): Promise<Stub<SlackState>> {
  return startStub<SlackState>({ path, messages: [] }, (req, state) => {
    const text = (status: number, body: string) => ({ status, body, type: 'text/plain' });
    if (req.method !== 'POST' || req.path !== state.path) return text(404, 'no_service');
    if (req.body === undefined || typeof req.body !== 'object') return text(400, 'invalid_payload');
    const body = req.body as { text?: string; blocks?: unknown[] };
    if (!body.text && !body.blocks) return text(400, 'no_text');
    if (!validateSlack(body)) return text(400, 'invalid_blocks');
    state.messages.push(body);
    return text(200, 'ok');
  });
}

export interface AlertmanagerState {
  /** Alerts by their label set, as Alertmanager merges them: one per distinct labels. */
  alerts: Map<string, { labels: Record<string, string>; annotations?: Record<string, string>; startsAt: string; endsAt?: string; generatorURL?: string }>;
}

const fingerprint = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** Alertmanager's API v2: POST merges alerts by labels; GET lists the active ones matching `filter=name="value"`. */
export function startAlertmanagerStub(): Promise<Stub<AlertmanagerState>> {
  return startStub<AlertmanagerState>({ alerts: new Map() }, (req, state) => {
    if (req.path !== '/api/v2/alerts') return { status: 404, body: '"not found"' };
    const now = Date.now();
    if (req.method === 'GET') {
      const filters = req.query.getAll('filter').map((f) => /^(\w+)="((?:[^"\\]|\\.)*)"$/.exec(f));
      if (filters.some((f) => !f)) return { status: 400, body: '"bad matcher"' };
      const active = [...state.alerts.values()].filter((a) => !a.endsAt || Date.parse(a.endsAt) > now);
      const found = active.filter((a) => filters.every((f) => a.labels[f![1]!] === f![2]!.replace(/\\(.)/g, '$1')));
      return {
        status: 200,
        body: JSON.stringify(
          found.map((a) => ({
            ...a,
            annotations: a.annotations ?? {},
            receivers: [{ name: 'stub' }],
            fingerprint: fingerprint(a.labels),
            updatedAt: new Date(now).toISOString(),
            endsAt: a.endsAt ?? new Date(now + 300_000).toISOString(),
            status: { state: 'active', silencedBy: [], inhibitedBy: [] },
          })),
        ),
      };
    }
    if (req.method !== 'POST') return { status: 405, body: '"method not allowed"' };
    if (!validateAlertmanager(req.body)) return { status: 400, body: JSON.stringify(ajvErrors(validateAlertmanager).join('; ')) };
    for (const alert of req.body as AlertmanagerState['alerts'] extends Map<string, infer A> ? A[] : never) {
      const key = fingerprint(alert.labels);
      const old = state.alerts.get(key);
      state.alerts.set(key, { ...alert, startsAt: old && Date.parse(old.startsAt) < Date.parse(alert.startsAt) ? old.startsAt : alert.startsAt });
    }
    return { status: 200, body: '' };
  });
}
