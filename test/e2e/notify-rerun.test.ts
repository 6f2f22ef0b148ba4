/**
 * A re-run of the same job (GITHUB_RUN_ATTEMPT 2) on the same failing
 * release: PagerDuty and Alertmanager land on the same incident (dedup_key and
 * labels do not depend on the attempt); Slack's incoming webhook cannot find
 * its earlier post, so the second message says up front that it is a re-run.
 * The bundled action, one stub on loopback playing all three.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runGate } from '../helpers/gate';

interface Post {
  path: string;
  body: unknown;
}

describe('notifiers on a re-run of the job (bundled action)', () => {
  it(
    'attempt 2: same PagerDuty dedup_key and Alertmanager labels as attempt 1; the Slack message is marked as a re-run',
    { timeout: 120_000 },
    async ({ onTestFinished }) => {
      const posts: Post[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown });
          if (req.url?.startsWith('/services/')) {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end('ok');
            return;
          }
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end('{"status":"success","dedup_key":"x"}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const inputs = {
        'pagerduty-routing-key': 'R0uting7KeyQx9Lm4Za7Wc1Vd8Nf6Hy2',
        'pagerduty-url': url,
        'slack-webhook-url': `${url}/services/T0001/B0001/Sl4ckT0kenQx9Lm4Za7Wc1`,
        'alertmanager-url': url,
      };
      const byAttempt: Record<string, Post[]> = {};
      for (const attempt of ['1', '2']) {
        const from = posts.length;
        const { run } = await runGate('crash-spike', inputs, { env: { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: attempt } });
        expect(run.outputs.verdict).toBe('fail');
        byAttempt[attempt] = posts.slice(from);
      }
      const one = (attempt: string, prefix: string) => byAttempt[attempt]!.filter((p) => p.path.startsWith(prefix));
      for (const attempt of ['1', '2']) for (const prefix of ['/v2/enqueue', '/api/v2/alerts', '/services/']) expect(one(attempt, prefix)).toHaveLength(1);

      const dedup = (a: string) => (one(a, '/v2/enqueue')[0]!.body as { dedup_key: string }).dedup_key;
      expect(dedup('2')).toBe(dedup('1'));
      const labels = (a: string) => (one(a, '/api/v2/alerts')[0]!.body as { labels: Record<string, string> }[])[0]!.labels;
      expect(labels('2')).toEqual(labels('1'));

      const slack = (a: string) =>
        one(a, '/services/')[0]!.body as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
      expect(slack('1').text).not.toMatch(/re-run/i);
      expect(JSON.stringify(slack('1').blocks)).not.toMatch(/re-run/i);
      expect(slack('2').text).toMatch(/^\S+ \[Re-run, attempt 2\] Crash-free users below 97%/);
      expect(slack('2').blocks[0]!.text!.text).toMatch(/^\[Re-run, attempt 2\] Alert: /);
      expect(slack('2').blocks[1]!.elements![0]!.text).toMatch(/attempt 1 of this run may already have posted this alert for the same release/);
    },
  );
});
