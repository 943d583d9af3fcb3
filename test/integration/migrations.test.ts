/**
 * TownDO schema migrations (`domain.md` §1, §2): a town's object records exactly one
 * `schema_version` row per migration, and a restarted object (evicted, then called again) re-runs
 * nothing while its data survives.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/town/migrations/index.ts';
import { call, data, fixture, townObject, townSql } from './helpers.ts';

async function schemaVersions(townId: string): Promise<{ version: number; name: string; applied_at: string }[]> {
  const rows = await townSql(townId, 'SELECT version, name, applied_at FROM schema_version ORDER BY version');
  return rows.map((r) => {
    const { version, name, applied_at: appliedAt } = r;
    if (typeof version !== 'number' || typeof name !== 'string' || typeof appliedAt !== 'string') throw new Error(`bad schema_version row ${JSON.stringify(r)}`);
    return { version, name, applied_at: appliedAt };
  });
}

describe('TownDO migrations', () => {
  it('a new town has exactly one schema_version row per migration, in order', async () => {
    const f = await fixture();
    const rows = await schemaVersions(f.townId);
    expect(rows.map((r) => ({ version: r.version, name: r.name }))).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    for (const row of rows) expect(row.applied_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('the migrated schema has the tables of domain.md §2', async () => {
    const f = await fixture();
    const tables = (await townSql(f.townId, `SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => r.name);
    for (const table of [
      'schema_version',
      'town',
      'town_state',
      'rigs',
      'beads',
      'bead_dependencies',
      'bead_events',
      'agent_events',
      'agent_metadata',
      'review_metadata',
      'convoy_metadata',
      'escalation_metadata',
      'agent_nudges',
      'town_events',
    ]) {
      expect(tables, table).toContain(table);
    }
  });

  it('an evicted object restarts without re-running migrations, and its data survives', async () => {
    const f = await fixture();
    const bead = await call('POST', `/api/towns/${f.townId}/beads`, { token: f.token, body: { rig_id: f.rigId, title: 'Survives eviction', held: true } });
    expect(bead.status).toBe(201);
    const beadId = data<{ id: string }>(bead).id;
    const before = await schemaVersions(f.townId);
    // In-memory state marks the old instance: its clock is pinned in 1970.
    await runInDurableObject(townObject(f.townId), (instance) => instance.clock.set(1_000));

    await evictDurableObject(townObject(f.townId));

    // The first call after eviction constructs a fresh instance (and runs migrate() again).
    expect(await runInDurableObject(townObject(f.townId), (instance) => instance.clock.now())).toBeGreaterThan(1_000);
    const town = await call('GET', `/api/towns/${f.townId}`, { token: f.token });
    expect(town.status).toBe(200);
    expect(data<{ summary: { rigs: number } }>(town).summary.rigs).toBe(1);
    expect(await schemaVersions(f.townId)).toEqual(before);
    const rig = await call('GET', `/api/towns/${f.townId}/rigs/${f.rigId}`, { token: f.token });
    expect(rig.status).toBe(200);
    expect(data(rig).name).toBe('app');
    const got = await call('GET', `/api/towns/${f.townId}/beads/${beadId}`, { token: f.token });
    expect(got.status).toBe(200);
    expect(data<{ bead: { title: string } }>(got).bead.title).toBe('Survives eviction');
  });

  it('survives repeated evictions with the same rows', async () => {
    const f = await fixture();
    const before = await schemaVersions(f.townId);
    for (let i = 0; i < 3; i += 1) {
      await evictDurableObject(townObject(f.townId));
      expect((await call('GET', `/api/towns/${f.townId}/config`, { token: f.token })).status).toBe(200);
    }
    expect(await schemaVersions(f.townId)).toEqual(before);
  });

  it('a deleted town\'s object keeps a migrated, empty schema', async () => {
    const f = await fixture();
    expect((await call('DELETE', `/api/towns/${f.townId}`, { token: f.token })).status).toBe(200);
    const rows = await schemaVersions(f.townId);
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await townSql(f.townId, 'SELECT COUNT(*) AS n FROM town')).toEqual([{ n: 0 }]);
    await evictDurableObject(townObject(f.townId));
    expect((await call('GET', `/api/towns/${f.townId}`, { token: f.token })).status).toBe(404);
    expect((await schemaVersions(f.townId)).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
