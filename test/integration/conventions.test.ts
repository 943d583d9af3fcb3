/**
 * HTTP conventions of `http-api.md` §1, §2 rule 9, §4.1 and §6 through the real worker: /health,
 * request ids, no-store, the not-found envelope, no CORS, JSON bodies, strict bodies and
 * queries, path id syntax, the order of checks and the development token route.
 */
import { describe, expect, it } from 'vitest';
import { call, data, devToken, errorOf, issuePaths, jwtPayload, newTown, uniqueUser } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('GET /health', () => {
  it('answers {status, environment, version} without a credential', async () => {
    const r = await call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { status: 'ok', environment: 'development', version: '0.1.0-dev' } });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('x-request-id', () => {
  it('echoes a valid incoming id', async () => {
    const r = await call('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
  });

  it('echoes a 128-character id of the allowed characters', async () => {
    const id = `A.b_c-${'9'.repeat(122)}`;
    expect(id).toHaveLength(128);
    const r = await call('GET', '/health', { headers: { 'x-request-id': id } });
    expect(r.headers.get('x-request-id')).toBe(id);
  });

  it('replaces an id of 129 characters with a UUID', async () => {
    const r = await call('GET', '/health', { headers: { 'x-request-id': 'a'.repeat(129) } });
    expect(r.headers.get('x-request-id')).toMatch(UUID);
  });

  it('replaces an id containing a space or a slash with a UUID', async () => {
    const spaced = await call('GET', '/health', { headers: { 'x-request-id': 'abc 123' } });
    expect(spaced.headers.get('x-request-id')).toMatch(UUID);
    const slashed = await call('GET', '/health', { headers: { 'x-request-id': 'abc/123' } });
    expect(slashed.headers.get('x-request-id')).toMatch(UUID);
  });

  it('generates a fresh UUID per request when none is sent', async () => {
    const a = await call('GET', '/health');
    const b = await call('GET', '/health');
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(b.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('is on error responses too', async () => {
    const r = await call('GET', '/api/nowhere', { headers: { 'x-request-id': 'err-1' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('x-request-id')).toBe('err-1');
  });
});

describe('Cache-Control on /api', () => {
  it('is no-store on success, error and not-found responses under /api', async () => {
    const token = await devToken(uniqueUser());
    const ok = await call('GET', '/api/towns', { token });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const unauthorized = await call('GET', '/api/towns');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('cache-control')).toBe('no-store');
    const missing = await call('GET', '/api/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    const created = await call('POST', '/api/dev/token', { body: {} });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
  });
});

describe('unknown routes', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])('%s on an unknown path is a 404 not_found envelope', async (method) => {
    const r = await call(method, '/api/definitely/not/a/route');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('a known path with a method it does not serve is a 404', async () => {
    const r = await call('PUT', '/api/towns', { body: { name: 'x' } });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });

  it('an unknown path outside /api is a 404 envelope too', async () => {
    const r = await call('GET', '/nothing-here');
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });

  it('the route match comes before the body limit: an oversized body to an unknown route is a 404', async () => {
    const r = await call('POST', '/api/not-a-route', { raw: 'x'.repeat(300 * 1024), headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });
});

describe('no CORS', () => {
  it('an OPTIONS preflight is a 404 with no Access-Control-* header', async () => {
    const r = await call('OPTIONS', '/api/towns', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
    expect([...r.headers.keys()].filter((k) => k.toLowerCase().startsWith('access-control-'))).toEqual([]);
  });

  it('an ordinary request with an Origin gets no Access-Control-* header', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns', { token, headers: { Origin: 'https://evil.example' } });
    expect(r.status).toBe(200);
    expect([...r.headers.keys()].filter((k) => k.toLowerCase().startsWith('access-control-'))).toEqual([]);
  });
});

describe('JSON bodies', () => {
  it('a body that does not parse is a 400 invalid_json', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, raw: '{"name": "x",', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('invalid_json');
  });

  it('a JSON body sent without a JSON Content-Type is a 400 invalid_json', async () => {
    const token = await devToken(uniqueUser());
    const plain = await call('POST', '/api/towns', { token, raw: JSON.stringify({ name: 'x' }) });
    expect(plain.status).toBe(400);
    expect(errorOf(plain).code).toBe('invalid_json');
    const form = await call('POST', '/api/towns', { token, raw: JSON.stringify({ name: 'x' }), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expect(errorOf(form).code).toBe('invalid_json');
  });

  it('accepts application/json with a charset parameter', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, raw: JSON.stringify({ name: 'Charset' }), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(r.status).toBe(201);
    expect(data(r).name).toBe('Charset');
  });

  it('a POST with no required fields accepts an empty body or {}', async () => {
    const empty = await call('POST', '/api/dev/token');
    expect(empty.status).toBe(201);
    expect(data(empty).user_id).toBe('dev');
    const braces = await call('POST', '/api/dev/token', { body: {} });
    expect(braces.status).toBe(201);
    expect(data(braces).user_id).toBe('dev');
  });

  it('an empty or blank body sent as application/json counts as {}', async () => {
    for (const raw of ['', '  \n']) {
      const r = await call('POST', '/api/dev/token', { raw, headers: { 'Content-Type': 'application/json' } });
      expect(r.status).toBe(201);
      expect(data(r).user_id).toBe('dev');
    }
    const token = await devToken(uniqueUser());
    const missing = await call('POST', '/api/towns', { token, raw: '', headers: { 'Content-Type': 'application/json' } });
    expect(missing.status).toBe(400);
    expect(errorOf(missing).code).toBe('validation_failed');
    expect(issuePaths(missing)).toContainEqual(['name']);
  });

  it('an empty body where fields are required is a validation error, not invalid_json', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(['name']);
  });

  it('a JSON value that is not an object is a validation error', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, raw: '[1,2]', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
  });
});

describe('body size (256 KB)', () => {
  const oversized = JSON.stringify({ name: 'x'.repeat(256 * 1024) });

  it('a body over 256 KB is a 413 payload_too_large', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, raw: oversized, headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(errorOf(r).code).toBe('payload_too_large');
  });

  it('is checked before the credential: 413 even without a token', async () => {
    const r = await call('POST', '/api/towns', { raw: oversized, headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(errorOf(r).code).toBe('payload_too_large');
  });

  it('is checked before the credential on a town route with a garbage token', async () => {
    const r = await call('POST', `/api/towns/${crypto.randomUUID()}/rigs`, { token: 'garbage', raw: oversized, headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(413);
  });

  it('a body just under the limit is read and validated normally', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, raw: JSON.stringify({ name: 'x'.repeat(200 * 1024) }), headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(['name']);
  });
});

describe('strict bodies and query validation', () => {
  it('an unknown body key is a 400 validation_failed in the body, naming the key', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', '/api/towns', { token, body: { name: 'Town', colour: 'red' } });
    expect(r.status).toBe(400);
    const err = errorOf(r);
    expect(err.code).toBe('validation_failed');
    expect(err.details?.location).toBe('body');
    expect(issuePaths(r)).toContainEqual(['colour']);
    expect(err.details?.issues).toContainEqual({ path: ['colour'], code: 'unrecognized_keys', message: expect.any(String) });
  });

  it('each unknown key, also nested ones, gets its own issue', async () => {
    const token = await devToken(uniqueUser());
    const townId = await newTown(token);
    const r = await call('PATCH', `/api/towns/${townId}/config`, { token, body: { refinery: { speed: 1 }, colour: 'red', size: 2 } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toEqual(expect.arrayContaining([['refinery', 'speed'], ['colour'], ['size']]));
  });

  it('a query validation error is located in the query', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns?limit=0', { token });
    expect(r.status).toBe(400);
    const err = errorOf(r);
    expect(err.code).toBe('validation_failed');
    expect(err.details?.location).toBe('query');
    expect(issuePaths(r)).toContainEqual(['limit']);
  });

  it.each(['501', 'abc', '1.5'])('limit=%s is a 400 in the query', async (limit) => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', `/api/towns?limit=${limit}`, { token });
    expect(r.status).toBe(400);
    expect(errorOf(r).details?.location).toBe('query');
  });

  it('a cursor that is not one this list returned is a 400 in the query', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns?cursor=not-a-cursor', { token });
    expect(r.status).toBe(400);
    expect(errorOf(r).details?.location).toBe('query');
    expect(issuePaths(r)).toContainEqual(['cursor']);
  });

  it('unknown query parameters are ignored', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns?limit=5&colour=red', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: [], next_cursor: null });
  });

  it('a validation message names the field but never echoes the value', async () => {
    const token = await devToken(uniqueUser());
    const secretish = 'ghp_do-not-echo-this-value';
    const r = await call('POST', '/api/towns', { token, body: { name: 42, note: secretish } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toContain(secretish);
  });
});

describe('path ids', () => {
  it('a malformed id is a 400 invalid_id naming the param', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('GET', '/api/towns/not-a-uuid', { token });
    expect(r.status).toBe(400);
    const err = errorOf(r);
    expect(err.code).toBe('invalid_id');
    expect(err.details).toEqual({ param: 'townId' });
  });

  it('names the inner param when the outer one is valid', async () => {
    const token = await devToken(uniqueUser());
    const townId = await newTown(token);
    const r = await call('GET', `/api/towns/${townId}/rigs/12345`, { token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'invalid_id', details: { param: 'rigId' } });
  });

  it('is checked after the credential: 401 without a token', async () => {
    const r = await call('GET', '/api/towns/not-a-uuid');
    expect(r.status).toBe(401);
    expect(errorOf(r).code).toBe('unauthorized');
  });

  it('is checked before town existence and body validation', async () => {
    const token = await devToken(uniqueUser());
    const townId = await newTown(token);
    const r = await call('PATCH', `/api/towns/${townId}/rigs/nope`, { token, body: { bogus: true } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('invalid_id');
  });

  it('an uppercase UUID names the same town', async () => {
    const token = await devToken(uniqueUser());
    const townId = await newTown(token, 'Upper');
    const r = await call('GET', `/api/towns/${townId.toUpperCase()}`, { token });
    expect(r.status).toBe(200);
    expect(data(r).id).toBe(townId);
  });
});

describe('order of checks on a town route', () => {
  it('an unknown town with an invalid body is a 404, not a 400', async () => {
    const token = await devToken(uniqueUser());
    const r = await call('POST', `/api/towns/${crypto.randomUUID()}/rigs`, { token, body: { bogus: true } });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });

  it('a missing credential with an invalid body is a 401, not a 400', async () => {
    const r = await call('POST', '/api/towns', { body: { bogus: true } });
    expect(r.status).toBe(401);
  });

  it('a missing credential with unparsable JSON is a 401, not invalid_json', async () => {
    const r = await call('POST', '/api/towns', { raw: '{', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(401);
  });
});

describe('POST /api/dev/token', () => {
  it('returns {token, user_id, admin, expires_at} for user dev by default, valid 7 days', async () => {
    const r = await call('POST', '/api/dev/token', { body: {} });
    expect(r.status).toBe(201);
    const body = data<{ token: string; user_id: string; admin: boolean; expires_at: string }>(r);
    expect(Object.keys(body).sort()).toEqual(['admin', 'expires_at', 'token', 'user_id']);
    expect(body.user_id).toBe('dev');
    expect(body.admin).toBe(false);
    expect(body.expires_at).toMatch(ISO_MS);
    const claims = jwtPayload(body.token);
    expect(claims).toMatchObject({ scope: 'user', sub: 'dev', aud: 'gastown' });
    expect(claims.admin).toBeUndefined();
    expect(typeof claims.exp).toBe('number');
    expect(typeof claims.iat).toBe('number');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(604_800);
    expect(new Date(Number(claims.exp) * 1000).toISOString()).toBe(body.expires_at);
  });

  it('the token it returns works on user routes', async () => {
    const user = uniqueUser();
    const r = await call('POST', '/api/dev/token', { body: { user_id: user } });
    const token = data<{ token: string }>(r).token;
    const towns = await call('GET', '/api/towns', { token });
    expect(towns.status).toBe(200);
  });

  it('honours user_id, admin and ttl_seconds', async () => {
    const r = await call('POST', '/api/dev/token', { body: { user_id: 'alice', admin: true, ttl_seconds: 60 } });
    expect(r.status).toBe(201);
    const body = data<{ token: string; user_id: string; admin: boolean; expires_at: string }>(r);
    expect(body.user_id).toBe('alice');
    expect(body.admin).toBe(true);
    const claims = jwtPayload(body.token);
    expect(claims).toMatchObject({ sub: 'alice', admin: true });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(60);
  });

  it('accepts the bounds: user_id of 128 chars and ttl_seconds of 30 days', async () => {
    const r = await call('POST', '/api/dev/token', { body: { user_id: 'u'.repeat(128), ttl_seconds: 2_592_000 } });
    expect(r.status).toBe(201);
    const claims = jwtPayload(data<{ token: string }>(r).token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(2_592_000);
  });

  it.each([
    ['ttl_seconds 59', { ttl_seconds: 59 }, ['ttl_seconds']],
    ['ttl_seconds over 30 days', { ttl_seconds: 2_592_001 }, ['ttl_seconds']],
    ['fractional ttl_seconds', { ttl_seconds: 60.5 }, ['ttl_seconds']],
    ['empty user_id', { user_id: '' }, ['user_id']],
    ['user_id of 129 chars', { user_id: 'u'.repeat(129) }, ['user_id']],
    ['non-boolean admin', { admin: 'yes' }, ['admin']],
    ['an unknown key', { scope: 'agent' }, ['scope']],
  ])('%s is a 400 validation_failed', async (_label, body, path) => {
    const r = await call('POST', '/api/dev/token', { body });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(path);
  });
});
