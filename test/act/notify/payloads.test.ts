/** Each notifier's payload against the vendored schema of its service, at the limits and with hostile tracker text. */
import { describe, expect, it } from 'vitest';
import { alertmanagerNotifier } from '../../../src/act/notify/alertmanager';
import { alertFacts } from '../../../src/act/notify/facts';
import { pagerDutyNotifier } from '../../../src/act/notify/pagerduty';
import { SLACK_LIMITS, slackMessage, slackText } from '../../../src/act/notify/slack';
import type { RunReport } from '../../../src/report/types';
import { failReport, issue, passReport } from '../../report/fixtures';
import { validateAlertmanager, validatePagerDuty, validateSlack } from '../../helpers/notify-stubs';

const KEY = 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E';
const RUN = { repository: { owner: 'acme', repo: 'shop' } };
const INPUTS = { 'sentry-projects': ['shop-web'] };

/** A new-issue fail whose every tracker string is as long and as hostile as a server can make it. */
function hostileReport(): RunReport {
  const title = `<!channel> @here & <https://evil.example|log in> ${'x'.repeat(5000)}`;
  const worst = issue({ title, culprit: '<!everyone> '.repeat(300), userCount: 40, shortId: 'SHOP-1<!here>' });
  const base = failReport();
  return {
    ...base,
    verdict: { ...base.verdict, check: 'new-issues', issue: worst, reason: `New issue ${title}` },
    newIssues: Array.from({ length: 200 }, () => worst),
    maxNewIssueUsers: 5,
    commits: Array.from({ length: 500 }, (_, i) => ({ id: `${i}`.padStart(40, 'a'), message: `<!here> ${'m'.repeat(400)}` })),
    runbookUrl: `https://wiki.example/${'r'.repeat(4000)}`,
    dashboardUrl: 'https://grafana.example/d/shop',
  };
}

describe('Slack message', () => {
  it('escapes mrkdwn (& < >) and breaks @channel, @here, @everyone', () => {
    expect(slackText('a & b <!here> <@U1> <https://x|y> @channel @Here @everyone', 3000)).toBe(
      'a &amp; b &lt;!here&gt; &lt;@U1&gt; &lt;https://x|y&gt; @\u2060channel @\u2060Here @\u2060everyone',
    );
  });

  it('cuts after escaping, as Slack counts: never over the limit, never half an entity', () => {
    for (const ch of ['&', '<', '>', 'a']) {
      const text = slackText(ch.repeat(5000), SLACK_LIMITS.sectionText);
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text).toMatch(/(&amp;|&lt;|&gt;|a)…$/);
    }
    expect(slackText('a & b', 9)).toBe('a &amp; …');
  });

  it('stays within Block Kit limits however long the tracker text, and Slack would accept it', () => {
    const message = slackMessage(alertFacts(hostileReport(), INPUTS, RUN));
    expect(validateSlack(message), JSON.stringify(validateSlack.errors)).toBe(true);
    const json = JSON.stringify(message);
    expect(json).not.toMatch(/<!(here|channel|everyone)>|<https:\/\/evil|@(here|channel|everyone)\b/);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    // The runbook URL over 3,000 characters is left out rather than cut into a wrong link.
    expect(json).not.toContain('rrrr');
  });

  it('a pass is a short resolved message; an inconclusive one a warning', () => {
    const pass = slackMessage(alertFacts(passReport(), INPUTS, RUN));
    expect(validateSlack(pass)).toBe(true);
    expect(JSON.stringify(pass.blocks[0])).toContain('Resolved: Release health pass after deploy');
    const base = passReport();
    const inconclusive = alertFacts({ ...base, verdict: { ...base.verdict, outcome: 'inconclusive' } }, INPUTS, RUN);
    expect(inconclusive.severity).toBe('warning');
    expect(validateSlack(slackMessage(inconclusive))).toBe(true);
  });
});

describe('PagerDuty event', () => {
  const pd = pagerDutyNotifier({ url: 'https://events.pagerduty.com', routingKey: KEY, secrets: [KEY] });

  it('a trigger PagerDuty would accept, its summary within 1,024 characters and on one line', () => {
    const [request] = pd.plan(alertFacts(hostileReport(), INPUTS, RUN));
    expect(request!.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(validatePagerDuty(request!.body), JSON.stringify(validatePagerDuty.errors)).toBe(true);
    const event = request!.body as { dedup_key: string; payload: { summary: string; severity: string; class: string } };
    expect(event.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(event.payload.summary).not.toMatch(/[\r\n]/);
    expect(event.payload).toMatchObject({ severity: 'critical', class: 'new-issues' });
    expect(event.dedup_key).toBe('release-health-gate/acme/shop/production');
  });

  it('outside GitHub Actions the incident is the projects and environment, whatever the order the projects are listed in', () => {
    const key = (projects: string[], report: RunReport) =>
      (pd.plan(alertFacts(report, { 'sentry-projects': projects }, { repository: null }))[0]!.body as { dedup_key: string }).dedup_key;
    expect(key(['shop-web', 'shop-api'], failReport())).toBe('release-health-gate/shop-api,shop-web/production');
    expect(key(['shop-api', 'shop-web'], passReport())).toBe(key(['shop-web', 'shop-api'], failReport()));
    const am = alertmanagerNotifier({ url: 'http://am.example', headers: [], secrets: [] });
    const labels = (projects: string[]) =>
      (am.plan(alertFacts(failReport(), { 'sentry-projects': projects }, { repository: null }))[0]!.body as { labels: Record<string, string> }[])[0]!.labels;
    expect(labels(['shop-web', 'shop-api'])).toEqual(labels(['shop-api', 'shop-web']));
  });

  it('a pass resolves the same dedup_key', () => {
    const [request] = pd.plan(alertFacts(passReport(), INPUTS, RUN));
    expect(request!.body).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: 'release-health-gate/acme/shop/production' });
    expect(validatePagerDuty(request!.body)).toBe(true);
  });

  it('the schema refuses what PagerDuty refuses: a summary over 1,024 characters, an unknown severity, a resolve without dedup_key', () => {
    const good = pd.plan(alertFacts(failReport(), INPUTS, RUN))[0]!.body as { payload: Record<string, unknown> };
    expect(validatePagerDuty({ ...good, payload: { ...good.payload, summary: 'x'.repeat(1025) } })).toBe(false);
    expect(validatePagerDuty({ ...good, payload: { ...good.payload, severity: 'high' } })).toBe(false);
    expect(validatePagerDuty({ routing_key: KEY, event_action: 'resolve' })).toBe(false);
  });
});

describe('Alertmanager alert', () => {
  it('a firing alert Alertmanager would accept, held for a day unless resolved', () => {
    const am = alertmanagerNotifier({ url: 'http://am.example', headers: [], secrets: [], now: () => Date.UTC(2026, 5, 3, 2, 14) });
    const [request] = am.plan(alertFacts(hostileReport(), INPUTS, RUN));
    expect(validateAlertmanager(request!.body)).toBe(true);
    const [alert] = request!.body as { labels: Record<string, string>; endsAt: string }[];
    expect(alert!.labels).toMatchObject({ alertname: 'ReleaseHealthGate', check: 'new-issues', severity: 'critical' });
    expect(alert!.endsAt).toBe('2026-06-04T02:14:00.000Z');
  });
});
