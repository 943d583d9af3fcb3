/**
 * The end-to-end suites' view of a running local stack (`test/support/local-stack.ts`): a user
 * client (dev token) that creates towns and rigs, messages the mayor and slings; `/debug` reads
 * (development localhost, no token); `waitFor`, which polls a probe and, on timeout, fails with
 * the town's `/debug` status and the launcher's log tail; and `TownLog`, the control servers'
 * structured log lines kept per town (agent starts, kills, exits) for the invariant checks.
 * Replies are parsed with the schemas of `src/protocol/`.
 */
import { z } from 'zod';
import { ActivityEvent, Agent, Bead, BeadWithRelations, ConvoyDetail, InboxEvent, MayorMessageResult, Rig, Town, type SlingBatch } from '../../../src/protocol/api.ts';
import { TownConfig, type RigConfig, type TownConfigPatch } from '../../../src/protocol/config.ts';
import { DebugStatus } from '../../../src/protocol/debug.ts';
import type { LocalStack } from '../../support/local-stack.ts';

/**
 * D`/beads/:id` (`src/town/debug/debug-views.ts`; no protocol schema of its own): read with the
 * protocol's pieces.
 */
const DebugBeadReply = z.object({
  bead: Bead,
  dependencies: z.array(z.object({ bead_id: z.string(), depends_on_bead_id: z.string(), kind: z.string() })),
  activity: z.array(ActivityEvent),
  inbox_events: z.array(InboxEvent),
});
export type DebugBead = z.output<typeof DebugBeadReply>;

/** How often `waitFor` probes. */
const POLL_MS = 500;
/** Log lines kept for failure messages (the control servers' memory lines are left out). */
const LOG_TAIL = 4_000;

/** A parsed control-server log line (`{town_id, level, msg, at, …}`). */
export interface ControlLogLine {
  town_id: string;
  msg: string;
  at: string;
  fields: Record<string, unknown>;
}

/** Every launcher line as it arrives: a bounded tail for failures, the JSON lines by town. */
export class TownLog {
  private readonly tail: string[] = [];
  private readonly byTown = new Map<string, ControlLogLine[]>();
  readonly unsubscribe: () => void;

  constructor(stack: LocalStack) {
    this.unsubscribe = stack.onLine((line) => this.push(line));
  }

  private push(line: string): void {
    const json = line.indexOf('{');
    let parsed: unknown = null;
    if (json >= 0) {
      try {
        parsed = JSON.parse(line.slice(json));
      } catch {
        parsed = null;
      }
    }
    const record: Record<string, unknown> | null = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed)) : null;
    if (record?.msg === 'container.memory') return;
    this.tail.push(line);
    if (this.tail.length > LOG_TAIL) this.tail.shift();
    if (record !== null && typeof record.town_id === 'string' && typeof record.msg === 'string') {
      const list = this.byTown.get(record.town_id) ?? [];
      list.push({ town_id: record.town_id, msg: record.msg, at: typeof record.at === 'string' ? record.at : '', fields: record });
      this.byTown.set(record.town_id, list);
    }
  }

  /** The town's lines with `msg`, oldest first. */
  lines(townId: string, msg?: string): ControlLogLine[] {
    const all = this.byTown.get(townId) ?? [];
    return msg === undefined ? [...all] : all.filter((l) => l.msg === msg);
  }

  /** The last `n` lines (all towns). */
  recent(n = 120): string {
    return this.tail.slice(-n).join('\n');
  }
}

/** A failure of a call: status and body in the message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → ${status} ${JSON.stringify(body).slice(0, 2_000)}`);
    this.name = 'ApiError';
  }
}

/** `{data}` of an envelope, else undefined. */
function dataOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
}

/** Options of `waitFor`. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/** The user (dev token) and `/debug` sides of one stack. */
export class E2eClient {
  private constructor(
    readonly stack: LocalStack,
    readonly token: string,
    readonly log: TownLog,
  ) {}

