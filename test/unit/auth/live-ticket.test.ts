/**
 * Tests of `src/auth/live-ticket.ts`: tickets are 32 random bytes in unpadded base64url.
 */
import { describe, expect, it } from 'vitest';
import { newLiveTicket } from '../../../src/auth/live-ticket.ts';

describe('newLiveTicket', () => {
  it('is 43 base64url characters that decode to 32 bytes', () => {
    const ticket = newLiveTicket();
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);
  });

  it('differs on every call', () => {
    const tickets = new Set(Array.from({ length: 100 }, () => newLiveTicket()));
    expect(tickets.size).toBe(100);
  });
});
