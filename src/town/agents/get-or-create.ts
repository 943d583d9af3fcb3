/**
 * `getOrCreateAgent(role, rigId)` (`domain.md` §5): writes rows only, never starts a session.
 * Mayor and refinery are singletons (the existing non-dead one, whatever its status); a polecat
 * is the rig's idle unhooked one with the oldest heartbeat, else a new one within capacity,
 * else null. Used by dispatch and by `notify_mayor`.
 */
import type { AgentRole } from '../../protocol/common.ts';
import { iso } from '../db/clock.ts';
import { first, num, str, type SqlHandle } from '../db/sql.ts';
import { id8, newId, type TownCtx } from '../context.ts';

/** Polecat names in the order they are handed out (`domain.md` §5). */
export const POLECAT_NAMES = [
  'Toast', 'Maple', 'Birch', 'Shadow', 'Clover', 'Ember', 'Sage', 'Dusk', 'Flint', 'Coral',
  'Slate', 'Reed', 'Thorn', 'Pike', 'Moss', 'Wren', 'Blaze', 'Gale', 'Drift', 'Lark',
] as const;

/** Lower-case, non-alphanumeric runs → `-`. */
export function nameSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The identity unique among non-dead agents: `<slug>-<role>-<rig8>@<town8>`, mayor `mayor@<town8>`. */
export function agentIdentity(role: AgentRole, name: string, rigId: string | null, townId: string): string {
  if (role === 'mayor') return `mayor@${id8(townId)}`;
  return `${nameSlug(name)}-${role}-${id8(rigId ?? '')}@${id8(townId)}`;
}

/** The first free polecat name of a rig. */
export function nextPolecatName(sql: SqlHandle, rigId: string): string {
  const used = new Set(
    sql
      .all(`SELECT a.name FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id WHERE a.role = 'polecat' AND a.status <> 'dead' AND b.rig_id = ?`, rigId)
      .map((r) => str(r, 'name')),
  );
  const named = POLECAT_NAMES.find((n) => !used.has(n));
  if (named !== undefined) return named;
  for (let n = 1; ; n += 1) if (!used.has(`Polecat-${n}`)) return `Polecat-${n}`;
}

function insertAgent(ctx: TownCtx, role: AgentRole, rigId: string | null, name: string): string {
  const id = newId();
  const now = iso(ctx.now);
  ctx.sql.run(
    `INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at)
     VALUES (?, 'agent', 'open', ?, ?, 'system', ?, ?, ?)`,
    id,
    name,
    rigId,
    now,
    now,
    now,
  );
  ctx.sql.run(
    `INSERT INTO agent_metadata (bead_id, role, name, identity, status) VALUES (?, ?, ?, ?, 'idle')`,
    id,
    role,
    name,
    agentIdentity(role, name, rigId, ctx.townId),
  );
  return id;
}

/** How many of a rig's polecats are busy: non-dead and hooked, working or stalled. */
export function busyPolecats(sql: SqlHandle, rigId: string): number {
  const row = first(
    sql,
    `SELECT COUNT(*) AS n FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id
     WHERE a.role = 'polecat' AND a.status <> 'dead' AND b.rig_id = ?
       AND (a.current_hook_bead_id IS NOT NULL OR a.status IN ('working', 'stalled'))`,
    rigId,
  );
  return row === null ? 0 : num(row, 'n');
}

/** Returns the agent to use, creating rows if needed; null when a rig has no polecat capacity. */
export function getOrCreateAgent(ctx: TownCtx, role: AgentRole, rigId: string | null, maxPolecats: number): string | null {
  if (role === 'mayor') {
    const mayor = first(ctx.sql, `SELECT bead_id FROM agent_metadata WHERE role = 'mayor' AND status <> 'dead' LIMIT 1`);
    return mayor === null ? insertAgent(ctx, 'mayor', null, 'mayor') : str(mayor, 'bead_id');
  }
  if (rigId === null) throw new Error(`a ${role} needs a rig`);
  if (role === 'refinery') {
    const refinery = first(
      ctx.sql,
      `SELECT a.bead_id FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id WHERE a.role = 'refinery' AND a.status <> 'dead' AND b.rig_id = ? LIMIT 1`,
      rigId,
    );
    return refinery === null ? insertAgent(ctx, 'refinery', rigId, 'refinery') : str(refinery, 'bead_id');
  }
  const idle = first(
    ctx.sql,
    `SELECT a.bead_id FROM agent_metadata a JOIN beads b ON b.bead_id = a.bead_id
     WHERE a.role = 'polecat' AND a.status = 'idle' AND a.current_hook_bead_id IS NULL AND b.rig_id = ?
     ORDER BY a.last_heartbeat_at IS NOT NULL, a.last_heartbeat_at, b.created_at LIMIT 1`,
    rigId,
  );
  if (idle !== null) return str(idle, 'bead_id');
  if (busyPolecats(ctx.sql, rigId) >= maxPolecats) return null;
  return insertAgent(ctx, 'polecat', rigId, nextPolecatName(ctx.sql, rigId));
}
