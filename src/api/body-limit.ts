/**
 * The request body size limit (`http-api.md` §6): a declared `Content-Length` over the limit is
 * refused at once; a body without one (chunked) is read up to the limit. Unlike Hono's
 * `bodyLimit`, an overflowing stream is read to its end (bounded) before the 413.
 */
import type { MiddlewareHandler } from 'hono';
import { PayloadTooLarge } from '../errors.ts';
import type { AppEnv } from './app-env.ts';

/** Past this much, an overflowing body is cancelled instead of drained (the platform's own cap). */
const DRAIN_MAX_BYTES = 100 * 1024 * 1024;

/**
 * Reads the rest of an overflowing body and drops it. A cancelled or half-read stream broke the
 * next request the local runtime served (a 500 "Network connection lost"); a drained one does not.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
    if (size > DRAIN_MAX_BYTES) {
      await reader.cancel('request body over the limit').catch(() => undefined);
      return;
    }
  }
}

export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (body === null) return next();
    const declared = c.req.raw.headers.get('content-length');
    if (declared !== null && !c.req.raw.headers.has('transfer-encoding')) {
      if (Number.parseInt(declared, 10) > maxBytes) throw new PayloadTooLarge(maxBytes);
      return next();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await drain(reader, size);
        throw new PayloadTooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  };
}
