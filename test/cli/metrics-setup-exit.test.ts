/**
 * The CLI's exit codes on a metrics source that cannot be queried: a URL with
 * no query API behind it or a query the service cannot parse is bad input
 * (2, naming the flag, as a bad flag is); a refused credential is the
 * service's refusal (1, as help says). The bundled CLI against a stub on loopback.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { runCli } from './run-cli';

async function prometheus(cleanup: (fn: OnTestFinishedHandler) => void, answer: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const CHECKS = '- name: uptime\n  source: prometheus\n  query: min(probe_success)\n  min: 1\n  for: 2s\n';
const gate = (url: string) =>
  runCli([
    'gate',
    '--release',
    'shop@1',
    '--prometheus-url',
    url,
    `--checks=${CHECKS}`,
    '--window',
    '6s',
    '--interval',
    '2s',
    '--initial-delay',
    '0s',
    '--settle',
    '0s',
  ]);
const status = (code: number, body: string) => (res: ServerResponse) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(body);
};

describe.concurrent('CLI exit codes on a Prometheus that cannot be queried', () => {
  it('no query API at --prometheus-url (404): exit 2, naming --prometheus-url', async ({ onTestFinished }) => {
    const url = await prometheus(onTestFinished, status(404, '404 page not found'));
    const run = await gate(url);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^--prometheus-url \("http:\/\/127\.0\.0\.1:\d+"\): no Prometheus query API there/m);
  });

  it('nothing listening at --prometheus-url: exit 2', async ({ onTestFinished }) => {
    const url = await prometheus(onTestFinished, status(200, '{}'));
    const closed = url.replace(/:\d+$/, ':1');
    const run = await gate(closed);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^--prometheus-url .*could be reached/m);
  });

  it('a query Prometheus cannot parse (400 bad_data): exit 2, naming the check', async ({ onTestFinished }) => {
    const url = await prometheus(onTestFinished, status(400, '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}'));
    const run = await gate(url);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/Check "uptime" \(query\): Prometheus refused the query \(HTTP 400: bad_data: 1:5: parse error/);
  });

  it('a refused credential (401) stays exit 1: the service refused the request', async ({ onTestFinished }) => {
    const url = await prometheus(onTestFinished, status(401, 'unauthorized'));
    const run = await gate(url);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/refused the request \(HTTP 401\)/);
  });
});
