/**
 * Serves a `(Request) → Promise<Response>` handler on `127.0.0.1:0` with `node:http`: the request
 * body is buffered, hop-by-hop headers are dropped both ways, and the answer is written whole.
 * Used by `startFakeGitHost`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`${origin}${req.url ?? '/'}`, { method, headers, body: hasBody ? Buffer.concat(chunks) : null });
}

/** A running server and the origin it listens on. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an OS-chosen port; a handler throw becomes a 500 with its message. */
export async function serveOnLoopback(handler: (request: Request) => Promise<Response>): Promise<LoopbackServer> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const response = await handler(await toRequest(req, origin));
        const body = Buffer.from(await response.arrayBuffer());
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          if (!HOP_BY_HOP.has(name)) headers[name] = value;
        });
        headers['content-length'] = String(body.length);
        res.writeHead(response.status, headers);
        res.end(body);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake git host: ${message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
