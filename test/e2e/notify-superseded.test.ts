/**
 * The incident is the environment's: a verdict about a release that is no
 * longer live neither closes it nor opens it (bundled action, local tracker,
 * PagerDuty and Alertmanager stubs on loopback).
 */
import { describe, expect, it } from 'vitest';
import { type LocalTracker, startLocalTracker } from '../../src/local-tracker';
import { runGate, SENTRY_TOKEN } from '../helpers/gate';
import { startAlertmanagerStub, startPagerDutyStub, startSlackStub, type Stub } from '../helpers/notify-stubs';

const ROUTING_KEY = 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E';
const SLACK_PATH = '/services/T0STUB0001/B0STUB0002/q8Xw2mKz7RtY4vLp9NcJ5sHd';
const posts = (s: Stub<unknown>) => s.requests.filter((r) => r.method === 'POST');

async function deploy(tracker: LocalTracker, version: string): Promise<void> {
  const projects = tracker.scenario.projectSlugs;
  for (const [path, body] of [
    ['/releases/', { version, projects }],
    [`/releases/${encodeURIComponent(version)}/deploys/`, { environment: 'production', dateFinished: new Date().toISOString(), projects }],
  ] as const) {
    const res = await fetch(`${tracker.url}/api/0/organizations/acme${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SENTRY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`POST ${path}: HTTP ${res.status}`);
  }
}

describe.concurrent('on-call incidents follow what is live', () => {
  it('a late pass of an older release leaves the newer release incident open', { timeout: 120_000 }, async ({ onTestFinished }) => {
    const [pd, am] = await Promise.all([startPagerDutyStub(ROUTING_KEY), startAlertmanagerStub()]);
    onTestFinished(() => Promise.all([pd.close(), am.close()]).then(() => undefined));
    const inputs = { 'pagerduty-url': pd.url, 'pagerduty-routing-key': ROUTING_KEY, 'alertmanager-url': am.url };
    // 2.0.1 is live and failing: its gate opened the incident.
    const newer = await runGate('crash-spike', { ...inputs, release: 'shop-web@2.0.1' });
    expect(newer.run.outputs.verdict).toBe('fail');
    expect(pd.state.incidents).toEqual([expect.objectContaining({ open: true })]);

    // 2.0.0's gate was still watching when 2.0.1 went out; it passes afterwards.
    const tracker = await startLocalTracker({ scenario: 'healthy', token: SENTRY_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    setTimeout(() => void deploy(tracker, 'shop-web@2.0.1'), 2_500);
    const late = await runGate('healthy', { ...inputs, release: 'shop-web@2.0.0', window: '8s' }, { tracker });
    expect(late.run.outputs.verdict).toBe('pass');
    expect(late.run.code).toBe(0);
    expect(posts(pd)).toHaveLength(1);
    expect(pd.state.incidents).toEqual([expect.objectContaining({ open: true })]);
    expect(am.requests.map((r) => r.method)).toEqual(['POST']);
    expect(late.run.annotations.map((a) => a.message)).toContainEqual(
      expect.stringMatching(/^On-call incidents of production left open: shop-web@2\.0\.1 was deployed there at .*, after shop-web@2\.0\.0/),
    );
  });

  it('re-running an old failed gate after the fix passed pages nobody again; Slack still hears of it', { timeout: 120_000 }, async ({ onTestFinished }) => {
    const [pd, am, slack] = await Promise.all([startPagerDutyStub(ROUTING_KEY), startAlertmanagerStub(), startSlackStub(SLACK_PATH)]);
    onTestFinished(() => Promise.all([pd.close(), am.close(), slack.close()]).then(() => undefined));
    const inputs = { 'pagerduty-url': pd.url, 'pagerduty-routing-key': ROUTING_KEY, 'alertmanager-url': am.url };
    const env = { SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}` };
    const tracker = await startLocalTracker({ scenario: 'crash-spike', token: SENTRY_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    const first = await runGate('crash-spike', inputs, { tracker, env });
    expect(first.run.outputs.verdict).toBe('fail');
    // The fix goes out and its gate passes: the incident closes.
    await deploy(tracker, 'shop-web@2.0.1');
    const fix = await runGate('healthy', { ...inputs, release: 'shop-web@2.0.1', window: '6s' }, { env });
    expect(fix.run.outputs.verdict).toBe('pass');
    expect(pd.state.incidents).toEqual([expect.objectContaining({ open: false })]);

    // Someone re-runs the old gate: 2.0.0 still fails, but it is not live.
    const again = await runGate('crash-spike', inputs, { tracker, env });
    expect(again.run.outputs.verdict).toBe('fail');
    expect(again.run.code).toBe(0);
    expect(pd.state.incidents.filter((i) => i.open)).toEqual([]);
    expect(posts(pd)).toHaveLength(2);
    expect([...am.state.alerts.values()].filter((a) => !a.endsAt || Date.parse(a.endsAt) > Date.now())).toEqual([]);
    expect(slack.state.messages).toHaveLength(2);
  });
});
