/**
 * UserDO (one per user id): the index of the user's towns, written in the same request that
 * creates or deletes a town, so `GET /api/towns` is one call. Its alarm is the watchdog: every
 * 5 min it calls `TownDO.healthCheck()` for each indexed town (`reconciler.md` §2).
 */
import { DurableObject } from 'cloudflare:workers';
import type { Town } from '../protocol/api.ts';
import type { Env } from '../env.ts';
import { durableObjectSql, type SqlHandle } from '../town/db/sql.ts';
import { logLine } from '../observability/log.ts';
import { capture } from '../town/rpc-result.ts';
import { addTownEntry, listTownEntries, listTownIds, removeTownEntry, USER_SCHEMA } from './town-index.ts';

/** The watchdog period. */
export const WATCHDOG_INTERVAL_MS = 5 * 60 * 1000;

export class UserDO extends DurableObject<Env> {
  private readonly sql: SqlHandle;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = durableObjectSql(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      for (const statement of USER_SCHEMA) this.sql.run(statement);
    });
  }

  async addTown(town: Town): Promise<void> {
    addTownEntry(this.sql, town);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_INTERVAL_MS);
  }

  async removeTown(townId: string): Promise<void> {
    removeTownEntry(this.sql, townId);
  }

  async listTowns(ownerId: string, page: { limit: number; cursor?: string | undefined }) {
    return capture(() => listTownEntries(this.sql, ownerId, page));
  }

  override async alarm(): Promise<void> {
    const ids = listTownIds(this.sql);
    const results = await Promise.allSettled(ids.map((id) => this.env.TOWN.get(this.env.TOWN.idFromName(id)).healthCheck()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') logLine('warn', 'watchdog.health_check_failed', { town_id: ids[i], error: r.reason instanceof Error ? r.reason.message : 'unknown' });
    });
    if (ids.length > 0) await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_INTERVAL_MS);
  }
}
