/**
 * How the TownDO runs a command (style §4: validate → write → publish → notify): the write in
 * one synchronous transaction, named errors returned as `RpcResult`, then live broadcasts, the
 * command's effects (outcomes written back as town events) and an optional kick.
 */
import type { EffectIntent, TownCtx } from './context.ts';
import type { SqlHandle } from './db/sql.ts';
import { insertTownEvent, type NewTownEvent } from './events/town-events.ts';
import { runEffects, type EffectExecutor } from './reconciler/effects.ts';
import { findTown, requireTown } from './records/town-record.ts';
import { capture, type RpcResult } from './rpc-result.ts';

/** What the runner needs from its Durable Object (read on every call: tests swap parts). */
export interface CommandHost {
  readonly sql: SqlHandle;
  now(): number;
  development(): boolean;
  executor(): EffectExecutor;
  broadcast(): void;
  kick(): Promise<void>;
}

export class CommandRunner {
  constructor(private readonly host: CommandHost) {}

  /** A command context for `actor` (`TownCtx`); `NotFound` when the town is gone. */
  townCtx(actor: string): TownCtx {
    const { sql } = this.host;
    return { sql, now: this.host.now(), townId: requireTown(sql).id, actor, development: this.host.development(), effects: [] };
  }

  /** A write: one synchronous transaction, then broadcasts, effects and an optional kick. */
  async write<T>(actor: string, fn: (ctx: TownCtx) => T, opts: { kick?: boolean | ((value: T) => boolean) } = {}): Promise<RpcResult<T>> {
    let effects: EffectIntent[] = [];
    const result = capture(() =>
      this.host.sql.transaction(() => {
        const ctx = this.townCtx(actor);
        const value = fn(ctx);
        effects = ctx.effects;
        return value;
      }),
    );
    if (result.ok) {
      this.host.broadcast();
      const shouldKick = typeof opts.kick === 'function' ? opts.kick(result.value) : opts.kick === true;
      await this.runEffects(effects);
      if (shouldKick) await this.host.kick();
    }
    return result;
  }

  /** A read of an existing town. */
  read<T>(fn: (sql: SqlHandle) => T): RpcResult<T> {
    return capture(() => {
      requireTown(this.host.sql);
      return fn(this.host.sql);
    });
  }

  /** A command's effects run after its commit, like a tick's; their outcomes become events. */
  private async runEffects(effects: EffectIntent[]): Promise<void> {
    if (effects.length === 0) return;
    const town = findTown(this.host.sql);
    if (town === null) return;
    const result = await runEffects(this.host.executor(), effects, { townId: town.id, now: this.host.now() });
    if (result.events.length > 0) await this.insertEvents(result.events);
  }

  /** Inserts town events (the only inbox) and kicks the alarm. */
  async insertEvents(events: NewTownEvent[]): Promise<void> {
    this.host.sql.transaction(() => {
      for (const e of events) insertTownEvent(this.host.sql, e, this.host.now());
    });
    await this.host.kick();
  }
}
