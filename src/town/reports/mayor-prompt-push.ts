/**
 * Mayor system-prompt push (`container.md` §2 `PUT /agents/:id/system-prompt`): after a config
 * change commits that changed `custom_instructions.mayor`, a `working`/`waiting` mayor gets the
 * prompt a start would send now (same builder). Best effort: a failure is logged, the config
 * change stands, and the next mayor start carries the new prompt anyway.
 */
import { isDevelopment } from '../../env.ts';
import { logLine } from '../../observability/log.ts';
import { mayorStartFacts } from '../dispatch/dispatch-facts.ts';
import { mayorPromptFor } from '../dispatch/start-request.ts';
import { findTown } from '../records/town-record.ts';
import { findMayor } from './mayor-status.ts';
import { MAYOR_CONTROL_TIMEOUT_MS, type MayorPorts } from './mayor-ports.ts';

function mayorInstructions(ports: MayorPorts): string | null {
  return ports.read((sql) => findTown(sql)?.config.custom_instructions.mayor ?? null);
}

/** The prompt to push to the running mayor, or null (no running mayor, or its facts are gone). */
function promptToPush(ports: MayorPorts): { agentId: string; prompt: string } | null {
  const development = isDevelopment(ports.env);
  return ports.read((sql) => {
    const mayor = findMayor(sql);
    if (mayor === null || (mayor.status !== 'working' && mayor.status !== 'waiting')) return null;
    const facts = mayorStartFacts(sql, mayor.id, development);
    return facts.ok ? { agentId: mayor.id, prompt: mayorPromptFor(facts.facts) } : null;
  });
}

/** Runs `patch` (the config write); then, if the mayor's instructions changed while it runs, pushes its new prompt. */
export async function patchConfigPushingMayorPrompt<R extends { ok: boolean }>(ports: MayorPorts, patch: () => Promise<R>): Promise<R> {
  const before = mayorInstructions(ports);
  const result = await patch();
  const after = mayorInstructions(ports);
  if (!result.ok || before === null || after === null || before === after) return result;
  const push = promptToPush(ports);
  if (push === null) return result;
  try {
    const res = await ports.control().request('PUT', `/agents/${push.agentId}/system-prompt`, { system_prompt: push.prompt }, { timeoutMs: MAYOR_CONTROL_TIMEOUT_MS, startOnDemand: false });
    logLine(res.status >= 200 && res.status < 300 ? 'info' : 'warn', 'mayor.system_prompt_push', { agent_id: push.agentId, status: res.status });
  } catch (e) {
    logLine('warn', 'mayor.system_prompt_push_failed', { agent_id: push.agentId, error_message: e instanceof Error ? e.message.slice(0, 200) : 'unknown' });
  }
  return result;
}
