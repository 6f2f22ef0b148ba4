import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyHeaders, scalarRequestProblems, scalarResponseProblems } from './datadog-openapi';

export interface DatadogHit {
  at: number;
  body: unknown;
  status: number;
}

export interface DatadogStubOptions {
  apiKey: string;
  appKey: string;
  /** The values a metrics query has over [from, to] with this aggregator: one per group, [] for no points. */
  answer: (query: string, aggregator: string, from: number, to: number) => number[];
  /** An answer that replaces the n-th (0-based) one: a 429, a 500, a 400 with Datadog's errors. */
  fault?: (n: number) => { status: number; headers?: Record<string, string>; body: unknown } | null;
}

/**
 * A loopback Datadog for QueryScalarData built from the vendored schema: it
 * refuses (400, as Datadog does) a request the schema does not allow, checks
 * the keys in the headers the schema's security schemes name, and checks its
 * own answers against the schema too. `problems` lists every mismatch; a
 * test asserts it is empty.
 */
export async function startDatadogStub(opts: DatadogStubOptions) {
  const hits: DatadogHit[] = [];
  const problems: string[] = [];
  const keys = keyHeaders();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = hits.length;
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        if (status !== 500) problems.push(...scalarResponseProblems(status, body).map((p) => `answer ${n}: ${p}`));
        hits.push({ at: Date.now(), body: parsed, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        parsed = null;
      }
      if (req.method !== 'POST' || req.url !== '/api/v2/query/scalar') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":["Not found"]}');
        return;
      }
      if (req.headers[keys.api.toLowerCase()] !== opts.apiKey || req.headers[keys.app.toLowerCase()] !== opts.appKey) {
        send(403, { errors: ['Forbidden'] });
        return;
      }
      const fault = opts.fault?.(n);
      if (fault) {
        send(fault.status, fault.body, fault.headers);
        return;
      }
      const invalid = scalarRequestProblems(parsed);
      if (invalid.length > 0) {
        problems.push(...invalid.map((p) => `request ${n}: ${p}`));
        send(400, { errors: invalid });
        return;
      }
      const attrs = (
        parsed as {
          data: { attributes: { from: number; to: number; queries: { name: string; query: string; aggregator: string }[]; formulas?: { formula: string }[] } };
        }
      ).data.attributes;
      const byName = new Map(attrs.queries.map((q) => [q.name, opts.answer(q.query, q.aggregator, attrs.from, attrs.to)]));
      // Each formula here is one query's name: its column is named after the formula, as Datadog's are.
      const columns = (attrs.formulas ?? attrs.queries.map((q) => ({ formula: q.name }))).map((f) => ({
        name: f.formula,
        type: 'number',
        values: byName.get(f.formula) ?? [],
        meta: { unit: [null, null] },
      }));
      send(200, { data: { type: 'scalar_response', attributes: { columns } } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    problems,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
