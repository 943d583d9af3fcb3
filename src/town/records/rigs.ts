/**
 * Rigs (`domain.md` §2, `http-api.md` §4.2): a town's repositories. Name unique
 * case-insensitively; `git_url` fixed at creation; deleting a rig fails its open beads,
 * kills its agents and removes it from its convoys, and is refused while work is live.
 */
import type { Rig, RigCreate, RigDetail, RigPatch } from '../../protocol/api.ts';
import { BeadStatus } from '../../protocol/common.ts';
import { RigConfig } from '../../protocol/config.ts';
import { Conflict, NotFound, ValidationFailed } from '../../errors.ts';
import { iso } from '../db/clock.ts';
import { first, num, str, type SqlHandle, type SqlRow } from '../db/sql.ts';
import { newId, type TownCtx } from '../context.ts';
import { applyRigConfigPatch, validateRigConfig, type ConfigIssue } from '../config/index.ts';
import { validateRigGitUrl } from '../scm/validate-git-url.ts';
import { AGENT_SELECT, rowToAgent } from '../agents/agent-rows.ts';
import { transitionAgent } from '../agents/transition.ts';
import { transitionBead } from '../beads/transition.ts';
import { recountConvoy } from '../convoys/recount.ts';
import { requireTown } from './town-record.ts';
import { pageByCreated, type Page } from './pagination.ts';

function rowToRig(row: SqlRow, townId: string): Rig {
  const config = RigConfig.safeParse(JSON.parse(str(row, 'config')));
  return {
    id: str(row, 'rig_id'),
    town_id: townId,
    name: str(row, 'name'),
    git_url: str(row, 'git_url'),
    default_branch: str(row, 'default_branch'),
    config: config.success ? config.data : {},
    created_at: str(row, 'created_at'),
    updated_at: str(row, 'updated_at'),
  };
}

export function findRig(sql: SqlHandle, townId: string, rigId: string): Rig | null {
  const row = first(sql, `SELECT * FROM rigs WHERE rig_id = ?`, rigId);
  return row === null ? null : rowToRig(row, townId);
}

export function requireRig(sql: SqlHandle, townId: string, rigId: string): Rig {
  const rig = findRig(sql, townId, rigId);
  if (rig === null) throw new NotFound('rig', rigId);
  return rig;
}

function assertNameFree(sql: SqlHandle, name: string, exceptRigId: string | null): void {
  const clash = first(sql, `SELECT rig_id FROM rigs WHERE name = ? COLLATE NOCASE`, name);
  if (clash !== null && str(clash, 'rig_id') !== exceptRigId) {
    throw new Conflict('name_taken', `A rig named "${name}" already exists in this town.`, { field: 'name' });
  }
}

function failOnIssues(issues: ConfigIssue[]): void {
  if (issues.length > 0) throw new ValidationFailed('The rig is invalid.', issues);
}

