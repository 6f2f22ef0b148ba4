import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { startLocalTracker } from '../../src/local-tracker';
import { getScenario } from '../../src/local-tracker/scenarios';
import { expectCrashAlert, LINK_INPUTS, LINKS } from '../helpers/crash-alert';
import { runGate, SENTRY_TOKEN } from '../helpers/gate';
import { startGitHubStub } from '../helpers/github-stub';
import {
  type AlertmanagerState,
  type PagerDutyState,
  type SlackState,
  type Stub,
  startAlertmanagerStub,
  startPagerDutyStub,
  startSlackStub,
} from '../helpers/notify-stubs';
import { longestLeak } from '../reliability/leaks';

// Random-looking, as real ones are: any 8 characters of a secret in a row count as a leak.
const ROUTING_KEY = 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E';
const SLACK_PATH = '/services/T0STUB0001/B0STUB0002/q8Xw2mKz7RtY4vLp9NcJ5sHd';
const AM_TOKEN = 'am_Zq8Wx3Lm9Kp2Rt7Vb4Nc6Yh1';

type Cleanup = (fn: OnTestFinishedHandler) => void;

interface Services {
  pd: Stub<PagerDutyState>;
  slack: Stub<SlackState>;
  am: Stub<AlertmanagerState>;
  inputs: Record<string, string>;
  env: Record<string, string>;
  secrets: string[];
}

