/**
 * Live-update tickets (`http-api.md` §2 rule 7): opaque, 32 random bytes as base64url.
 * Called by the TownDO for `POST …/live/ticket`; the TownDO stores it, one use, 60 s.
 */

/** A new ticket: 32 bytes from `crypto.getRandomValues`, base64url without padding (43 chars). */
export function newLiveTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
