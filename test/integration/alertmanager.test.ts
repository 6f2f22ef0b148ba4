/**
 * The bundled action against a real Alertmanager (Debian's prometheus-alertmanager)
 * on loopback, its one receiver a webhook to a server in this test: a fail makes
 * exactly one alert arrive there, a re-run adds none, a later pass resolves it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCrashAlert, LINK_INPUTS } from '../helpers/crash-alert';
import { runGate } from '../helpers/gate';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface Notification {
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a real Alertmanager (prometheus-alertmanager on loopback)', () => {
  const received: Notification[] = [];
  let receiver: Server;
  let alertmanager: ChildProcess;
  let amUrl: string;
  let amLog = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Notification);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const dir = mkdtempSync(join(tmpdir(), 'rhg-alertmanager-'));
    // Short waits so the test sees each change within seconds; a repeat only after an hour.
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'global:',
        '  resolve_timeout: 30s',
        'route:',
        '  receiver: gate',
        '  group_by: [alertname, environment, repository]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: gate',
        '    webhook_configs:',
        `      - url: ${hook}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      ALERTMANAGER,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout?.on('data', (d: Buffer) => (amLog += d.toString()));
    alertmanager.stderr?.on('data', (d: Buffer) => (amLog += d.toString()));
    const end = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`${amUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > end || alertmanager.exitCode !== null) throw new Error(`Alertmanager did not start: ${amLog}`);
      await sleep(200);
    }
  });

  afterAll(async () => {
    alertmanager?.kill('SIGTERM');
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const alertsReceived = () => received.flatMap((n) => n.alerts);

  it('a fail: exactly one alert arrives with the labels and annotations; a re-run adds none; a later pass resolves it', async () => {
    const inputs = { 'alertmanager-url': amUrl, ...LINK_INPUTS };
    const fail = await runGate('crash-spike', inputs);
    expect(fail.run.outputs.verdict).toBe('fail');
    expect(fail.run.summary).toMatch(/Alertmanager trigger sent/);
    await until('the firing notification', () => received.length >= 1);
    // Longer than group_interval twice: any second notification would have come.
    await sleep(5_000);
    expect(received).toHaveLength(1);
    const [alert] = alertsReceived();
    expect(alertsReceived()).toHaveLength(1);
    expect(alert!.status).toBe('firing');
    expectCrashAlert(alert);
    expect(alert!.annotations.summary).toMatch(/^Crash-free users below 97% after deploy: /);
    expect(alert!.annotations.description).toMatch(/^Alert: +Crash-free users below 97%/);

    // A re-run of the same gate: the same labels, so the same alert; nobody is told twice.
    const again = await runGate('crash-spike', inputs);
    expect(again.run.outputs.verdict).toBe('fail');
    await sleep(6_000);
    expect(received).toHaveLength(1);

    // The next release passes in the same environment: the alert is resolved.
    const pass = await runGate('healthy', { ...inputs, release: 'shop-web@2.0.1', window: '6s' });
    expect(pass.run.outputs.verdict).toBe('pass');
    expect(pass.run.summary).toMatch(/Alertmanager resolve sent \\\(resolved 1 alert\\\)/);
    const resolved = await until('the resolved notification', () => received.find((n) => n.status === 'resolved'));
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]!.status).toBe('resolved');
    expect(resolved.alerts[0]!.fingerprint).toBe(alert!.fingerprint);
    expect(received).toHaveLength(2);
  });
});