/** The three services on loopback, and the inputs (the PagerDuty key and Slack URL through their env fallbacks) that point at them. */
async function services(cleanup: Cleanup): Promise<Services> {
  const [pd, slack, am] = await Promise.all([startPagerDutyStub(ROUTING_KEY), startSlackStub(SLACK_PATH), startAlertmanagerStub()]);
  cleanup(() => Promise.all([pd.close(), slack.close(), am.close()]).then(() => undefined));
  return {
    pd,
    slack,
    am,
    inputs: {
      'pagerduty-url': pd.url,
      'alertmanager-url': am.url,
      'alertmanager-headers': `Authorization: Bearer ${AM_TOKEN}`,
      ...LINK_INPUTS,
    },
    env: { PAGERDUTY_ROUTING_KEY: ROUTING_KEY, SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}` },
    secrets: [ROUTING_KEY, SLACK_PATH.slice('/services/'.length), AM_TOKEN],
  };
}

const posts = (s: Stub<unknown>) => s.requests.filter((r) => r.method === 'POST');

function expectNoSecret(everything: string, secrets: string[]) {
  for (const secret of secrets) expect(longestLeak(everything, secret), secret.slice(0, 4)).toBeLessThan(8);
}

describe.concurrent('on-call notifications (bundled action, PagerDuty, Slack and Alertmanager stubs on loopback)', () => {
  it(
    'a fail sends one trigger, one message and one alert; a re-run pages nobody again; a later pass resolves',
    { timeout: 150_000 },
    async ({ onTestFinished }) => {
      const s = await services(onTestFinished);
      const first = await runGate('crash-spike', s.inputs, { env: s.env });
      expect(first.run.code).toBe(1);
      expect(first.run.outputs.verdict).toBe('fail');

      // PagerDuty: one trigger, everything on-call needs to act.
      expect(posts(s.pd)).toHaveLength(1);
      expect(s.pd.requests.every((r) => r.status === 202)).toBe(true);
      const event = posts(s.pd)[0]!.body as {
        routing_key: string;
        event_action: string;
        dedup_key: string;
        payload: Record<string, unknown>;
        links: { href: string; text: string }[];
      };
      expect(event.event_action).toBe('trigger');
      expect(event.dedup_key).toBe('release-health-gate/acme/shop/production');
      expect(event.payload).toMatchObject({
        severity: 'critical',
        source: 'acme/shop production',
        component: 'shop-web',
        group: 'production',
        class: 'crash-free-users',
      });
      expect(event.payload.summary).toMatch(/^Crash-free users below 97% after deploy: /);
      expect(event.payload.custom_details).toMatchObject({ release: 'shop-web@2.0.0', 'previous release': 'shop-web@1.4.0', check: 'crash-free-users' });
      for (const key of ['observed bad rate', 'interval', 'n', 'limit (bad rate)', 'evidence (e-value)', 'action taken'])
        expect(event.payload.custom_details).toHaveProperty([key]);
      expect(event.links.map((l) => l.text)).toEqual(['Runbook', 'Dashboard', 'Sentry release', 'Workflow run']);
      expect(event.links[3]!.href).toBe('https://github.example/acme/shop/actions/runs/4242/attempts/1');

      // Slack: one Block Kit message with a fallback text and the links as buttons.
      expect(s.slack.state.messages).toHaveLength(1);
      const message = s.slack.state.messages[0]!;
      expect(message.text).toMatch(/Crash-free users below 97%/);
      const json = JSON.stringify(message.blocks);
      for (const text of ['shop-web@2.0.0 → production', 'shop-web@1.4.0', `"url":"${LINKS.runbook}"`, `"url":"${LINKS.dashboard}"`, 'roll back by hand'])
        expect(json).toContain(text);

      // Alertmanager: one alert with the labels and annotations, and the header given.
      expect(posts(s.am)).toHaveLength(1);
      expect(posts(s.am)[0]!.headers.authorization).toBe(`Bearer ${AM_TOKEN}`);
      const [alert] = [...s.am.state.alerts.values()];
      expectCrashAlert(alert);

      // What the user sees: the Action line names each notification, the report lists them; no secret anywhere.
      expect(first.run.everything).toContain('"notifications": [');
      expect(first.run.everything).toMatch(/"notifier": "PagerDuty",\s+"kind": "trigger",\s+"status": "sent",\s+"requests": 1/);
      expect(first.run.summary).toMatch(/Action: +.*PagerDuty trigger sent; Slack message sent; Alertmanager trigger sent/);
      expectNoSecret(first.run.everything, s.secrets);
      for (const secret of s.secrets) expect(first.run.masked).toContain(secret);

      // A re-run of the same gate: the same incident, the same alert.
      const again = await runGate('crash-spike', s.inputs, { env: s.env });
      expect(again.run.outputs.verdict).toBe('fail');
      expect(posts(s.pd).map((r) => (r.body as { dedup_key: string }).dedup_key)).toEqual([event.dedup_key, event.dedup_key]);
      expect(s.pd.state.incidents).toEqual([{ dedupKey: event.dedup_key, open: true, triggers: 2 }]);
      expect(s.am.state.alerts.size).toBe(1);

      // The fix (or the rollback) passes in the same environment: both incidents close.
      const pass = await runGate('healthy', { ...s.inputs, release: 'shop-web@2.0.1', window: '6s' }, { env: s.env });
      expect(pass.run.outputs.verdict).toBe('pass');
      expect((posts(s.pd)[2]!.body as { event_action: string }).event_action).toBe('resolve');
      expect(s.pd.state.incidents).toEqual([{ dedupKey: event.dedup_key, open: false, triggers: 2 }]);
      const resolved = [...s.am.state.alerts.values()];
      expect(resolved).toHaveLength(1);
      expect(Date.parse(resolved[0]!.endsAt!)).toBeLessThanOrEqual(Date.now());
      // The default notify-on (fail) posts no Slack message for a pass.
      expect(s.slack.state.messages).toHaveLength(2);
      expect(pass.run.summary).toMatch(/\*\*Action:\*\* PagerDuty resolve sent; Alertmanager resolve sent \\\(resolved 1 alert\\\)/);
      expect(pass.run.code).toBe(0);
      // Requests per notification: one each; resolving in Alertmanager reads the open alerts first.
      expect(s.pd.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
      expect(s.slack.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
      expect(s.am.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'POST']);
    },
  );

  it('a dry run sends nothing and shows the redacted payloads in the summary', async ({ onTestFinished }) => {
    const s = await services(onTestFinished);
    const { run } = await runGate('crash-spike', { ...s.inputs, 'dry-run': 'true' }, { env: s.env });
    expect(run.code).toBe(0);
    expect(s.pd.requests.length + s.slack.requests.length + s.am.requests.length).toBe(0);
    expect(run.summary).toContain('### Notifications (dry run: nothing sent)');
    expect(run.summary).toContain('"event_action": "trigger"');
    expect(run.summary).toContain('"routing_key": "***"');
    expect(run.summary).toContain('"alertname": "ReleaseHealthGate"');
    expect(run.summary).toContain('"type": "header"');
    expect(run.summary).toMatch(/dry run: would send PagerDuty trigger; dry run: would send Slack message; dry run: would send Alertmanager trigger/);
    expectNoSecret(run.everything, s.secrets);
  });

  it(
    'each service down: the verdict and exit code stand, one warning per service naming it and the HTTP status',
    { timeout: 90_000 },
    async ({ onTestFinished }) => {
      const s = await services(onTestFinished);
      s.pd.down(503);
      s.slack.down(500);
      s.am.down(502);
      const { run } = await runGate('crash-spike', s.inputs, { env: s.env });
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      const warnings = run.annotations.filter((a) => a.level === 'warning' && /notification failed/.test(a.message)).map((a) => a.message);
      expect(warnings.sort()).toEqual([
        'Alertmanager notification failed: HTTP 502 (unavailable)',
        'PagerDuty notification failed: HTTP 503 (unavailable)',
        'Slack notification failed: HTTP 500 (unavailable)',
      ]);
      expect(run.summary).toMatch(
        /PagerDuty trigger FAILED: HTTP 503 \(unavailable\); Slack message FAILED: HTTP 500 \(unavailable\); Alertmanager trigger FAILED: HTTP 502/,
      );
      // Retried (5xx), as each service asks, and then given up.
      expect(s.pd.requests.length).toBe(4);
      expectNoSecret(run.everything, s.secrets);
    },
  );

  it('a 400 is not retried, and a Slack webhook that is gone is one warning', async ({ onTestFinished }) => {
    const s = await services(onTestFinished);
    const { run } = await runGate(
      'crash-spike',
      { ...s.inputs, 'alertmanager-url': '', 'pagerduty-routing-key': 'Wrong0key0of0thirty0two0chars00x' },
      { env: { SLACK_WEBHOOK_URL: `${s.slack.url}/services/T0STUB0001/B0STUB0002/gone0000000000000000000` } },
    );
    expect(run.outputs.verdict).toBe('fail');
    expect(s.pd.requests).toHaveLength(1);
    const warnings = run.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toContain(
      'PagerDuty notification failed: HTTP 400 ({"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]})',
    );
    expect(warnings).toContain('Slack notification failed: HTTP 404 (no_service)');
  });

  it('a service that echoes its secret in an error: the warning shows it redacted, nowhere in full', async ({ onTestFinished }) => {
    const s = await services(onTestFinished);
    s.pd.down(400, JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [`routing_key ${ROUTING_KEY} is not known`] }));
    s.slack.down(403, `invalid_token for ${SLACK_PATH}`);
    s.am.down(401, `token Bearer ${AM_TOKEN} expired`);
    const { run } = await runGate('crash-spike', s.inputs, { env: s.env });
    expect(run.outputs.verdict).toBe('fail');
    const warnings = run.annotations.filter((a) => a.level === 'warning' && /notification failed/.test(a.message));
    expect(warnings).toHaveLength(3);
    for (const w of warnings) expect(w.message).toContain('***');
    expectNoSecret(run.everything, s.secrets);
  });

  it('a fail decided before a cancel still pages: cancelled during the rollback dispatch, the trigger goes out', async ({ onTestFinished }) => {
    const s = await services(onTestFinished);
    const token = 'ghs_Np4Wq8Zx2Lm7Rt3Vb9Kc6Yd1';
    const github = await startGitHubStub({ token, repository: 'acme/shop', workflows: ['rollback.yml'], defaultBranch: 'main', hang: ['dispatch'] });
    onTestFinished(() => github.close());
    const { run } = await runGate(
      'crash-spike',
      { ...s.inputs, 'rollback-workflow': 'rollback.yml', 'github-token': token },
      { env: { ...s.env, GITHUB_API_URL: github.url }, sigintWhen: github.arrived('dispatch'), timeoutMs: 50_000 },
    );
    expect(run.sigintAtMs, run.stdout).toBeDefined();
    expect(run.outputs.verdict).toBe('fail');
    expect(posts(s.pd)).toHaveLength(1);
    expect(s.pd.state.incidents).toHaveLength(1);
    expect(s.slack.state.messages).toHaveLength(1);
  });

  it('hostile issue titles stay inert in the Slack and PagerDuty payloads', async ({ onTestFinished }) => {
    const s = await services(onTestFinished);
    const scenario = structuredClone(getScenario('new-issue'));
    const hostile = 'Error: <!here> <!channel> @channel @here & <https://evil.example|click me> <@U0ADMIN> ::error::forged';
    const worst = scenario.issues.find((i) => i.users === 12)!;
    worst.title = hostile;
    const tracker = await startLocalTracker({ scenario, token: SENTRY_TOKEN, minuteMs: 1000 });
    onTestFinished(() => tracker.close());
    const { run } = await runGate('new-issue', { ...s.inputs, 'max-new-issue-users': '5', window: '20s' }, { env: s.env, tracker });
    expect(run.outputs.verdict).toBe('fail');
    const message = s.slack.state.messages[0]!;
    const json = JSON.stringify(message);
    // Escaped as Slack asks: no mention, no link, no special command survives in mrkdwn.
    expect(json).not.toMatch(/<!here>|<!channel>|<@U0ADMIN>|<https:\/\/evil/);
    expect(json).toContain('&lt;!here&gt;');
    expect(json).toContain('&amp;');
    expect(json).not.toMatch(/@(channel|here)\b/);
    const event = posts(s.pd)[0]!.body as { payload: { summary: string; custom_details: Record<string, unknown> } };
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(event.payload.summary).not.toMatch(/[\n\r\u0000-\u001f]/);
    expect(String(event.payload.custom_details['issue title'])).toContain('<!here>');
    expect(run.stdout).not.toMatch(/^::error::forged/m);
  });
});
