/**
 * The control server's registry (`container.md` §4 step 2): stored opaquely in `town_state`
 * (it is secret-bearing: never logged, returned only to the container token). Called by
 * C`/registry` GET and PUT.
 */
import type { RegistryGetResult, RegistryPutResult } from '../../protocol/container.ts';
import type { JsonObject } from '../../protocol/common.ts';
import { iso } from '../db/clock.ts';
import type { SqlHandle } from '../db/sql.ts';
import { readTownState, writeTownState } from './town-state.ts';

const KEY = 'container_registry';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored registry, `{}` with `updated_at: null` before the first PUT. */
export function getRegistry(sql: SqlHandle): RegistryGetResult {
  const stored = readTownState(sql, KEY);
  if (stored === null || !isObject(stored.value)) return { registry: {}, updated_at: null };
  return { registry: stored.value, updated_at: stored.updated_at };
}

/** Replaces the registry. */
export function putRegistry(sql: SqlHandle, registry: JsonObject, now: number): RegistryPutResult {
  writeTownState(sql, KEY, registry, now);
  return { updated_at: iso(now) };
}
