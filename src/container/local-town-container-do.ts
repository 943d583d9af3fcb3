/**
 * LocalTownContainerDO: the plain Durable Object bound as TOWN_CONTAINER in `--env local` and in
 * tests. It will forward control-protocol calls to the local launcher (`container.md` §11); the
 * dispatch issue adds the transport. Until then every call answers 503 `container_unavailable`.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

export class LocalTownContainerDO extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return Response.json(
      { error: { code: 'container_unavailable', message: 'The local container transport is not available yet.' } },
      { status: 503, headers: { 'Retry-After': '5' } },
    );
  }
}
