/**
 * The part of `node:async_hooks` the worker uses (available with the `nodejs_compat` flag).
 * Declared here because the worker type-checks against workers-types, not @types/node.
 */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