  static async connect(stack: LocalStack): Promise<E2eClient> {
    return new E2eClient(stack, await stack.devToken(), new TownLog(stack));
  }

  /** A raw call; `auth: 'none'` is the development localhost form of `/debug`. */
  async call(method: string, path: string, body?: unknown, auth: 'user' | 'none' = 'user'): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (auth === 'user') headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.stack.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: kept as text for the error message
    }
    return { status: res.status, body: parsed };
  }

  /** `data` of a 2xx reply parsed with `schema` (throws `ApiError` otherwise). */
  async data<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, auth: 'user' | 'none' = 'user'): Promise<z.output<S>> {
    const res = await this.call(method, path, body, auth);
    if (res.status < 200 || res.status >= 300) throw new ApiError(res.status, res.body, `${method} ${path}`);
    return schema.parse(dataOf(res.body));
  }

  /** A new town with a name unique to this run. */
  async createTown(name: string): Promise<TownClient> {
    const town = await this.data(Town, 'POST', '/api/towns', { name });
    return new TownClient(this, town.id);
  }

  /**
   * Polls `probe` until it returns a value other than `undefined`/`null`/`false`; on timeout
   * throws with `what`, the last probe error and `diagnostics()` (the town's state and logs).
   */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, opts: WaitOptions, diagnostics: () => Promise<string>): Promise<T> {
    const started = Date.now();
    let lastError = '';
    while (Date.now() - started < opts.timeoutMs) {
      try {
        const value = await probe();
        if (value !== undefined && value !== null && value !== false) return value;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? POLL_MS));
    }
    const report = await diagnostics().catch((e: unknown) => `(diagnostics failed: ${e instanceof Error ? e.message : String(e)})`);
    throw new Error(`timed out after ${Math.round((Date.now() - started) / 1000)} s waiting for ${what}${lastError === '' ? '' : `\nlast probe error: ${lastError}`}\n${report}`);
  }
}

/** One town of the stack. */
export class TownClient {
  constructor(
    readonly client: E2eClient,
    readonly id: string,
  ) {}

  get api(): string {
    return `/api/towns/${this.id}`;
  }
  get debugPath(): string {
    return `/debug/towns/${this.id}`;
  }

  patchConfig(patch: TownConfigPatch): Promise<z.output<typeof TownConfig>> {
    return this.client.data(TownConfig, 'PATCH', `${this.api}/config`, patch);
  }

  createRig(input: { name: string; git_url: string; default_branch?: string; config?: RigConfig }): Promise<z.output<typeof Rig>> {
    return this.client.data(Rig, 'POST', `${this.api}/rigs`, input);
  }

  messageMayor(message: string): Promise<z.output<typeof MayorMessageResult>> {
    return this.client.data(MayorMessageResult, 'POST', `${this.api}/mayor/message`, { message });
  }

  async sling(input: { rig_id: string; title: string; body?: string }): Promise<z.output<typeof Bead>> {
    const res = await this.client.call('POST', `${this.api}/sling`, input);
    if (res.status !== 201) throw new ApiError(res.status, res.body, 'POST sling');
    const data = dataOf(res.body);
    return Bead.parse(typeof data === 'object' && data !== null && 'bead' in data ? data.bead : data);
  }

  async slingBatch(input: SlingBatch): Promise<{ convoyId: string; beadIds: string[] }> {
    const res = await this.client.call('POST', `${this.api}/sling-batch`, input);
    if (res.status !== 201) throw new ApiError(res.status, res.body, 'POST sling-batch');
    const data = dataOf(res.body);
    const convoy = typeof data === 'object' && data !== null && 'convoy' in data ? ConvoyDetail.pick({ id: true }).parse(data.convoy) : null;
    const beads = typeof data === 'object' && data !== null && 'beads' in data && Array.isArray(data.beads) ? data.beads.map((b: unknown) => Bead.pick({ id: true }).parse(b).id) : [];
    if (convoy === null) throw new Error(`sling-batch answered without a convoy: ${JSON.stringify(data)}`);
    return { convoyId: convoy.id, beadIds: beads };
  }

