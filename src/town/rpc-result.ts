/**
 * The envelope every TownDO RPC method returns. Named errors travel as values (DO RPC does not
 * preserve custom error fields across isolates); anything else is a bug and is thrown.
 * The worker unwraps with `unwrap()`, which rebuilds the named error for `app.onError`.
 */
import { RemoteError, isGastownError, serializeError, type SerializedError } from '../errors.ts';

export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** Runs `fn`, turning a named error into a failed result; other errors propagate. */
export function capture<T>(fn: () => T): RpcResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (isGastownError(e)) return { ok: false, error: serializeError(e) };
    throw e;
  }
}

/** `capture` for async work (RPCs that await a container or a git host before answering). */
export async function captureAsync<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (isGastownError(e)) return { ok: false, error: serializeError(e) };
    throw e;
  }
}

/** Returns the value or throws the rebuilt named error. */
export function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw new RemoteError(result.error);
}
