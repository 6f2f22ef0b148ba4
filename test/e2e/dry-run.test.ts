/**
 * A dry run changes nothing anyone else sees: no rollback dispatch, no
 * notifier post, no GitHub deployment status. One stub on loopback plays
 * GitHub's API, PagerDuty, Slack and Alertmanager and counts what arrives;
 * the bundled action must only read, and say what it would have done.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runGate } from '../helpers/gate';

const GITHUB_TOKEN = 'ghs_Dry7RunQx9Lm4Za7Wc1Vd8Nf6Hy2Kp3';

describe('dry-run (bundled action)', () => {
  it(
    'a failing release with a rollback, three notifiers and a deployment id: not one write request, and the summary says what would have been done',
    { timeout: 90_000 },
    async ({ onTestFinished }) => {
      const seen: { method: string; path: string }[] = [];
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          seen.push({ method: req.method ?? '', path: req.url ?? '' });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(req.method === 'GET' ? '[]' : '{"status":"success"}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { run } = await runGate(
        'crash-spike',
        {
          'dry-run': 'true',
          'rollback-workflow': 'rollback.yml',
          'github-token': GITHUB_TOKEN,
          'github-deployment-id': '77',
          'pagerduty-routing-key': 'R0uting7KeyQx9Lm4Za7Wc1Vd8Nf6Hy2',
          'pagerduty-url': url,
          'slack-webhook-url': `${url}/services/T0001/B0001/Sl4ckT0kenQx9Lm4Za7Wc1`,
          'alertmanager-url': url,
        },
        { env: { GITHUB_API_URL: url } },
      );
      expect(run.outputs.verdict).toBe('fail');
      expect(run.code).toBe(0);
      const writes = seen.filter((r) => r.method !== 'GET');
      expect(writes).toEqual([]);
      expect(run.summary).toMatch(/dry run: would dispatch workflow rollback\.yml/);
      expect(run.stdout).toMatch(/Dry run: would set GitHub deployment 77 to failure/);
      for (const notifier of ['PagerDuty', 'Slack', 'Alertmanager']) expect(run.summary).toContain(`dry run: would send ${notifier}`);
    },
  );
});
