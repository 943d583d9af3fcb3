/**
 * Live-update tickets of one town (`http-api.md` §2 rule 7): opaque, one use, valid 60 s.
 * Held in the TownDO's memory only: a ticket dies with the object, and the dashboard simply
 * asks for a new one. Living in the town's own object is what binds a ticket to its town.
 */
import { newLiveTicket } from '../../auth/live-ticket.ts';
import { iso } from '../db/clock.ts';

/** How long a ticket may wait before it is redeemed. */
export const LIVE_TICKET_TTL_MS = 60_000;

/** The shape of every ticket: 32 bytes as unpadded base64url. */
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** True when `value` could be a ticket (checked before waking the TownDO for it). */
export function isTicketShaped(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && TICKET_SHAPE.test(value);
}

/** What `issue` hands back to the ticket route. */
export interface IssuedTicket {
  ticket: string;
  expires_at: string;
}

interface HeldTicket {
  sub: string;
  expiresAt: number;
}

/** The unredeemed tickets of one town. */
export class TicketBook {
  private readonly held = new Map<string, HeldTicket>();

  /** A new ticket for `sub`, valid until `now + 60 s`; expired ones are dropped on the way. */
  issue(sub: string, now: number): IssuedTicket {
    this.prune(now);
    const ticket = newLiveTicket();
    const expiresAt = now + LIVE_TICKET_TTL_MS;
    this.held.set(ticket, { sub, expiresAt });
    return { ticket, expires_at: iso(expiresAt) };
  }

  /**
   * Consumes a ticket: the `sub` it was issued to, or null when it is missing, unknown, already
   * used or expired. A ticket is removed on its first presentation, valid or not.
   */
  redeem(ticket: string | null, now: number): string | null {
    if (!isTicketShaped(ticket)) return null;
    const held = this.held.get(ticket);
    if (held === undefined) return null;
    this.held.delete(ticket);
    return now < held.expiresAt ? held.sub : null;
  }

  /** Forgets every ticket (the town was deleted). */
  clear(): void {
    this.held.clear();
  }

  private prune(now: number): void {
    for (const [ticket, held] of this.held) {
      if (held.expiresAt <= now) this.held.delete(ticket);
    }
  }
}
