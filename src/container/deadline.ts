/**
 * `withDeadline`: runs an abortable operation with a timeout. The operation gets an
 * `AbortSignal` aborted at the deadline, and the returned promise rejects with
 * `DeadlineExceeded` then, even if the operation ignores the signal.
 */

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** `fn(signal)` bounded by `ms`. */
export function withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new DeadlineExceeded(ms);
      controller.abort(err);
      reject(err);
    }, ms);
    fn(controller.signal).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
