/**
 * The town row (`domain.md` §2): identity, owner and config. Creating writes the defaults once;
 * ownership is checked here for every user route; destroying erases every table.
 */
import type { Town, TownDetail } from '../../protocol/api.ts';
import { AgentStatus, BeadStatus } from '../../protocol/common.ts';
import { TownConfig } from '../../protocol/config.ts';
import { Forbidden, NotFound } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, num, str, strOrNull, type SqlHandle } from '../db/sql.ts';
import { DEFAULT_TOWN_CONFIG } from '../config/index.ts';

export interface TownRecord extends Town {
  config: TownConfig;
}

export function findTown(sql: SqlHandle): TownRecord | null {
  const row = first(sql, `SELECT * FROM town LIMIT 1`);
  if (row === null) return null;
  const config = TownConfig.safeParse(JSON.parse(str(row, 'config')));
  if (!config.success) throw new Error(`town ${str(row, 'town_id')}: stored config fails its schema`);
  return {
    id: str(row, 'town_id'),
    name: str(row, 'name'),
    owner_type: str(row, 'owner_type') === 'org' ? 'org' : 'user',
    owner_id: str(row, 'owner_id'),
    created_at: str(row, 'created_at'),
    updated_at: str(row, 'updated_at'),
    config: config.data,
  };
}

/** The town, or `NotFound` (no row ⇒ the town was never created or was destroyed). */
export function requireTown(sql: SqlHandle): TownRecord {
  const town = findTown(sql);
  if (town === null) throw new NotFound('town');
  return town;
}

export function toTown(t: TownRecord): Town {
  return { id: t.id, name: t.name, owner_type: t.owner_type, owner_id: t.owner_id, created_at: t.created_at, updated_at: t.updated_at };
}

/** Writes the town row with default config; idempotent for the same id. */
export function createTownRow(sql: SqlHandle, input: { id: string; name: string; ownerId: string; now: number }): Town {
  const existing = findTown(sql);
  if (existing !== null) return toTown(existing);
  const now = iso(input.now);
  sql.run(
    `INSERT INTO town (town_id, name, owner_type, owner_id, config, created_at, updated_at) VALUES (?, ?, 'user', ?, ?, ?, ?)`,
    input.id,
    input.name,
    input.ownerId,
    JSON.stringify(DEFAULT_TOWN_CONFIG),
    now,
    now,
  );
  return toTown(requireTown(sql));
}

export type OwnerCheck = 'ok' | 'not_found' | 'forbidden';

/** Ownership (`http-api.md` §2 rule 1): only `owner_type: user` with `owner_id = sub`. */
export function checkOwner(sql: SqlHandle, sub: string): OwnerCheck {
  const town = findTown(sql);
  if (town === null) return 'not_found';
  return town.owner_type === 'user' && town.owner_id === sub ? 'ok' : 'forbidden';
}

export function assertOwner(sql: SqlHandle, sub: string): void {
  const check = checkOwner(sql, sub);
  if (check === 'not_found') throw new NotFound('town');
  if (check === 'forbidden') throw new Forbidden('You do not own this town.');
}

/** TownDetail: the town plus counts by status. */
export function townDetail(sql: SqlHandle, draining: boolean): TownDetail {
  const town = requireTown(sql);
  const beads = Object.fromEntries(BeadStatus.options.map((s) => [s, 0])) as Record<BeadStatus, number>;
  for (const row of sql.all(`SELECT status, COUNT(*) AS n FROM beads WHERE type NOT IN ('agent', 'message') GROUP BY status`)) {
    const status = BeadStatus.safeParse(row.status);
    if (status.success) beads[status.data] = num(row, 'n');
  }
  const agents = Object.fromEntries(AgentStatus.options.map((s) => [s, 0])) as Record<AgentStatus, number>;
  for (const row of sql.all(`SELECT status, COUNT(*) AS n FROM agent_metadata GROUP BY status`)) {
    const status = AgentStatus.safeParse(row.status);
    if (status.success) agents[status.data] = num(row, 'n');
  }
  const rigs = first(sql, `SELECT COUNT(*) AS n FROM rigs`);
  const mayor = first(sql, `SELECT bead_id FROM agent_metadata WHERE role = 'mayor' AND status <> 'dead' LIMIT 1`);
  return {
    ...toTown(town),
    summary: {
      rigs: rigs === null ? 0 : num(rigs, 'n'),
      beads,
      agents,
      draining,
      mayor_agent_id: mayor === null ? null : strOrNull(mayor, 'bead_id'),
    },
  };
}

/** Stores a new config (already validated) and bumps `updated_at`. */
export function writeTownConfig(sql: SqlHandle, config: TownConfig, now: number): void {
  sql.run(`UPDATE town SET config = ?, updated_at = ?`, JSON.stringify(config), iso(now));
}
