/**
 * API errors as the dashboard shows them: the envelope read into an ApiError, readable text
 * with the first field issue and advice, and the issues forms place next to fields.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFrom, describeError, issuesOf, labelOfPath, networkError } from '../../../src/dashboard/client/api-error.ts';

const validation = {
  error: {
    code: 'validation_failed',
    message: 'The request body is invalid.',
    details: { location: 'body', issues: [{ path: ['alarm', 'active_interval_seconds'], code: 'too_big', message: 'must be at most 60' }, { bogus: true }] },
  },
};

describe('apiErrorFrom', () => {
  it('reads the error envelope', () => {
    const e = apiErrorFrom(409, { error: { code: 'name_taken', message: 'A rig named web already exists.' } });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message]).toEqual([409, 'name_taken', 'A rig named web already exists.']);
  });

  it('names the status when the body is not an envelope', () => {
    const e = apiErrorFrom(502, '<html>bad gateway</html>');
    expect(e.code).toBe('unexpected_response');
    expect(e.message).toContain('502');
  });
});

describe('describeError', () => {
  it('adds the first field issue to a validation error', () => {
    expect(describeError(apiErrorFrom(400, validation))).toBe('The request body is invalid. alarm.active_interval_seconds: must be at most 60.');
  });

  it('adds advice for codes the user can act on', () => {
    expect(describeError(apiErrorFrom(429, { error: { code: 'rate_limited', message: 'Too many requests.' } }))).toBe('Too many requests. Wait a moment before trying again.');
    expect(describeError(networkError())).toMatch(/Could not reach/);
  });

  it('describes plain errors and other values', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('text')).toBe('text');
  });
});

describe('issuesOf', () => {
  it('keeps well-formed issues of validation errors only', () => {
    expect(issuesOf(apiErrorFrom(400, validation))).toEqual([{ path: ['alarm', 'active_interval_seconds'], message: 'must be at most 60' }]);
    expect(issuesOf(apiErrorFrom(409, { error: { code: 'conflict', message: 'no' } }))).toEqual([]);
    expect(issuesOf(new Error('x'))).toEqual([]);
  });

  it('labels paths readably', () => {
    expect(labelOfPath(['refinery', 'gates', 0])).toBe('refinery.gates[0]');
    expect(labelOfPath([])).toBe('value');
  });
});
