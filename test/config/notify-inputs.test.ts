import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load';
import type { InputName } from '../../src/config/schema';
import { secretsOf } from '../../src/pipeline/sentry';

const BASE = { 'sentry-auth-token': 'sntryu_notify_inputs_test', 'sentry-org': 'acme', 'sentry-projects': 'web', release: 'v1' };
const load = (inputs: Partial<Record<InputName, string>>, env: Record<string, string> = {}) =>
  loadConfig((n) => ({ ...BASE, ...inputs })[n as keyof typeof BASE], env);
const problem = (inputs: Partial<Record<InputName, string>>) => {
  try {
    load(inputs);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
};

describe('notifier inputs', () => {
  it('defaults: PagerDuty US, notify on fail, nothing configured', () => {
    const { inputs } = load({});
    expect(inputs).toMatchObject({
      'pagerduty-url': 'https://events.pagerduty.com',
      'notify-on': ['fail'],
      'pagerduty-routing-key': null,
      'slack-webhook-url': null,
      'alertmanager-url': null,
      'alertmanager-headers': [],
    });
  });

  it('notify-on takes a list in any order and case, or none', () => {
    expect(load({ 'notify-on': 'PASS\ninconclusive, fail' }).inputs['notify-on']).toEqual(['fail', 'inconclusive', 'pass']);
    expect(load({ 'notify-on': 'none' }).inputs['notify-on']).toEqual([]);
    expect(problem({ 'notify-on': 'fail,warning' })).toBe(
      'Input notify-on ("fail,warning"): "warning" is not a verdict: expected a list of fail, inconclusive, pass (or none)',
    );
    expect(problem({ 'notify-on': 'none, fail' })).toBe(
      'Input notify-on ("none, fail"): "none" is not a verdict (none stands alone): expected a list of fail, inconclusive, pass (or none)',
    );
  });

  it('the routing key and the Slack URL fall back to PAGERDUTY_ROUTING_KEY and SLACK_WEBHOOK_URL', () => {
    const { inputs } = load({}, { PAGERDUTY_ROUTING_KEY: 'K'.repeat(32), SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B2/abcdefgh' });
    expect(inputs['pagerduty-routing-key']).toBe('K'.repeat(32));
    expect(inputs['slack-webhook-url']).toBe('https://hooks.slack.com/services/T1/B2/abcdefgh');
  });

  it('URLs lose a trailing slash; a bad one is named, a secret one never shown', () => {
    expect(
      load({ 'pagerduty-url': 'https://events.eu.pagerduty.com/', 'alertmanager-url': 'https://grafana.example/api/alertmanager/grafana/' }).inputs,
    ).toMatchObject({
      'pagerduty-url': 'https://events.eu.pagerduty.com',
      'alertmanager-url': 'https://grafana.example/api/alertmanager/grafana',
    });
    expect(problem({ 'alertmanager-url': 'alertmanager:9093' })).toBe('Input alertmanager-url ("alertmanager:9093"): expected an http:// or https:// URL');
    expect(problem({ 'slack-webhook-url': 'hooks.slack.com/services/T1/B2/s3cr3tvalue' })).toBe('Input slack-webhook-url: expected an http:// or https:// URL');
  });

  it('alertmanager-headers: one "Name: value" a line; a bad line is named by its number only', () => {
    expect(load({ 'alertmanager-headers': 'Authorization: Bearer abc:def\n\nX-Scope-OrgID: tenant-1\n' }).inputs['alertmanager-headers']).toEqual([
      ['Authorization', 'Bearer abc:def'],
      ['X-Scope-OrgID', 'tenant-1'],
    ]);
    expect(problem({ 'alertmanager-headers': 'X-Ok: 1\nBearer s3cr3t' })).toMatch(/^Input alertmanager-headers: line 2 is not "Name: value"/);
    expect(problem({ 'alertmanager-headers': 'Host: evil.example' })).toMatch(/line 1 sets Host, which the action sets itself/);
  });

  it('the routing key, the webhook path and the header values are secrets; the Slack host is not', () => {
    const { inputs } = load({
      'pagerduty-routing-key': 'K'.repeat(32),
      'slack-webhook-url': 'https://hooks.slack.com/services/T1/B2/abcdefgh',
      'alertmanager-headers': 'Authorization: Basic dXNlcjpwYXNz',
    });
    const secrets = secretsOf(inputs);
    expect(secrets).toEqual(expect.arrayContaining(['K'.repeat(32), 'T1/B2/abcdefgh', 'Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz']));
    expect(secrets.some((s) => s.includes('hooks.slack.com'))).toBe(false);
  });

  it('basic auth: the decoded user:password and the password are secrets too; a bearer token has nothing to decode', () => {
    const basic = Buffer.from('deploy-bot:Hunter2Qx7Lm9Zp4Wv').toString('base64');
    const { inputs } = load({ 'alertmanager-headers': `Authorization: Basic ${basic}\nX-Scope-OrgID: tenant-one` });
    expect(secretsOf(inputs)).toEqual(expect.arrayContaining(['deploy-bot:Hunter2Qx7Lm9Zp4Wv', 'Hunter2Qx7Lm9Zp4Wv']));
    const bearer = secretsOf(load({ 'alertmanager-headers': 'Authorization: Bearer am_Zq8Wx3Lm9Kp2Rt7Vb4Nc6Yh1' }).inputs);
    expect(bearer.filter((s) => s.includes('am_'))).toEqual(['Bearer am_Zq8Wx3Lm9Kp2Rt7Vb4Nc6Yh1', 'am_Zq8Wx3Lm9Kp2Rt7Vb4Nc6Yh1']);
  });
});
