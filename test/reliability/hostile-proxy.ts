import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The tracker's own answer to a request the proxy forwarded. */
export interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What the proxy sends instead. `padBytes` streams that many bytes of filler
 * inside the body (chunked, no Content-Length, so only reading finds out): the
 * body is `{"pad":"xxx…",` followed by the rest of `body` after its first `{`.
 */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  padBytes?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Index among all requests the proxy saw. */
  n: number;
  /** Real time it arrived (ms, Date.now). */
  at: number;
}

/** Returns the answer to send, or undefined to pass the tracker's answer through unchanged. */
export type Tamper = (req: ProxiedRequest, upstream: () => Promise<Upstream>) => Promise<Answer | undefined> | Answer | undefined;

export interface HostileProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Body bytes the proxy managed to write, per request index. */
  bytesSent: Map<number, number>;
  close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * A hostile server on 127.0.0.1 in front of a real one (the local tracker):
 * forwards every request, and lets a test replace any answer (status, headers,
 * body, size) with what a broken or malicious server would send.
 */
export async function hostileProxy(target: string, tamper: Tamper): Promise<HostileProxy> {
  const requests: ProxiedRequest[] = [];
  const bytesSent = new Map<number, number>();
  const origin = new URL(target);

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: origin.host };
      const up = request({ host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers }, (res) => {
        readAll(res).then((buf) => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: h, body: buf.toString('utf8') });
        }, reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  async function send(res: ServerResponse, n: number, answer: Answer): Promise<void> {
    const body = answer.body ?? '';
    if (!answer.padBytes) {
      const buf = Buffer.from(body, 'utf8');
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers, 'content-length': String(buf.length) });
      res.end(buf);
      bytesSent.set(n, buf.length);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    const rest = body.startsWith('{') && body.length > 2 ? `",${body.slice(1)}` : '"}';
    let sent = 0;
    const write = (chunk: Buffer | string) => {
      sent += Buffer.byteLength(chunk);
      bytesSent.set(n, sent);
      return res.write(chunk);
    };
    const filler = Buffer.alloc(64 * 1024, 'x');
    let closed = false;
    res.on('close', () => (closed = true));
    write('{"pad":"');
    let left = answer.padBytes;
    while (left > 0 && !closed) {
      const chunk = left >= filler.length ? filler : filler.subarray(0, left);
      left -= chunk.length;
      if (!write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!closed) res.end(rest);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const n = requests.length;
      const entry = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname, n, at: Date.now() };
      requests.push(entry);
      let cached: Promise<Upstream> | undefined;
      const upstream = () => (cached ??= forward(req, body));
      try {
        const answer = (await tamper(entry, upstream)) ?? (await upstream());
        await send(res, n, answer);
      } catch {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesSent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
