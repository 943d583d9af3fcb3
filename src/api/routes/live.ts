/**
 * Live-update routes (`http-api.md` §2 rule 7, §4.2): a user asks for a one-use ticket, then
 * opens the WebSocket with it. The socket route takes no bearer token (a browser cannot send
 * one on a WebSocket); the ticket, checked by the TownDO before the upgrade, is the credential.
 */
import { unwrap } from '../../town/rpc-result.ts';
import { badTicket, isWebSocketUpgrade, upgradeRequired } from '../../town/live/responses.ts';
import { isTicketShaped } from '../../town/live/tickets.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created } from '../respond.ts';
import { townStub } from '../town-stub.ts';
import { userSub } from './caller.ts';

const T = '/api/towns/:townId';

/** The socket address for `ticket` on the host the request came to (`ws:` or `wss:`). */
export function liveSocketUrl(requestUrl: string, townId: string, ticket: string): string {
  const url = new URL(requestUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `/api/towns/${townId}/live`;
  url.search = new URLSearchParams({ ticket }).toString();
  url.hash = '';
  return url.toString();
}

export function liveRoutes(r: RouteTable): void {
  r.route('POST', `${T}/live/ticket`, { auth: 'user-town', rateLimit: { rule: 'live_ticket', scope: 'user' } }, async (c) => {
    const townId = pathId(c, 'townId');
    const issued = unwrap(await townStub(c.env, townId).issueLiveTicket(userSub(c.get('caller'))));
    return created(c, { ticket: issued.ticket, expires_at: issued.expires_at, url: liveSocketUrl(c.req.url, townId, issued.ticket) });
  });

  // A plain GET or a malformed ticket is refused here, without waking a Durable Object. An
  // unknown town holds no tickets, so it answers 401 `bad_ticket` like any bad ticket: the
  // credential comes before the town's existence (§1.3), and no lookup precedes the ticket.
  r.route('GET', `${T}/live`, { auth: 'none' }, async (c) => {
    if (!isWebSocketUpgrade(c.req.raw)) return upgradeRequired();
    if (!isTicketShaped(c.req.query('ticket'))) return badTicket();
    const res = await townStub(c.env, pathId(c, 'townId')).fetch(c.req.raw);
    // A fresh response: the stub's headers are immutable, and the request log adds its own.
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers), webSocket: res.webSocket });
  });
}
