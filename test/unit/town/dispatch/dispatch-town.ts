/**
 * A town over `node:sqlite` wired like the TownDO: the real tick with a `ContainerExecutor`
 * over a `FakeContainer`, a settable clock, and the town's SQL for assertions. Used by the
 * dispatch unit tests and the dispatch benchmark.
 */
import { ContainerExecutor } from '../../../../src/town/dispatch/container-executor.ts';
import type { DispatchEnv } from '../../../../src/town/dispatch/container-config.ts';
import { thresholdsFor, type Thresholds } from '../../../../src/town/reconciler/constants.ts';
import { runTick, type TickOutcome } from '../../../../src/town/reconciler/tick.ts';
import type { TownCtx } from '../../../../src/town/context.ts';
import { FakeContainer } from '../../../fakes/fake-container.ts';
import { TownBuilder, T0 } from '../reconciler/town-builder.ts';

export const SECRET = 'dispatch-unit-secret';

export class DispatchTown extends TownBuilder {
  now = T0;
  readonly env: DispatchEnv = { GASTOWN_JWT_SECRET: SECRET, GASTOWN_API_URL: 'http://127.0.0.1:8787', ENVIRONMENT: 'development' };
  readonly thresholds: Thresholds = thresholdsFor('production');
  readonly container: FakeContainer;
  readonly executor: ContainerExecutor;

  constructor() {
    super();
    this.container = new FakeContainer({ townId: this.townId, jwtSecret: SECRET, now: () => this.now });
    this.executor = new ContainerExecutor({ env: this.env, sql: () => this.sql, container: () => this.container, thresholds: () => this.thresholds, development: true });
  }

  /** A command context at the town's clock. */
  command(): TownCtx {
    return this.ctx(this.now);
  }

  async tick(): Promise<TickOutcome | null> {
    return runTick({ sql: this.sql, now: () => this.now, executor: this.executor, thresholds: this.thresholds, development: true, alert: () => undefined });
  }

  row(query: string, ...params: (string | number | null)[]): Record<string, unknown> {
    const r = this.sql.all(query, ...params)[0];
    if (r === undefined) throw new Error(`no row for ${query}`);
    return r;
  }
}
