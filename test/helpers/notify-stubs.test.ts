/** The stubs refuse what the real services refuse, so a payload that passes them is one the services would take. */
import { describe, expect, it } from 'vitest';
import { startAlertmanagerStub, startPagerDutyStub, startSlackStub } from './notify-stubs';

const KEY = 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E';
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('notifier stubs', () => {
  it('PagerDuty: 400 with its error body for an invalid event, 202 for a valid one', async ({ onTestFinished }) => {
    const pd = await startPagerDutyStub(KEY);
    onTestFinished(() => pd.close());
    const bad = await post(`${pd.url}/v2/enqueue`, { routing_key: KEY, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'high' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    const short = await post(`${pd.url}/v2/enqueue`, { routing_key: 'short', event_action: 'resolve', dedup_key: 'k' });
    expect(short.status).toBe(400);
    const good = await post(`${pd.url}/v2/enqueue`, {
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'k',
      payload: { summary: 'x', source: 'y', severity: 'critical' },
    });
    expect(good.status).toBe(202);
    expect(await good.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'k' });
  });

  it('Slack: invalid_blocks past a limit, no_text for an empty message, invalid_payload for bad JSON, ok otherwise', async ({ onTestFinished }) => {
    const slack = await startSlackStub();
    onTestFinished(() => slack.close());
    const url = `${slack.url}${slack.state.path}`;
    const tooMany = { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) };
    const tooLong = { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] };
    const header = { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] };
    for (const body of [tooMany, tooLong, header]) {
      const res = await post(url, body);
      expect([res.status, await res.text()]).toEqual([400, 'invalid_blocks']);
    }
    expect(await (await post(url, {})).text()).toBe('no_text');
    expect(await (await post(url, '{')).text()).toBe('invalid_payload');
    expect(await (await post(`${slack.url}/services/T/B/other`, { text: 'x' })).text()).toBe('no_service');
    const ok = await post(url, { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y' } }] });
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
  });

  it('Alertmanager: 400 for an alert without labels; the same labels are one alert', async ({ onTestFinished }) => {
    const am = await startAlertmanagerStub();
    onTestFinished(() => am.close());
    expect((await post(`${am.url}/api/v2/alerts`, [{ annotations: { a: 'b' } }])).status).toBe(400);
    const alert = { labels: { alertname: 'A', env: 'p' }, startsAt: new Date().toISOString() };
    await post(`${am.url}/api/v2/alerts`, [alert]);
    await post(`${am.url}/api/v2/alerts`, [alert]);
    expect(am.state.alerts.size).toBe(1);
    const found = (await (await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent('env="p"')}`)).json()) as unknown[];
    expect(found).toHaveLength(1);
  });
});
