/**
 * Types `env` from `cloudflare:test` as the worker's own bindings (`src/env.ts`), so integration
 * tests reach the Durable Object namespaces (`env.TOWN`, `env.USER`) without casts.
 */
import type { Env as WorkerBindings } from '../../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerBindings {}
  }
}
