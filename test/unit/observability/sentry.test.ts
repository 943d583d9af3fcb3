/**
 * Sentry reports carry the route tags and request id, never a request (URL, headers, body).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../src/observability/sentry.ts';

afterEach(() => vi.restoreAllMocks());

describe('reportError', () => {
  it('does nothing without a DSN', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    expect(reportError({ dsn: undefined, environment: 'test', release: 't', tags: {}, error: new Error('x') })).toBe(false);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends the exception with the route tags and without request data', async () => {
    const bodies: string[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_input, init) => {
      bodies.push(typeof init?.body === 'string' ? init.body : new TextDecoder().decode(init?.body as Uint8Array));
      return new Response('{}', { status: 200 });
    });
    const pending: Promise<unknown>[] = [];
    const sent = reportError({
      dsn: 'https://publickey@o0.ingest.sentry.io/1',
      environment: 'test',
      release: '1.0.0',
      tags: { route: 'GET /api/towns/:townId', request_id: 'req-1', townId: 'f0000000-0000-4000-8000-000000000000' },
      error: new Error('kaboom'),
      executionCtx: { waitUntil: (p) => pending.push(p) },
    });
    expect(sent).toBe(true);
    await Promise.all(pending);
    const payload = bodies.join('\n');
    expect(payload).toContain('kaboom');
    expect(payload).toContain('GET /api/towns/:townId');
    expect(payload).toContain('req-1');
    expect(payload).not.toContain('"request"');
  });
});
