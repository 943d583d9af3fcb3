/**
 * A kilo.db snapshot resumes the mayor's session on the REAL `kilo serve` (offline, loopback):
 * the mayor starts (a new session), its stop uploads the checkpointed kilo.db; the agent's home is
 * wiped, and the next start hydrates the snapshot and resumes the same session id (§5.2 steps 2
 * and 5). A fresh container (the whole data root wiped) does not resume yet: kilo lists sessions
 * per project, keyed by the workdir's root commit, and a new mayor workspace gets a new one.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView } from '../../src/protocol/control.ts';
import { agentHome, kiloDbFile } from '../../container/src/layout.ts';
import { GitWorkspaces } from '../../container/src/workspaces/git-workspaces.ts';
import { MAYOR, TOWN, mayorRequest } from './fixtures.ts';
import { startControlStack } from './support/control-stack.ts';
import type { ControlStack } from './support/control-stack.ts';

/** Three kilo boots on a loaded machine: generous room. */
const TEST_TIMEOUT_MS = 180_000;
const SNAPSHOT_PATH = `/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}/db-snapshot`;

let stack: ControlStack;

beforeAll(async () => {
  // The real git workspaces: the mayor's workspace is what kilo keys its project by.
  stack = await startControlStack({ name: 'snapshot-kilo', workspaces: (setup) => new GitWorkspaces(setup) });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await stack?.dispose();
}, TEST_TIMEOUT_MS);

/** Starts the mayor (no prompt: no model call) and returns its view. */
async function startMayor(dispatchId: string): Promise<AgentView> {
  const res = await stack.request('POST', '/agents/start', mayorRequest({ dispatch_id: dispatchId, config: stack.stubConfig() }));
  const body = (await res.json()) as { data?: AgentView; error?: unknown };
  expect(body.error, JSON.stringify(body.error)).toBeUndefined();
  if (body.data === undefined) throw new Error('no view');
  return body.data;
}

/** Stops the mayor and waits for the snapshot its stop uploads (the `count`-th PUT). */
async function stopAndSnapshot(count: number): Promise<Uint8Array> {
  const { api } = stack;
  await stack.request('POST', `/agents/${MAYOR}/stop`, {});
  await api.waitFor((r) => r.method === 'PUT' && r.path === SNAPSHOT_PATH && api.matching(SNAPSHOT_PATH, 'PUT').length === count);
  const stored = api.snapshots.get(MAYOR);
  if (stored === undefined) throw new Error('no snapshot stored');
  return stored;
}

describe('the mayor resumes its session from a kilo.db snapshot (real kilo serve)', () => {
  let sessionId = '';

  it(
    'after its home is wiped',
    async () => {
      const { api, stub, lines, root } = stack;
      const first = await startMayor('aaaaaaaa-0000-4000-8000-000000000001');
      sessionId = first.session_id ?? '';
      expect(sessionId).toMatch(/^ses_/);
      const stored = await stopAndSnapshot(1);
      expect(Buffer.from(stored).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\u0000');
      expect(Buffer.from(stored).includes(sessionId)).toBe(true);

      // Home wiped: the start hydrates kilo.db from the snapshot and resumes the session.
      await rm(agentHome(root, MAYOR), { recursive: true, force: true });
      const second = await startMayor('aaaaaaaa-0000-4000-8000-000000000002');
      expect(existsSync(kiloDbFile(agentHome(root, MAYOR)))).toBe(true);
      expect(second.session_id).toBe(sessionId);
      // Both starts asked for the snapshot; only the second found one (the first was fresh).
      expect(api.matching(SNAPSHOT_PATH, 'GET')).toHaveLength(2);
      expect(lines.filter((l) => l.msg === 'snapshot.uploaded')).toHaveLength(1);
      expect(stub.requests).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );

  // kilo keys projects by the workdir's root commit: a fresh container's mayor workspace must make
  // the same one (fixed dates), or the restored session would not be listed.
  it(
    'after the whole data root is wiped, as a fresh container sees it',
    async () => {
      expect(sessionId).toMatch(/^ses_/);
      await stopAndSnapshot(2);
      await stack.manager.shutdown();
      for (const dir of ['agents', 'mayor']) await rm(join(stack.root, dir), { recursive: true, force: true });
      const third = await startMayor('aaaaaaaa-0000-4000-8000-000000000003');
      expect(third.session_id).toBe(sessionId);
    },
    TEST_TIMEOUT_MS,
  );
});
