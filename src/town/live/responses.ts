/**
 * The HTTP answers of the live-socket route when no socket is opened (`http-api.md` §1.2, §2
 * rule 7): 426 for a plain GET, 401 `bad_ticket`, 404 for a deleted town. Same envelope as
 * every other error; `x-gastown-error-code` feeds the worker's request log line.
 */

function errorResponse(status: number, code: string, message: string, details?: Record<string, unknown>): Response {
  return Response.json(
    { error: { code, message, ...(details === undefined ? {} : { details }) } },
    { status, headers: { 'x-gastown-error-code': code } },
  );
}

/** 426: the request is not a WebSocket upgrade. */
export function upgradeRequired(): Response {
  return errorResponse(426, 'upgrade_required', 'This route only serves WebSocket upgrades: send Upgrade: websocket.');
}

/** 401 `bad_ticket`: missing, unknown, used, expired, or issued for another town. */
export function badTicket(): Response {
  return errorResponse(401, 'unauthorized', 'The live-update ticket is missing, used, expired or for another town.', { reason: 'bad_ticket' });
}

/** 404: the town was deleted after the ticket was issued. */
export function townNotFound(): Response {
  return errorResponse(404, 'not_found', 'town not found.');
}

/** True when the request asks to become a WebSocket. */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('Upgrade') ?? '').toLowerCase() === 'websocket';
}
