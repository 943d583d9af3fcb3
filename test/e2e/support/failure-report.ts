/**
 * On a failed end-to-end test, prints the diagnostics (`/debug` status, beads, the town's
 * warnings and the launcher's log tail) of every town the test created, so an assertion failure
 * explains itself like a timeout does. Registered by `useE2eSuite` (file-suite.ts).
 */
import { afterEach, beforeEach } from 'vitest';
import type { E2eSuite } from './suite.ts';

export function reportFailures(suite: () => E2eSuite | undefined): void {
  let before = 0;
  beforeEach(() => {
    before = suite()?.towns.length ?? 0;
  });
  afterEach(async ({ task }) => {
    const current = suite();
    if (task.result?.state !== 'fail' || current === undefined) return;
    for (const town of current.towns.slice(before)) console.error(await town.diagnostics().catch((e: unknown) => `diagnostics of ${town.id} failed: ${String(e)}`));
  });
}
