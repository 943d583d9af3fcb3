/**
 * T`/mayor` (`http-api.md` §3 MayorStatus): the town's mayor, its session as the dashboard shows
 * it (`none` while idle or absent; `starting` from a start until its first heartbeat; `running`
 * after) and its models, which are town config (`role_models.mayor ?? default_model`, `small_model`).
 */
import type { MayorStatus } from '../../protocol/api.ts';
import type { TownConfig } from '../../protocol/config.ts';
import { first, type SqlHandle } from '../db/sql.ts';
import { AGENT_SELECT, rowToAgent } from '../agents/agent-rows.ts';
import { requireTown } from '../records/town-record.ts';
import { modelFor } from '../dispatch/start-request.ts';
import type { Agent } from '../../protocol/api.ts';

/** The models a mayor start carries (the same resolution as the start request). */
export function mayorModels(config: TownConfig): { model: string; small_model: string } {
  return modelFor(config, 'mayor', null);
}

/** The town's non-dead mayor, or null. */
export function findMayor(sql: SqlHandle): (Agent & { last_dispatch_at: string | null }) | null {
  const row = first(sql, `${AGENT_SELECT} WHERE a.role = 'mayor' AND a.status <> 'dead' ORDER BY b.created_at LIMIT 1`);
  if (row === null) return null;
  const dispatched = row.last_dispatch_at;
  return { ...rowToAgent(row), last_dispatch_at: typeof dispatched === 'string' ? dispatched : null };
}

function sessionOf(mayor: NonNullable<ReturnType<typeof findMayor>>): MayorStatus['session'] {
  if (mayor.status !== 'working' && mayor.status !== 'waiting') return 'none';
  const beat = mayor.last_heartbeat_at === null ? null : Date.parse(mayor.last_heartbeat_at);
  const dispatched = mayor.last_dispatch_at === null ? null : Date.parse(mayor.last_dispatch_at);
  return beat !== null && (dispatched === null || beat >= dispatched) ? 'running' : 'starting';
}

function latest(...times: (string | null)[]): string | null {
  const present = times.filter((t): t is string => t !== null);
  if (present.length === 0) return null;
  return present.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

/** MayorStatus of the town (every field null / `none` before the mayor exists). */
export function mayorStatus(sql: SqlHandle): MayorStatus {
  const models = mayorModels(requireTown(sql).config);
  const mayor = findMayor(sql);
  if (mayor === null) return { agent_id: null, status: null, session: 'none', ...models, status_message: null, last_activity_at: null };
  return {
    agent_id: mayor.id,
    status: mayor.status,
    session: sessionOf(mayor),
    ...models,
    status_message: mayor.status_message,
    last_activity_at: latest(mayor.last_event_at, mayor.last_dispatch_at),
  };
}