  async bead(beadId: string): Promise<z.output<typeof Bead>> {
    return (await this.client.data(BeadWithRelations, 'GET', `${this.api}/beads/${beadId}`)).bead;
  }

  async beads(query = ''): Promise<z.output<typeof Bead>[]> {
    const res = await this.client.call('GET', `${this.api}/beads?limit=500${query}`);
    const data = dataOf(res.body);
    if (res.status !== 200 || !Array.isArray(data)) throw new ApiError(res.status, res.body, 'GET beads');
    return data.map((b: unknown) => Bead.parse(b));
  }

  convoy(convoyId: string): Promise<z.output<typeof ConvoyDetail>> {
    return this.client.data(ConvoyDetail, 'GET', `${this.api}/convoys/${convoyId}`);
  }

  async agents(): Promise<z.output<typeof Agent>[]> {
    const res = await this.client.call('GET', `${this.api}/agents?limit=500`);
    const data = dataOf(res.body);
    if (res.status !== 200 || !Array.isArray(data)) throw new ApiError(res.status, res.body, 'GET agents');
    return data.map((a: unknown) => Agent.parse(a));
  }

  status(): Promise<z.output<typeof DebugStatus>> {
    return this.client.data(DebugStatus, 'GET', `${this.debugPath}/status`, undefined, 'none');
  }

  /** D`/beads/:id`: the bead, its dependencies, its whole activity and its town events. */
  debugBead(beadId: string): Promise<DebugBead> {
    return this.client.data(DebugBeadReply, 'GET', `${this.debugPath}/beads/${beadId}`, undefined, 'none');
  }

  async inbox(state?: 'pending' | 'dead_lettered'): Promise<z.output<typeof InboxEvent>[]> {
    const res = await this.client.call('GET', `${this.debugPath}/events?limit=500${state === undefined ? '' : `&state=${state}`}`, undefined, 'none');
    const data = dataOf(res.body);
    if (res.status !== 200 || !Array.isArray(data)) throw new ApiError(res.status, res.body, 'GET D/events');
    return data.map((e: unknown) => InboxEvent.parse(e));
  }

  injectEvent(event: { event_type: string; agent_id?: string; bead_id?: string; payload: Record<string, unknown> }): Promise<z.output<typeof InboxEvent>> {
    return this.client.data(InboxEvent, 'POST', `${this.debugPath}/events`, event, 'none');
  }

  /** `waitFor` with this town's diagnostics. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, opts: WaitOptions): Promise<T> {
    return this.client.waitFor(what, probe, opts, () => this.diagnostics());
  }

  /** The town's `/debug` status (agents, unfinished beads, last tick) and the launcher's log tail. */
  async diagnostics(): Promise<string> {
    const status = await this.client.call('GET', `${this.debugPath}/status`, undefined, 'none');
    const beads = await this.beads().catch(() => []);
    const summary = beads.map((b) => `${b.type} ${b.status} ${b.id.slice(0, 8)} attempts=${b.dispatch_attempts} ${b.title.slice(0, 60)}`).join('\n');
    const problems = this.client.log
      .lines(this.id)
      .filter((l) => l.fields.level === 'warn' || l.fields.level === 'error')
      .slice(-40)
      .map((l) => JSON.stringify(l.fields).slice(0, 1_000))
      .join('\n');
    return `--- /debug status of town ${this.id} ---\n${JSON.stringify(status.body, null, 1).slice(0, 12_000)}\n--- beads ---\n${summary}\n--- the town's warnings and errors ---\n${problems}\n--- launcher log (tail) ---\n${this.client.log.recent()}`;
  }
}
