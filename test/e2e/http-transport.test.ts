/**
 * The worker under wrangler's local runtime (what `npm start` serves), over real HTTP/1.1: a
 * chunked body (no Content-Length) over the size limit is a 413, and the requests after it are
 * still served. Hono's `bodyLimit` left such a stream half-read, and the next request answered a
 * 500 "Network connection lost" without an envelope or `x-request-id` (`http-api.md` §1.1, §6).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ launcher: false });
});

afterAll(async () => {
  await stack?.stop();
});

/** A POST whose body is sent chunked, in `chunks`. */
function postChunked(path: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: Number(url.port), method: 'POST', path, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', ...headers } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request bodies without Content-Length', () => {
  it('a chunked body over 256 KB is a 413 payload_too_large, and every later request is served', async () => {
    for (let round = 0; round < 3; round++) {
      const over = await postChunked('/api/towns', Array.from({ length: 30 }, () => Buffer.from('x'.repeat(10 * 1024))));
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      const next = await fetch(`${stack.baseUrl}/health`);
      expect(next.status).toBe(200);
      expect(next.headers.get('x-request-id')).not.toBeNull();
    }
  });

  it('a chunked body under the limit is read whole', async () => {
    const token = await stack.devToken('chunked-user');
    const body = JSON.stringify({ name: 'Chunked town' });
    const res = await postChunked('/api/towns', [Buffer.from(body.slice(0, 5)), Buffer.from(body.slice(5))], { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ data: { name: 'Chunked town' } });
  });
});
