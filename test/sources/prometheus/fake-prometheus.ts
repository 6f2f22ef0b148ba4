import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PromHit {
  query: string;
  time: number;
  headers: IncomingHttpHeaders;
}

/** What the fake answers a query with: [status, body] (body as JSON or raw text). */
export type PromAnswer = (query: string, time: number, n: number) => [number, unknown];

export const vector = (...series: [Record<string, string>, string][]) =>
  [200, { status: 'success', data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [1_700_000_000, v] })) } }] as [
    number,
    unknown,
  ];
export const one = (v: string | number) => vector([{}, String(v)]);
export const empty = () => vector();

/** A loopback stand-in for Prometheus's /api/v1/query, answering what the test says. */
export async function fakePrometheus(answer: PromAnswer) {
  const hits: PromHit[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    req.resume();
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    const time = Number(url.searchParams.get('time'));
    hits.push({ query, time, headers: req.headers });
    const [status, body] = answer(query, time, hits.length - 1);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
