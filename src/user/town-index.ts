/**
 * The UserDO's table of towns: plain functions over its SQL handle. Newest first with the same
 * opaque cursor as every other list.
 */
import type { Town } from '../protocol/api.ts';
import { str, type SqlHandle, type SqlRow } from '../town/db/sql.ts';
import { pageByCreated, type Page } from '../town/records/pagination.ts';

export const USER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS towns (town_id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL,
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS towns_created ON towns(created_at, town_id)`,
];

function rowToTown(row: SqlRow): Town {
  return {
    id: str(row, 'town_id'),
    name: str(row, 'name'),
    owner_type: 'user',
    owner_id: str(row, 'owner_id'),
    created_at: str(row, 'created_at'),
    updated_at: str(row, 'updated_at'),
  };
}

export function addTownEntry(sql: SqlHandle, town: Town): void {
  sql.run(
    `INSERT OR REPLACE INTO towns (town_id, name, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
    town.id,
    town.name,
    town.owner_id,
    town.created_at,
    town.updated_at,
  );
}

export function removeTownEntry(sql: SqlHandle, townId: string): void {
  sql.run(`DELETE FROM towns WHERE town_id = ?`, townId);
}

export function listTownEntries(sql: SqlHandle, ownerId: string, page: { limit: number; cursor?: string | undefined }): Page<Town> {
  return pageByCreated(sql, { table: 'towns', idColumn: 'town_id', where: ['owner_id = ?'], params: [ownerId] }, page, rowToTown);
}

export function listTownIds(sql: SqlHandle): string[] {
  return sql.all(`SELECT town_id FROM towns`).map((r) => str(r, 'town_id'));
}
