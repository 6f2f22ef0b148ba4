import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  url: string;
  authorization: string | undefined;
  /** Real time the request arrived (ms, performance clock). */
  at: number;
}

/** Answers the n-th request (0-based); returning nothing leaves the request hanging. */
export type Responder = (n: number, req: IncomingMessage, res: ServerResponse) => void;

export interface TinyServer {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** A bare node:http server on 127.0.0.1: what the client sees is exactly what a test writes. */
export async function tinyServer(respond: Responder): Promise<TinyServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = hits.length;
      hits.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, at: performance.now() });
      respond(n, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
