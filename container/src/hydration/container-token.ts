/**
 * The container token as the control server reads it (`container.md` §4 step 1, §2
 * `/refresh-token`): its JWT payload decoded WITHOUT verification (the worker verifies; here we
 * only read `exp` and `townId`), and the boot-time renewal when less than the threshold is left.
 */
import type { Logger } from '../redact.ts';
import type { WorkerClient } from '../worker-client.ts';

/** The claims the control server reads. */
export interface TokenClaims {
  /** Expiry, epoch seconds. */
  exp: number | null;
  townId: string | null;
}

/** Decodes a JWT's payload without verifying it; null when it is not a JWT. */
export function decodeClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || payload === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const { exp, townId } = json as { exp?: unknown; townId?: unknown };
  return { exp: typeof exp === 'number' ? exp : null, townId: typeof townId === 'string' ? townId : null };
}

/**
 * Renews the container token through `C/refresh-token` when under `thresholdMs` is left (or it is
 * expired or unreadable). Success stores the new token (the worker client does); failure keeps
 * the old one. Returns whether it renewed.
 */
export async function refreshIfExpiring(
  worker: WorkerClient,
  token: string,
  thresholdMs: number,
  log: Logger,
  now: number = Date.now(),
): Promise<boolean> {
  const exp = decodeClaims(token)?.exp ?? null;
  const leftMs = exp === null ? -1 : exp * 1000 - now;
  if (leftMs >= thresholdMs) return false;
  try {
    await worker.renewContainerToken();
    log.info('hydration.token_refreshed', { left_ms: leftMs });
    return true;
  } catch (err) {
    log.warn('hydration.token_refresh_failed', { left_ms: leftMs, error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}
