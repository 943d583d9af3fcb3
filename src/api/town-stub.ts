/**
 * Durable Object stubs by id. Town ids are lowercase UUIDs (`http-api.md` §1.4), so the same
 * town always maps to the same object.
 */
import type { Env } from '../env.ts';

export function townStub(env: Env, townId: string) {
  return env.TOWN.get(env.TOWN.idFromName(townId.toLowerCase()));
}

export function userStub(env: Env, sub: string) {
  return env.USER.get(env.USER.idFromName(sub));
}
