import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** What the shop serves, changed by the test while it runs. */
export interface ShopState {
  /** Requests a second. */
  rate: number;
  /** Share of requests answered 5xx. */
  errorShare: number;
  /** Share of requests that take 6 s, past the 5 s bucket (the others take 50 ms). */
  slowShare: number;
  /** The blackbox probe of the shop: 1 up, 0 down. */
  probe: 0 | 1;
}

/**
 * A small shop app instrumented with prom-client, as a service would be:
 * http_requests_total{code}, an http_request_duration_seconds histogram and
 * a probe_success gauge. Its traffic is synthetic and exact: every 100 ms it
 * counts rate/10 requests, errorShare of them 5xx and slowShare of them slow
 * (fractions carried over), so the test knows the true counts.
 */
export async function startShop(initial: ShopState) {
  const state = { ...initial };
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'Requests served', labelNames: ['code'], registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const probe = new Gauge({ name: 'probe_success', help: 'Blackbox probe of the shop', registers: [registry] });
  const truth = { requests: 0, errors: 0, slow: 0 };
  const carry = { requests: 0, errors: 0, slow: 0 };
  // The 200 series exists from the start, as in a real service; the 500 one appears with the first error.
  requests.inc({ code: '200' }, 0);
  const tick = setInterval(() => {
    carry.requests += state.rate / 10;
    const n = Math.floor(carry.requests);
    carry.requests -= n;
    carry.errors += n * state.errorShare;
    const bad = Math.floor(carry.errors);
    carry.errors -= bad;
    carry.slow += n * state.slowShare;
    const slow = Math.floor(carry.slow);
    carry.slow -= slow;
    if (n - bad > 0) requests.inc({ code: '200' }, n - bad);
    if (bad > 0) requests.inc({ code: '500' }, bad);
    for (let i = 0; i < n; i += 1) duration.observe(i < slow ? 6 : 0.05);
    probe.set(state.probe);
    truth.requests += n;
    truth.errors += bad;
    truth.slow += slow;
  }, 100);
  const server: Server = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    truth,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      clearInterval(tick);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Debian's Prometheus on a free loopback port, scraping the shop every
 * second into a temporary storage directory. Resolves once the shop has
 * been scraped; stop() ends the process and removes the directory.
 */
export async function startPrometheus(shopPort: number) {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(`Prometheus is not installed at ${PROMETHEUS_BIN}: apt-get install prometheus (npm run test:integration does this when run as root)`);
  const dir = mkdtempSync(join(tmpdir(), 'rhg-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: shop',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${shopPort}']`,
      '',
    ].join('\n'),
  );
  const log: string[] = [];
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode}): ${log.join('').slice(-2000)}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up{job="shop"}')}`);
      const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
      if (body.data?.result?.[0]?.value[1] === '1') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not scrape the shop within 30 s: ${log.join('').slice(-2000)}`);
    }
    await sleep(250);
  }
  return { url, stop, log };
}

/** The shop's checks, as a user writes them (windows of 20-40 s, so the limits are for short runs). */
export const SHOP_CHECKS = `
- name: 5xx rate
  source: prometheus
  bad: sum(increase(http_requests_total{job="shop",code=~"5.."}[$__range]))
  total: sum(increase(http_requests_total{job="shop"}[$__range]))
  max: 2%
- name: p95 latency under 3 s
  source: prometheus
  histogram: http_request_duration_seconds_bucket{job="shop"}
  quantile: 0.95
  below: 3s
- name: uptime probe
  source: prometheus
  query: min(probe_success{job="shop"})
  min: 1
  for: 10s
`;