export function createRig(ctx: TownCtx, input: RigCreate): Rig {
  const url = validateRigGitUrl(input.git_url, ctx.development);
  if (!url.ok) failOnIssues([{ path: ['git_url'], code: 'invalid_git_url', message: url.message }]);
  const town = requireTown(ctx.sql);
  const config = input.config ?? {};
  failOnIssues(validateRigConfig(config, input.git_url, town.config, ctx.development));
  assertNameFree(ctx.sql, input.name, null);
  const id = newId();
  const now = iso(ctx.now);
  ctx.sql.run(
    `INSERT INTO rigs (rig_id, name, git_url, default_branch, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.name,
    input.git_url,
    input.default_branch ?? 'main',
    JSON.stringify(config),
    now,
    now,
  );
  return requireRig(ctx.sql, ctx.townId, id);
}

export function listRigs(sql: SqlHandle, townId: string, page: { limit: number; cursor?: string | undefined }): Page<Rig> {
  return pageByCreated(sql, { table: 'rigs', idColumn: 'rig_id', where: [], params: [] }, page, (row) => rowToRig(row, townId));
}

export function rigDetail(sql: SqlHandle, townId: string, rigId: string): RigDetail {
  const rig = requireRig(sql, townId, rigId);
  const agents = sql.all(`${AGENT_SELECT} WHERE b.rig_id = ? AND a.status <> 'dead' ORDER BY b.created_at`, rigId).map(rowToAgent);
  const beads = Object.fromEntries(BeadStatus.options.map((s) => [s, 0])) as Record<BeadStatus, number>;
  for (const row of sql.all(`SELECT status, COUNT(*) AS n FROM beads WHERE rig_id = ? AND type NOT IN ('agent', 'message') GROUP BY status`, rigId)) {
    const status = BeadStatus.safeParse(row.status);
    if (status.success) beads[status.data] = num(row, 'n');
  }
  return { ...rig, agents, beads };
}

export function patchRig(ctx: TownCtx, rigId: string, patch: RigPatch): Rig {
  const rig = requireRig(ctx.sql, ctx.townId, rigId);
  const town = requireTown(ctx.sql);
  const config = patch.config === undefined ? rig.config : applyRigConfigPatch(rig.config, patch.config);
  failOnIssues(validateRigConfig(config, rig.git_url, town.config, ctx.development));
  if (patch.name !== undefined) assertNameFree(ctx.sql, patch.name, rigId);
  ctx.sql.run(
    `UPDATE rigs SET name = ?, default_branch = ?, config = ?, updated_at = ? WHERE rig_id = ?`,
    patch.name ?? rig.name,
    patch.default_branch ?? rig.default_branch,
    JSON.stringify(config),
    iso(ctx.now),
    rigId,
  );
  return requireRig(ctx.sql, ctx.townId, rigId);
}

/** Deletes a rig; refused (409 `conflict`) while a bead is in progress/in review or an agent works. */
export function deleteRig(ctx: TownCtx, rigId: string): void {
  requireRig(ctx.sql, ctx.townId, rigId);
  const busyBead = first(ctx.sql, `SELECT bead_id FROM beads WHERE rig_id = ? AND type IN ('issue', 'merge_request') AND status IN ('in_progress', 'in_review') LIMIT 1`, rigId);
  if (busyBead !== null) throw new Conflict('conflict', `Rig ${rigId} has work in progress (bead ${str(busyBead, 'bead_id')}); wait for it or cancel it first.`);
  const busyAgent = first(ctx.sql, `${AGENT_SELECT} WHERE b.rig_id = ? AND a.status = 'working' LIMIT 1`, rigId);
  if (busyAgent !== null) throw new Conflict('conflict', `Rig ${rigId} has a working agent (${str(busyAgent, 'bead_id')}); stop it first.`);
  const reason = { code: 'rig_deleted', message: 'The rig was deleted.' };
  const openBeads = ctx.sql.all(`SELECT bead_id FROM beads WHERE rig_id = ? AND type IN ('issue', 'merge_request', 'message', 'escalation') AND status = 'open'`, rigId);
  for (const row of openBeads) transitionBead(ctx, str(row, 'bead_id'), 'failed', { reason });
  for (const row of ctx.sql.all(`${AGENT_SELECT} WHERE b.rig_id = ? AND a.status <> 'dead'`, rigId)) {
    transitionAgent(ctx, str(row, 'bead_id'), 'dead', { reason });
  }
  const convoys = ctx.sql.all(
    `SELECT DISTINCT d.depends_on_bead_id AS convoy_id FROM bead_dependencies d JOIN beads m ON m.bead_id = d.bead_id
     JOIN convoy_metadata c ON c.bead_id = d.depends_on_bead_id WHERE m.rig_id = ? AND d.dependency_type = 'tracks'`,
    rigId,
  );
  ctx.sql.run(
    `DELETE FROM bead_dependencies WHERE dependency_type = 'tracks' AND bead_id IN (SELECT bead_id FROM beads WHERE rig_id = ?)
       AND depends_on_bead_id IN (SELECT bead_id FROM convoy_metadata)`,
    rigId,
  );
  for (const row of convoys) recountConvoy(ctx.sql, str(row, 'convoy_id'));
  ctx.sql.run(`DELETE FROM rigs WHERE rig_id = ?`, rigId);
}
