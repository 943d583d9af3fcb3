/**
 * Mayor model hot-swap (`http-api.md` §4.2 PATCH T`/config`): after a config change commits, a
 * `working`/`waiting` mayor whose model or small model changed gets `PATCH /agents/:id/model`
 * with the new models and the serialized config. Best effort: a failure is logged, the config
 * change stands, and the next mayor start carries the new models anyway.
 */
import type { ModelPatch } from '../../protocol/control.ts';
import { logLine } from '../../observability/log.ts';
import { serializeContainerConfig } from '../dispatch/container-config.ts';
import { findTown } from '../records/town-record.ts';
import { findMayor, mayorModels } from './mayor-status.ts';
import { MAYOR_CONTROL_TIMEOUT_MS, type MayorPorts } from './mayor-ports.ts';

type Models = { model: string; small_model: string };

/** The mayor's models as the town config sets them now (null once the town is gone). */
export function currentMayorModels(ports: MayorPorts): Models | null {
  return ports.read((sql) => {
    const town = findTown(sql);
    return town === null ? null : mayorModels(town.config);
  });
}

/** What to send, or null when neither model changed. Pure. */
export function modelSwapFor(before: Models, after: Models): Pick<ModelPatch, 'model' | 'small_model'> | null {
  if (before.model === after.model && before.small_model === after.small_model) return null;
  return { model: after.model, small_model: after.small_model };
}

/** Runs `patch` (the config write); then, if the mayor's models changed while it runs, swaps them in place. */
export async function patchConfigSwappingMayor<R extends { ok: boolean }>(ports: MayorPorts, patch: () => Promise<R>): Promise<R> {
  const before = currentMayorModels(ports);
  const result = await patch();
  const after = currentMayorModels(ports);
  const town = ports.read((sql) => findTown(sql));
  if (!result.ok || before === null || after === null || town === null) return result;
  const swap = modelSwapFor(before, after);
  const mayor = ports.read((sql) => findMayor(sql));
  if (swap === null || mayor === null || (mayor.status !== 'working' && mayor.status !== 'waiting')) return result;
  try {
    const config = await serializeContainerConfig(ports.env, town, ports.now());
    const res = await ports.control().request('PATCH', `/agents/${mayor.id}/model`, { ...swap, config }, { timeoutMs: MAYOR_CONTROL_TIMEOUT_MS, startOnDemand: false });
    logLine(res.status >= 200 && res.status < 300 ? 'info' : 'warn', 'mayor.model_swap', { agent_id: mayor.id, status: res.status });
  } catch (e) {
    logLine('warn', 'mayor.model_swap_failed', { agent_id: mayor.id, error_message: e instanceof Error ? e.message.slice(0, 200) : 'unknown' });
  }
  return result;
}
