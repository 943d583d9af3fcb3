/**
 * The worker → control server shared secret (`http-api.md` §2 rule 6) and a constant-time
 * comparison for it. The worker derives it per town when calling the container; the control
 * server compares the `X-Gastown-Control-Secret` header with `timingSafeEqualHex`.
 */

const encoder = new TextEncoder();

/** Lowercase hex of HMAC-SHA256 keyed with `jwtSecret` over `"gastown-control:" + townId`. */
export async function controlSecretFor(jwtSecret: string, townId: string): Promise<string> {
  if (jwtSecret.length === 0) throw new Error('GASTOWN_JWT_SECRET is empty');
  const key = await crypto.subtle.importKey('raw', encoder.encode(jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`gastown-control:${townId}`));
  return toHex(new Uint8Array(mac));
}

/**
 * True when `a` and `b` are the same string, compared in time independent of where they differ
 * and of their lengths: both are hashed with SHA-256 and all 32 digest bytes are XOR-accumulated
 * with no early exit. Exact comparison: the control secret is always lowercase, so `ABC ≠ abc`.
 */
export async function timingSafeEqualHex(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
