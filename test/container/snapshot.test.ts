/**
 * kilo.db snapshots (`container.md` §8) with a real WAL-mode SQLite file and the real checkpoint
 * child: a complete checkpoint uploads the whole db (WAL frames included) as octet-stream with the
 * agent's token; an incomplete one (a reader holding the WAL) skips and keeps the stored snapshot;
 * over 10 MB skips; no db skips; a failed upload or a hung checkpoint never throws; operations of
 * one agent run one at a time; the mayor's turn end and a stop take a snapshot.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentView } from '../../src/protocol/control.ts';
import { kiloDbFile } from '../../container/src/layout.ts';
import { SNAPSHOT_MAX_BYTES, createDbSnapshots } from '../../container/src/process/db-snapshots.ts';
import type { Checkpointer, DbSnapshots, SnapshotTarget } from '../../container/src/process/db-snapshots.ts';
import { checkpointChildPath } from '../../container/src/process/kilo-db-checkpoint.ts';
import type { CheckpointResult } from '../../container/src/process/kilo-db-checkpoint.ts';
import type { Timings } from '../../container/src/timings.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { AGENT, MAYOR, RIG, TOWN, mayorRequest } from './fixtures.ts';
import { captureLog, clientFor, creds } from './helpers.ts';
import { dataOf, deferred, makeHarness, settle } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';
import { KiloDbWriter, holdReader, readSnapshot } from './snapshot-support.ts';

const TOKEN = 'agent-token-snapshot-0001';
const snapshotPath = `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}/db-snapshot`;

let dir: string;
let api: FakeWorkerApi;
let writer: KiloDbWriter | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-snapshot-'));
  api = await startFakeWorkerApi({ townId: TOWN });
});
afterEach(async () => {
  writer?.close();
  writer = null;
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

function setup(opts: { timings?: Partial<Timings>; checkpoint?: Checkpointer; maxBytes?: number } = {}) {
  const cap = captureLog();
  const { client, timings } = clientFor(api, TOWN, { log: cap.log, timings: opts.timings });
  const snapshots: DbSnapshots = createDbSnapshots(client, cap.log, {
    timings,
    ...(opts.checkpoint === undefined ? {} : { checkpoint: opts.checkpoint }),
    ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
  });
  const target: SnapshotTarget = { creds: creds(AGENT, RIG, TOKEN), home: join(dir, 'home') };
  return { snapshots, target, cap, db: kiloDbFile(target.home) };
}

const puts = () => api.matching(snapshotPath, 'PUT');

describe('snapshot with the real checkpoint child', () => {
  it('a complete checkpoint uploads the whole db, WAL frames included', async () => {
    const { snapshots, target, db, cap } = setup();
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 40);
    writer.addSession('ses_b', 40);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0); // the rows are only in the WAL so far

    const outcome = await snapshots.snapshot(target);
    expect(outcome).toMatchObject({ status: 'uploaded' });
    const [put] = puts();
    expect(put?.auth).toBe(TOKEN);
    expect(put?.raw).not.toBeNull();
    const stored = api.snapshots.get(AGENT);
    expect(stored?.byteLength).toBe(outcome.status === 'uploaded' ? outcome.bytes : -1);
    expect(readSnapshot(stored ?? new Uint8Array())).toEqual({ sessions: ['ses_a', 'ses_b'], messages: 80 });
    // TRUNCATE emptied the WAL; the temp copy is gone.
    expect(statSync(`${db}-wal`).size).toBe(0);
    expect(existsSync(`${db}.gt-snapshot`)).toBe(false);
    expect(cap.lines.find((l) => l.msg === 'snapshot.uploaded')).toMatchObject({ agent_id: AGENT, bytes: stored?.byteLength });
  });

  it('an incomplete checkpoint skips the upload and keeps the previous snapshot', async () => {
    const { snapshots, target, db, cap } = setup();
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 10);
    expect(await snapshots.snapshot(target)).toMatchObject({ status: 'uploaded' });
    const good = api.snapshots.get(AGENT);

    // A reader pins the WAL, then more frames arrive: TRUNCATE cannot finish.
    const reader = holdReader(db);
    writer.addSession('ses_b', 10);
    try {
      expect(await snapshots.snapshot(target)).toEqual({ status: 'skipped', reason: 'checkpoint_incomplete' });
    } finally {
      reader.release();
    }
    expect(puts()).toHaveLength(1);
    expect(api.snapshots.get(AGENT)).toBe(good);
    expect(readSnapshot(good ?? new Uint8Array()).sessions).toEqual(['ses_a']);
    const skipped = cap.lines.find((l) => l.msg === 'snapshot.skipped');
    expect(skipped).toMatchObject({ agent_id: AGENT, reason: 'checkpoint_incomplete', busy: 1 });

    // Once the reader is gone the next snapshot is complete again.
    expect(await snapshots.snapshot(target)).toMatchObject({ status: 'uploaded' });
    expect(readSnapshot(api.snapshots.get(AGENT) ?? new Uint8Array()).sessions).toEqual(['ses_a', 'ses_b']);
  });

  it('skips a db over 10 MB', async () => {
    const { snapshots, target, db, cap } = setup();
    writer = new KiloDbWriter(db);
    writer.addBlob('big', SNAPSHOT_MAX_BYTES + 64 * 1024);
    writer.close();
    writer = null;
    expect(statSync(db).size).toBeGreaterThan(SNAPSHOT_MAX_BYTES);
    expect(await snapshots.snapshot(target)).toEqual({ status: 'skipped', reason: 'too_large' });
    expect(puts()).toHaveLength(0);
    expect(cap.lines.find((l) => l.msg === 'snapshot.skipped')).toMatchObject({ reason: 'too_large', max_bytes: SNAPSHOT_MAX_BYTES });
  });

  it('skips a db that only the checkpoint grows past the limit', async () => {
    const { snapshots, target, db } = setup({ maxBytes: 256 * 1024 });
    writer = new KiloDbWriter(db);
    writer.addSession('ses_small', 1);
    writer.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(statSync(db).size).toBeLessThan(256 * 1024);
    writer.addSession('ses_big', 800); // ~400 KB, in the WAL only
    expect(await snapshots.snapshot(target)).toEqual({ status: 'skipped', reason: 'too_large' });
    expect(puts()).toHaveLength(0);
  });

  it('skips an agent without a kilo.db and never creates one', async () => {
    const { snapshots, target, db } = setup();
    expect(await snapshots.snapshot(target)).toEqual({ status: 'skipped', reason: 'no_db' });
    expect(existsSync(db)).toBe(false);
    expect(puts()).toHaveLength(0);
  });

  it('a failed upload is reported as failed, never thrown', async () => {
    const { snapshots, target, db, cap } = setup();
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 5);
    api.failNext('db-snapshot', 503);
    const outcome = await snapshots.snapshot(target);
    expect(outcome.status).toBe('failed');
    expect(cap.msgs()).toContain('snapshot.failed');
    expect(existsSync(`${db}.gt-snapshot`)).toBe(false);
    expect(api.snapshots.has(AGENT)).toBe(false);
  });

  it('an upload answered with an unexpected body counts as failed', async () => {
    const { snapshots, target, db } = setup();
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 1);
    api.setResponse('db-snapshot', () => ({ data: { stored: 'maybe' } }));
    const outcome = await snapshots.snapshot(target);
    expect(outcome).toEqual({ status: 'failed', error: 'db-snapshot PUT returned an unexpected body' });
  });

  it('a checkpoint that outlives the snapshot timeout is killed and reported as failed', async () => {
    // A writer holds the write lock; the child's busy wait is longer than the snapshot's bound.
    const { snapshots, target, db } = setup({ timings: { snapshotTimeoutMs: 400, snapshotBusyTimeoutMs: 60_000, serverCloseGraceMs: 100 } });
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 5);
    writer.conn.exec('BEGIN EXCLUSIVE');
    try {
      const outcome = await snapshots.snapshot(target);
      expect(outcome.status).toBe('failed');
      expect(outcome.status === 'failed' ? outcome.error : '').toMatch(/timed out|aborted/);
    } finally {
      writer.conn.exec('COMMIT');
    }
    expect(puts()).toHaveLength(0);
  });

  it('the child sits beside its runner with the runner’s extension', () => {
    expect(checkpointChildPath('file:///app/container/dist/container/src/process/kilo-db-checkpoint.js')).toBe('/app/container/dist/container/src/process/kilo-db-checkpoint-child.js');
    expect(existsSync(checkpointChildPath())).toBe(true);
  });
});

describe('serialisation per agent', () => {
  /** A checkpoint whose runs wait for the test, recording when each begins. */
  function heldCheckpoint() {
    const begun: string[] = [];
    const releases: (() => void)[] = [];
    const checkpoint: Checkpointer = async (dbFile) => {
      begun.push(dbFile);
      const gate = deferred();
      releases.push(gate.resolve);
      await gate.promise;
      const result: CheckpointResult = { busy: 1, log: 2, checkpointed: 1, outcome: 'incomplete' };
      return result;
    };
    return { begun, releases, checkpoint };
  }

  it('a second snapshot of one agent waits for the first; another agent does not', async () => {
    const held = heldCheckpoint();
    const { snapshots, target, db } = setup({ checkpoint: held.checkpoint });
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 1);
    const other: SnapshotTarget = { creds: creds(MAYOR, TOWN, 'mayor-token'), home: join(dir, 'mayor-home') };
    const otherWriter = new KiloDbWriter(kiloDbFile(other.home));
    try {
      const first = snapshots.snapshot(target);
      const second = snapshots.snapshot(target);
      const third = snapshots.snapshot(other);
      while (held.begun.length < 2) await settle();
      await settle(20);
      // The agent's first and the other agent's run together; the agent's second waits.
      expect([...held.begun].sort()).toEqual([db, kiloDbFile(other.home)].sort());
      held.releases[held.begun.indexOf(db)]?.();
      await first;
      while (held.begun.length < 3) await settle();
      expect(held.begun[2]).toBe(db);
      for (const release of held.releases) release();
      expect(await second).toEqual({ status: 'skipped', reason: 'checkpoint_incomplete' });
      expect(await third).toEqual({ status: 'skipped', reason: 'checkpoint_incomplete' });
    } finally {
      otherWriter.close();
    }
  });

  it('a hydrate of the agent waits for its running snapshot', async () => {
    const held = heldCheckpoint();
    const { snapshots, target, db } = setup({ checkpoint: held.checkpoint });
    writer = new KiloDbWriter(db);
    writer.addSession('ses_a', 1);
    const snap = snapshots.snapshot(target);
    while (held.begun.length < 1) await settle();
    const hydrate = snapshots.hydrate(target, new AbortController().signal);
    await settle(20);
    expect(api.matching(snapshotPath, 'GET')).toHaveLength(0);
    held.releases[0]?.();
    await snap;
    expect(await hydrate).toBe('fresh');
    expect(api.matching(snapshotPath, 'GET')).toHaveLength(1);
  });
});

