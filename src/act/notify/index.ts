import type { NotifyVerdict } from '../../config/notify-inputs';
import { redactDeep } from '../../util/redact';
import type { AlertFacts, ActLog, Notifier, NotificationResult, PlannedRequest } from '../port';
import { NotifyError } from './http';

/**
 * The longest a notifier may take, retries and every request included: a
 * service that stalls cannot hold the job for long after its verdict.
 */
export const NOTIFY_BUDGET_MS = 25_000;

/**
 * Sends the verdict to each notifier that wants it, at once. Never throws and
 * never changes the verdict: a failure is one warning naming the notifier and
 * the status. A dry run sends nothing and returns what would have been sent,
 * redacted.
 */
export async function notifyAll(
  notifiers: readonly Notifier[],
  facts: AlertFacts,
  opts: { notifyOn: readonly NotifyVerdict[]; dryRun: boolean; log: ActLog; secrets: readonly string[]; signal?: AbortSignal },
): Promise<NotificationResult[]> {
  const wanted = notifiers.filter((n) => n.wants(facts, opts.notifyOn));
  const kindOf = (n: Notifier): NotificationResult['kind'] => (n.name === 'Slack' ? 'message' : facts.verdict === 'pass' ? 'resolve' : 'trigger');
  if (opts.dryRun) {
    return wanted.map((n) => ({
      notifier: n.name,
      status: 'planned',
      kind: kindOf(n),
      requests: 0,
      planned: redactDeep(n.plan(facts), [...opts.secrets]) as PlannedRequest[],
    }));
  }
  return Promise.all(
    wanted.map(async (n): Promise<NotificationResult> => {
      // One budget for all a notifier does: each call's own retry budget bounds one request, not a resolve's two.
      const budget = AbortSignal.timeout(NOTIFY_BUDGET_MS);
      try {
        const sent = await n.send(facts, opts.signal ? AbortSignal.any([opts.signal, budget]) : budget);
        return { notifier: n.name, status: 'sent', kind: kindOf(n), requests: sent.requests, ...(sent.note ? { note: sent.note } : {}) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        opts.log.warning(message);
        return { notifier: n.name, status: 'failed', kind: kindOf(n), requests: error instanceof NotifyError ? error.requests : 0, error: message };
      }
    }),
  );
}
