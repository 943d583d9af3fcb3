/**
 * The town's side of the container health watchdog (`container.md` §11): when a control answer
 * says the watchdog gave up (`unhealthy`), `escalate(container_unhealthy, high)` once per episode
 * (a `town_state` flag, cleared by the next healthy answer). `watchHealth` wraps a handle so every
 * call reports its answer.
 */
import type { ContainerHandle } from '../../container/control-client.ts';
import type { TownCtx } from '../context.ts';
import { escalate } from '../reconciler/apply/escalate.ts';
import { readTownState, writeTownState } from '../reports/town-state.ts';

const FLAG = 'container_unhealthy';

/** Records the answer's health; true when this changed the flag (and so wrote). */
export function noteContainerHealth(ctx: TownCtx, unhealthy: boolean): boolean {
  const flagged = readTownState(ctx.sql, FLAG)?.value === true;
  if (flagged === unhealthy) return false;
  ctx.sql.transaction(() => {
    writeTownState(ctx.sql, FLAG, unhealthy, ctx.now);
    if (unhealthy) {
      escalate(ctx, {
        category: 'container_unhealthy',
        severity: 'high',
        parent_bead_id: null,
        title: 'The town container is unhealthy',
        body: 'The container stopped answering and was restarted 3 times within 30 minutes; the watchdog has stopped restarting it. Check the container logs, then restart it (POST /container/restart) once the cause is fixed.',
        source_agent_id: null,
      });
    }
  });
  return true;
}

/** Whether the flag is set (no write). */
export function isFlaggedUnhealthy(ctx: Pick<TownCtx, 'sql'>): boolean {
  return readTownState(ctx.sql, FLAG)?.value === true;
}

/** `handle`, with every control answer's health passed to `note` (which decides whether to write). */
export function watchHealth(handle: ContainerHandle, note: (unhealthy: boolean) => void): ContainerHandle {
  return {
    async request(method, path, body, opts) {
      const res = await handle.request(method, path, body, opts);
      note(res.unhealthy === true);
      return res;
    },
    stop: () => handle.stop(),
    destroy: () => handle.destroy(),
    restart: (mode) => handle.restart(mode),
    state: () => handle.state(),
  };
}