describe('snapshot call sites in the process manager', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('the mayor’s turn end reports waiting and uploads its kilo.db; its stop uploads again', async () => {
    h = await makeHarness();
    const view = await dataOf<AgentView>(await h.request('POST', '/agents/start', mayorRequest({ prompt: 'hello' })));
    const home = h.manager.agents.get(MAYOR)?.built?.home ?? '';
    writer = new KiloDbWriter(kiloDbFile(home));
    writer.addSession(view.session_id ?? 'ses_x', 3);
    const mayorSnapshot = `/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}/db-snapshot`;

    h.backend.servers[0]?.idle(view.session_id ?? '');
    await h.api.waitFor((r) => r.method === 'PUT' && r.path === mayorSnapshot);
    expect(h.api.matching(`/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}/waiting`, 'POST')).toHaveLength(1);
    expect(readSnapshot(h.api.snapshots.get(MAYOR) ?? new Uint8Array()).sessions).toEqual([view.session_id]);

    writer.addSession('ses_later', 1);
    await h.request('POST', `/agents/${MAYOR}/stop`, {});
    await h.api.waitFor((r) => r.method === 'PUT' && r.path === mayorSnapshot && h?.api.matching(mayorSnapshot, 'PUT').length === 2);
    expect(readSnapshot(h.api.snapshots.get(MAYOR) ?? new Uint8Array()).sessions).toContain('ses_later');
  });
});
