/**
 * Administrative container actions of the TownDO: the user's restart (T`/container/restart`,
 * `graceful` drains, `hard` kills and starts again) and the teardown when the town is deleted.
 * A restart the container object cannot perform is a 503 `container_unavailable`.
 */
import type { ContainerHandle } from '../../container/control-client.ts';
import type { RestartMode } from '../../container/container-rpc.ts';
import { Unavailable } from '../../errors.ts';
import { logLine } from '../../observability/log.ts';

/** Asks the container object to restart; `{requested: true}` once it accepted. */
export async function restartContainer(container: ContainerHandle, mode: RestartMode): Promise<{ requested: true }> {
  try {
    await container.restart(mode);
  } catch (e) {
    logLine('warn', 'container.restart_failed', { mode, error: e instanceof Error ? e.message : 'unknown' });
    throw new Unavailable('container_unavailable', 'The container could not be restarted; retry shortly.');
  }
  return { requested: true };
}

/** Best effort: SIGKILL the town's container and forget its watchdog state. */
export async function teardownContainer(container: ContainerHandle): Promise<void> {
  try {
    await container.destroy();
  } catch (e) {
    logLine('warn', 'container.teardown_failed', { error: e instanceof Error ? e.message : 'unknown' });
  }
}
