import * as z from 'zod';
import type { NotifyVerdict } from '../../config/notify-inputs';
import { formatUtcMinute } from '../../format';
import { oneLine, truncate } from '../../util/text';
import type { AlertFacts, Notifier, PlannedRequest } from '../port';
import { NetworkError, UnreachableError } from '../../http/errors';
import { NotifyError, notifyClient, notifyError } from './http';

// Block Kit's limits (Slack's reference): 50 blocks a message, 3,000 characters
// a section's text, 2,000 a field and 10 fields, 150 a header, 75 a button's text.
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fieldText: 2000, fields: 10, headerText: 150, buttonText: 75, url: 3000 } as const;

const WORD_JOINER = '\u2060';

/**
 * Tracker text made inert for Slack: mrkdwn's three control characters
 * escaped as Slack asks (&amp; &lt; &gt;, which also stops <!here>, <@U…> and
 * <url|label> links), and @channel, @here, @everyone broken by an invisible
 * joiner so no workspace is pinged by an issue title.
 */
export function slackText(text: string, max: number): string {
  // Slack counts the escaped text against its limits, and "&" takes five: escape, then cut between entities, never in one.
  const flat = oneLine(text, max).replace(/@(channel|here|everyone)\b/gi, `@${WORD_JOINER}$1`);
  let out = '';
  for (const ch of flat) {
    const escaped = ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch;
    if (out.length + escaped.length > max - 1) return `${out}…`;
    out += escaped;
  }
  return out;
}

/**
 * Plain text (headers, buttons) is not parsed for mentions or links, but is
 * shown in notifications and previews that might be: angle brackets become
 * look-alike quotes and mentions are broken all the same.
 */
const plain = (text: string, max: number) =>
  truncate(
    oneLine(text)
      .replace(/@(channel|here|everyone)\b/gi, `@${WORD_JOINER}$1`)
      .replace(/</g, '‹')
      .replace(/>/g, '›'),
    max,
  );

const EMOJI = { fail: ':red_circle:', inconclusive: ':warning:', pass: ':large_green_circle:' } as const;

/** The message: the guide's alert body laid out in Block Kit, with a plain-text fallback. */
export function slackMessage(facts: AlertFacts): { text: string; blocks: unknown[] } {
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${slackText(value, SLACK_LIMITS.fieldText - label.length - 4)}` });
  const fields = [
    field('Verdict', `${facts.verdict} (${facts.severity})`),
    field('Release → environment', `${facts.release} → ${facts.environment}`),
    field('Previous release', facts.previousRelease ?? 'none found'),
    field(facts.verdict === 'pass' ? 'Decided' : 'Started', formatUtcMinute(facts.verdict === 'pass' ? facts.decidedAt : facts.startedAt)),
  ];
  const buttons = (
    [
      ['Runbook', facts.links.runbook],
      ['Dashboard', facts.links.dashboard],
      ['Sentry release', facts.links.sentry],
      ['Workflow run', facts.links.run],
    ] as const
  )
    .flatMap(([label, url]) => (url !== null && url.length <= SLACK_LIMITS.url ? [[label, url] as const] : []))
    .map(([label, url], i) => ({
      type: 'button',
      text: { type: 'plain_text', text: label },
      url,
      action_id: `link-${i}`,
      ...(i === 0 && facts.verdict === 'fail' ? { style: 'danger' } : {}),
    }));
  const blocks: unknown[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: plain(`${rerunPrefix(facts)}${facts.verdict === 'pass' ? 'Resolved' : 'Alert'}: ${facts.headline}`, SLACK_LIMITS.headerText),
      },
    },
    ...(facts.attempt ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: slackText(rerunNote(facts.attempt), 300) }] }] : []),
    { type: 'section', text: { type: 'mrkdwn', text: `*Value:* ${slackText(facts.value, SLACK_LIMITS.sectionText - 20)}` } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: `*Action:* ${slackText(facts.actionTaken, SLACK_LIMITS.sectionText - 20)}` } },
    ...(buttons.length ? [{ type: 'actions', elements: buttons }] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: slackText(`release-health-gate · ${facts.repository ?? facts.projects.join(', ')}`, 300) }] },
  ];
  const text = slackText(`${EMOJI[facts.verdict]} ${rerunPrefix(facts)}${facts.summary} (${facts.release} → ${facts.environment})`, SLACK_LIMITS.sectionText);
  return { text, blocks };
}

/**
 * An incoming webhook cannot find or update an earlier post, so a re-run of
 * the job (same run, GITHUB_RUN_ATTEMPT 2 or more) posts again; the message
 * says so up front, so the channel reads it as the same incident.
 */
const rerunPrefix = (facts: AlertFacts) => (facts.attempt ? `[Re-run, attempt ${facts.attempt}] ` : '');
const rerunNote = (attempt: number) =>
  `Re-run of the workflow run (attempt ${attempt}): attempt ${attempt - 1} of this run may already have posted this alert for the same release; it is the same incident, not a new one.`;

/** Slack incoming webhook: one message per notifying verdict. */
export function slackNotifier(opts: { webhookUrl: string; secrets: readonly string[]; signal?: AbortSignal }): Notifier {
  const url = new URL(opts.webhookUrl);
  const plan = (facts: AlertFacts): PlannedRequest[] => [{ method: 'POST', url: opts.webhookUrl, body: slackMessage(facts) }];
  return {
    name: 'Slack',
    wants: (facts, notifyOn: readonly NotifyVerdict[]) => notifyOn.includes(facts.verdict),
    plan,
    async send(facts, signal) {
      // A webhook post has no idempotency key: once the message may have arrived
      // (no answer, or the connection dropped after sending), asking again could
      // post it twice. Slack's own refusals (429, 5xx) are answers: those are retried.
      const mayHavePosted = new AbortController();
      const onRetry = ({ error }: { error: Error }) => {
        if (error instanceof NetworkError && !(error instanceof UnreachableError)) mayHavePosted.abort(error);
      };
      const http = notifyClient(url.origin, { secrets: opts.secrets, onRetry, ...(opts.signal ? { signal: opts.signal } : {}) });
      try {
        // Slack answers "ok" as text; an error is a 4xx with its code as text (invalid_blocks, no_text, ...).
        const stop = signal ? AbortSignal.any([signal, mayHavePosted.signal]) : mayHavePosted.signal;
        await http.call('POST', `${url.pathname}${url.search}`, { body: slackMessage(facts), text: true, schema: z.string(), signal: stop });
        return { requests: http.requestCount };
      } catch (error) {
        if (mayHavePosted.signal.aborted)
          throw new NotifyError('Slack notification failed: no answer (the message may have been posted)', null, http.requestCount);
        throw notifyError('Slack', error, http.requestCount);
      } finally {
        await http.close();
      }
    },
  };
}
