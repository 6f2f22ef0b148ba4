import * as z from 'zod';
import type { NotifyVerdict } from '../../config/notify-inputs';
import { truncate } from '../../util/text';
import type { AlertFacts, Notifier, PlannedRequest } from '../port';
import { projectsKey } from './facts';
import { notifyClient, notifyError } from './http';

export const ALERT_NAME = 'ReleaseHealthGate';

/**
 * A posted alert with no endsAt ends on its own after Alertmanager's
 * resolve_timeout (5 minutes by default), as if the release had recovered.
 * The gate posts once, not every evaluation as Prometheus does, so it holds
 * the alert for a day; a later pass in the environment resolves it sooner.
 */
export const HOLD_MS = 24 * 3_600_000;

// Alertmanager's gettableAlert, the part read back (api/v2/openapi.yaml).
const gettableAlerts = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).optional(),
    startsAt: z.string(),
    generatorURL: z.string().optional(),
  }),
);

/** The labels that say which incident this is: the same for a re-run, and what a later pass looks up to resolve. */
function identity(facts: AlertFacts): Record<string, string> {
  return {
    alertname: ALERT_NAME,
    environment: facts.environment,
    ...(facts.repository ? { repository: facts.repository } : { service: projectsKey(facts.projects) }),
  };
}

/** Every label name the gate posts: an alert with any other is not one of ours. */
const OWN_LABELS = new Set(['alertname', 'environment', 'repository', 'service', 'severity', 'release', 'project', 'check']);
const OWN_ANNOTATIONS = ['summary', 'description', 'runbook_url', 'dashboard_url'] as const;

/**
 * At most this many alerts resolved by one pass: one environment's gate posts
 * one per release, check and severity, a handful; more is a broken answer.
 */
export const MAX_RESOLVED = 50;

/**
 * The open alerts of the answer that are this environment's gate's own, as
 * the gate posted them. The answer is the server's word: one that ignores the
 * filter (an old Grafana, a proxy, a hostile server) must not make a pass
 * resolve another team's alert or another environment's incident.
 */
function ownAlerts(answer: z.infer<typeof gettableAlerts>, facts: AlertFacts) {
  const id = Object.entries(identity(facts));
  return answer
    .filter((a) => id.every(([k, v]) => a.labels[k] === v) && Object.keys(a.labels).every((k) => OWN_LABELS.has(k)))
    .slice(0, MAX_RESOLVED)
    .map((a) => {
      const annotations = Object.fromEntries(
        OWN_ANNOTATIONS.flatMap((k) => (a.annotations?.[k] === undefined ? [] : [[k, truncate(a.annotations[k], k === 'description' ? 8000 : 1024)]])),
      );
      return { labels: a.labels, annotations, ...(a.generatorURL ? { generatorURL: truncate(a.generatorURL, 2000) } : {}), startsAt: a.startsAt };
    });
}

function labels(facts: AlertFacts): Record<string, string> {
  return {
    ...identity(facts),
    severity: facts.severity,
    release: facts.release,
    service: projectsKey(facts.projects),
    project: projectsKey(facts.projects),
    check: facts.check ?? 'none',
  };
}

function firing(facts: AlertFacts, now: number): Record<string, unknown> {
  const annotations: Record<string, string> = { summary: truncate(facts.summary, 1024), description: truncate(facts.body, 8000) };
  if (facts.links.runbook) annotations.runbook_url = facts.links.runbook;
  if (facts.links.dashboard) annotations.dashboard_url = facts.links.dashboard;
  return {
    labels: labels(facts),
    annotations,
    ...(facts.links.run ? { generatorURL: facts.links.run } : {}),
    startsAt: new Date(facts.startedAt).toISOString(),
    endsAt: new Date(Math.max(now, facts.startedAt) + HOLD_MS).toISOString(),
  };
}

/** Matchers for GET /api/v2/alerts: label="value", the value's quotes and backslashes escaped. */
const matchers = (set: Record<string, string>) => Object.entries(set).map(([k, v]) => `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`);

/** Alertmanager's API v2 (`POST /api/v2/alerts`), or Grafana's Alertmanager-compatible one. */
export function alertmanagerNotifier(opts: {
  url: string;
  headers: [string, string][];
  secrets: readonly string[];
  signal?: AbortSignal;
  now?: () => number;
}): Notifier {
  const now = opts.now ?? Date.now;
  const headers = Object.fromEntries(opts.headers);
  const client = () => notifyClient(opts.url, { headers, secrets: opts.secrets, ...(opts.signal ? { signal: opts.signal } : {}) });
  const plan = (facts: AlertFacts): PlannedRequest[] =>
    facts.verdict === 'pass'
      ? [
          {
            method: 'GET',
            url: `${opts.url}/api/v2/alerts?${matchers(identity(facts))
              .map((m) => `filter=${encodeURIComponent(m)}`)
              .join('&')}`,
          },
          {
            method: 'POST',
            url: `${opts.url}/api/v2/alerts`,
            body: [{ labels: { ...identity(facts), '…': 'each open alert found, as it is' }, endsAt: new Date(now()).toISOString() }],
          },
        ]
      : [{ method: 'POST', url: `${opts.url}/api/v2/alerts`, body: [firing(facts, now())] }];
  return {
    name: 'Alertmanager',
    wants: (facts, notifyOn: readonly NotifyVerdict[]) => !facts.superseded && (facts.verdict === 'pass' || notifyOn.includes(facts.verdict)),
    plan,
    async send(facts, signal) {
      const http = client();
      const call = { schema: z.unknown(), ...(signal ? { signal } : {}) };
      try {
        if (facts.verdict !== 'pass') {
          await http.call('POST', '/api/v2/alerts', { ...call, body: [firing(facts, now())] });
          return { requests: http.requestCount };
        }
        // Resolving re-posts each open alert of this environment with its own labels and endsAt now.
        const open = await http.call('GET', '/api/v2/alerts', {
          ...call,
          schema: gettableAlerts,
          query: { filter: matchers(identity(facts)), active: 'true' },
        });
        const own = ownAlerts(open.data, facts);
        if (own.length === 0) return { requests: http.requestCount, note: 'no open alert to resolve' };
        const ended = new Date(now()).toISOString();
        const body = own.map((a) => ({ ...a, endsAt: ended }));
        await http.call('POST', '/api/v2/alerts', { ...call, body });
        return { requests: http.requestCount, note: `resolved ${body.length} alert${body.length === 1 ? '' : 's'}` };
      } catch (error) {
        throw notifyError('Alertmanager', error, http.requestCount);
      } finally {
        await http.close();
      }
    },
  };
}
