/**
 * The notifiers against hostile services and careless inputs, through the
 * bundled action: servers on loopback that answer what they like.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { runGate } from '../helpers/gate';
import { longestLeak } from '../reliability/leaks';

interface Seen {
  method: string;
  url: string;
  body: string;
  at: number;
}

/** A server that answers as `handle` says, and records what arrived. */
async function hostile(cleanup: (fn: OnTestFinishedHandler) => void, handle: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, at: Date.now() });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Our alert as the gate posted it on the fail (the e2e defaults: acme/shop, production, shop-web). */
const OURS = {
  labels: {
    alertname: 'ReleaseHealthGate',
    environment: 'production',
    repository: 'acme/shop',
    severity: 'critical',
    release: 'shop-web@2.0.0',
    service: 'shop-web',
    project: 'shop-web',
    check: 'crash-free-users',
  },
  annotations: { summary: 'Crash-free users below 97%', description: 'the alert body' },
  startsAt: '2026-01-01T00:00:00.000Z',
};

describe.concurrent('notifiers against hostile services (bundled action)', () => {
  it(
    'an Alertmanager that ignores the filter: a pass resolves only its own environment gate alerts, not another team alert',
    { timeout: 90_000 },
    async ({ onTestFinished }) => {
      const answer = [
        OURS,
        { labels: { alertname: 'DiskFull', environment: 'production', team: 'db' }, annotations: {}, startsAt: '2026-01-01T00:00:00.000Z' },
        { labels: { ...OURS.labels, environment: 'staging' }, startsAt: '2026-01-01T00:00:00.000Z' },
        { labels: { ...OURS.labels, repository: 'other/app' }, startsAt: '2026-01-01T00:00:00.000Z' },
        // Our labels plus one: someone else's rule that copies our name.
        { labels: { ...OURS.labels, team: 'payments' }, startsAt: '2026-01-01T00:00:00.000Z' },
        // Many of ours: a broken answer, resolved up to a bound.
        ...Array.from({ length: 2000 }, (_, i) => ({ labels: { ...OURS.labels, release: `shop-web@1.${i}` }, startsAt: '2026-01-01T00:00:00.000Z' })),
      ];
      const am = await hostile(onTestFinished, (req, _body, res) => json(res, 200, req.method === 'GET' ? answer : ''));
      const { run } = await runGate('healthy', { 'alertmanager-url': am.url, window: '6s' });
      expect(run.outputs.verdict).toBe('pass');
      const posts = am.seen.filter((r) => r.method === 'POST');
      expect(posts).toHaveLength(1);
      const resolved = JSON.parse(posts[0]!.body) as { labels: Record<string, string>; endsAt: string }[];
      expect(resolved.filter((a) => a.labels.alertname !== 'ReleaseHealthGate')).toEqual([]);
      expect(resolved.filter((a) => a.labels.environment !== 'production' || a.labels.repository !== 'acme/shop' || 'team' in a.labels)).toEqual([]);
      expect(resolved[0]).toMatchObject({ labels: OURS.labels, annotations: OURS.annotations });
      expect(resolved.length).toBeLessThanOrEqual(50);
      expect(run.summary).toMatch(/Alertmanager resolve sent \\\(resolved 50 alerts\\\)/);
    },
  );

  it('an Alertmanager GET answer of megabytes is not read to the end, and nothing is resolved', { timeout: 90_000 }, async ({ onTestFinished }) => {
    const big = JSON.stringify(Array.from({ length: 12_000 }, (_, i) => ({ ...OURS, labels: { ...OURS.labels, release: `shop-web@1.${i}` } })));
    const am = await hostile(onTestFinished, (req, _body, res) => json(res, 200, req.method === 'GET' ? big : ''));
    const { run } = await runGate('healthy', { 'alertmanager-url': am.url, window: '6s' });
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.code).toBe(0);
    expect(am.seen.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([expect.stringMatching(/^Alertmanager notification failed/)]);
  });

  it(
    'an Alertmanager behind basic auth that echoes the password it decoded: no 8 characters of it anywhere',
    { timeout: 90_000 },
    async ({ onTestFinished }) => {
      const password = 'Hunter2Qx7Lm9Zp4Wv';
      const header = `Basic ${Buffer.from(`deploy-bot:${password}`).toString('base64')}`;
      const am = await hostile(onTestFinished, (_req, _body, res) => {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(
          `user deploy-bot with password ${password} denied; try ${encodeURIComponent(password)} or ${JSON.stringify(password).replace(/[a-z]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}`,
        );
      });
      const { run } = await runGate('crash-spike', { 'alertmanager-url': am.url, 'alertmanager-headers': `Authorization: ${header}` });
      expect(run.outputs.verdict).toBe('fail');
      expect(am.seen).toHaveLength(1);
      const [warning] = run.annotations.filter((a) => a.level === 'warning' && a.message.startsWith('Alertmanager'));
      expect(warning!.message).toMatch(/^Alertmanager notification failed: HTTP 401 \(user \S+ with password \*\*\* denied/);
      expect(longestLeak(run.everything, password)).toBeLessThan(8);
      expect(run.masked).toContain(password);
    },
  );

  it('notify-on with values that are not verdicts: one error line naming each, nothing watched or sent', async ({ onTestFinished }) => {
    const pd = await hostile(onTestFinished, (_req, _body, res) => json(res, 202, { status: 'success' }));
    const { run, tracker } = await runGate('crash-spike', {
      'notify-on': 'fail, failure, warn, Warn',
      'pagerduty-url': pd.url,
      'pagerduty-routing-key': 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E',
    });
    expect(run.code).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: 'Input notify-on ("fail, failure, warn, Warn"): "failure", "warn" are not verdicts: expected a list of fail, inconclusive, pass (or none)',
      },
    ]);
    expect(tracker.requests).toHaveLength(0);
    expect(pd.seen).toHaveLength(0);
  });

  it('an Alertmanager that stalls each step of a resolve cannot hold the job past the notifier budget', { timeout: 120_000 }, async ({ onTestFinished }) => {
    let gets = 0;
    // The first GET never answers; the retry is answered just inside its time; the POST never answers.
    const am = await hostile(onTestFinished, (req, _body, res) => {
      if (req.method !== 'GET') return;
      gets += 1;
      if (gets > 1) setTimeout(() => json(res, 200, [OURS]), 7_000);
    });
    const started = Date.now();
    const { run } = await runGate('healthy', { 'alertmanager-url': am.url, window: '6s' }, { timeoutMs: 110_000 });
    const ended = started + run.durationMs;
    expect(run.outputs.verdict).toBe('pass');
    expect(run.code).toBe(0);
    const heldS = (ended - am.seen[0]!.at) / 1000;
    // The budget is 25 s for everything a notifier does; a second of slack for a loaded machine.
    expect(heldS).toBeLessThan(27);
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringMatching(/^Alertmanager notification failed: no answer \(timed out\)$/),
    ]);
  });

  it('a Slack that takes the message and never answers gets it once, not once per retry', { timeout: 90_000 }, async ({ onTestFinished }) => {
    const path = '/services/T0STUB0001/B0STUB0002/q8Xw2mKz7RtY4vLp9NcJ5sHd';
    const slack = await hostile(onTestFinished, () => {});
    const { run } = await runGate('crash-spike', {}, { env: { SLACK_WEBHOOK_URL: `${slack.url}${path}` }, timeoutMs: 80_000 });
    expect(run.outputs.verdict).toBe('fail');
    expect(slack.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      'Slack notification failed: no answer (the message may have been posted)',
    ]);
  });

  it('a Slack that is rate limited or down is asked again: 429 and 503 are retried, within the budget', { timeout: 90_000 }, async ({ onTestFinished }) => {
    const path = '/services/T0STUB0001/B0STUB0002/q8Xw2mKz7RtY4vLp9NcJ5sHd';
    let n = 0;
    const slack = await hostile(onTestFinished, (_req, _body, res) => {
      n += 1;
      res.writeHead(n === 1 ? 429 : n === 2 ? 503 : 200, { 'content-type': 'text/plain', ...(n === 1 ? { 'retry-after': '1' } : {}) });
      res.end(n <= 2 ? 'rate_limited' : 'ok');
    });
    const { run } = await runGate('crash-spike', {}, { env: { SLACK_WEBHOOK_URL: `${slack.url}${path}` } });
    expect(slack.seen).toHaveLength(3);
    expect(run.summary).toMatch(/Slack message sent/);
  });
});
