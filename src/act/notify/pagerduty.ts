import * as z from 'zod';
import type { NotifyVerdict } from '../../config/notify-inputs';
import { truncate } from '../../util/text';
import type { AlertFacts, Notifier, PlannedRequest } from '../port';
import { incidentKey, SUMMARY_MAX } from './facts';
import { notifyClient, notifyError } from './http';

/** PagerDuty's answer to an accepted event (Events API v2, 202). */
const accepted = z.object({ status: z.string(), dedup_key: z.string().optional() });

const CUSTOM_TEXT_MAX = 1000;

/** PagerDuty Events API v2 (`POST /v2/enqueue`): a trigger per incident, a resolve when the environment is healthy again. */
export function pagerDutyNotifier(opts: { url: string; routingKey: string; secrets: readonly string[]; signal?: AbortSignal }): Notifier {
  const event = (facts: AlertFacts): Record<string, unknown> => {
    const dedup_key = incidentKey(facts);
    if (facts.verdict === 'pass') return { routing_key: opts.routingKey, event_action: 'resolve', dedup_key };
    const links = (
      [
        ['Runbook', facts.links.runbook],
        ['Dashboard', facts.links.dashboard],
        ['Sentry release', facts.links.sentry],
        ['Workflow run', facts.links.run],
      ] as const
    ).flatMap(([text, href]) => (href ? [{ href, text }] : []));
    const details = Object.fromEntries(Object.entries(facts.details).map(([k, v]) => [k, typeof v === 'string' ? truncate(v, CUSTOM_TEXT_MAX) : v]));
    return {
      routing_key: opts.routingKey,
      event_action: 'trigger',
      dedup_key,
      payload: {
        summary: truncate(facts.summary, SUMMARY_MAX),
        source: `${facts.repository ?? facts.projects.join(',')} ${facts.environment}`,
        severity: facts.severity,
        timestamp: new Date(facts.decidedAt).toISOString(),
        component: facts.projects.join(','),
        group: facts.environment,
        class: facts.check ?? 'release health',
        custom_details: { ...details, started: new Date(facts.startedAt).toISOString() },
      },
      links,
      client: 'release-health-gate',
      ...(facts.links.run ? { client_url: facts.links.run } : {}),
    };
  };
  const plan = (facts: AlertFacts): PlannedRequest[] => [{ method: 'POST', url: `${opts.url}/v2/enqueue`, body: event(facts) }];
  return {
    name: 'PagerDuty',
    // A pass resolves whatever this environment's gate triggered (nothing happens when none is open).
    wants: (facts, notifyOn: readonly NotifyVerdict[]) => facts.verdict === 'pass' || notifyOn.includes(facts.verdict),
    plan,
    async send(facts, signal) {
      const http = notifyClient(opts.url, { secrets: opts.secrets, ...(opts.signal ? { signal: opts.signal } : {}) });
      try {
        await http.call('POST', '/v2/enqueue', { body: event(facts), schema: accepted, ...(signal ? { signal } : {}) });
        return { requests: http.requestCount };
      } catch (error) {
        throw notifyError('PagerDuty', error, http.requestCount);
      } finally {
        await http.close();
      }
    },
  };
}
