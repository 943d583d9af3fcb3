/**
 * One end-to-end suite per test file: the local stack (worker in local mode + the launcher, with
 * `GASTOWN_TIMING=test`), a user client and a factory of bare repositories; `townWithRig()` gives
 * each scenario its own town and rig; `ControlAccess` talks to a town's control server through the
 * launcher (the control secret is derived from the development signing secret, as the worker does)
 * and reads the container registry the way the control server does (a container token).
 */
import { z } from 'zod';
import { controlSecretFor } from '../../../src/auth/control-secret.ts';
import { mintContainerToken } from '../../../src/auth/mint.ts';
import { CONTROL_SECRET_HEADER, Registry } from '../../../src/protocol/control.ts';
import { RegistryGetResult } from '../../../src/protocol/container.ts';
import type { Bead, Rig } from '../../../src/protocol/api.ts';
import type { RigConfig, TownConfigPatch } from '../../../src/protocol/config.ts';
import { startLocalStack, type LocalStack } from '../../support/local-stack.ts';
import { E2eClient, type TownClient } from './e2e-client.ts';
import { RepoFactory, type BareRepo } from './git-repo.ts';

/** `wrangler.jsonc` → `env.local.vars.GASTOWN_JWT_SECRET`: the signing secret of development. */
export const DEV_JWT_SECRET = 'gastown-development-secret-not-for-production-use';

/** A running stack with its client and repositories. */
export interface E2eSuite {
  stack: LocalStack;
  client: E2eClient;
  repos: RepoFactory;
  /** Every town made through `townWithRig` or `newTown`, oldest first (for failure reports). */
  towns: TownClient[];
  stop(): Promise<void>;
}

/** Starts the stack (worker + launcher) for one test file. */
export async function startSuite(): Promise<E2eSuite> {
  const stack = await startLocalStack({ launcher: true });
  try {
    const client = await E2eClient.connect(stack);
    const repos = await RepoFactory.create();
    return {
      stack,
      client,
      repos,
      towns: [],
      stop: async () => {
        client.log.unsubscribe();
        await stack.stop();
        await repos.dispose();
      },
    };
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/** A scenario's town with one rig on a fresh bare repository. */
export interface TownFixture {
  town: TownClient;
  rig: z.output<typeof Rig>;
  repo: BareRepo;
}

let serial = 0;

/** A new town, remembered by the suite. */
export async function newTown(suite: E2eSuite, name: string): Promise<TownClient> {
  const town = await suite.client.createTown(name);
  suite.towns.push(town);
  return town;
}

/** A new town named after the scenario, with one rig `app` on a new bare repository (`main`). */
export async function townWithRig(suite: E2eSuite, scenario: string, opts: { rigConfig?: RigConfig; townConfig?: TownConfigPatch } = {}): Promise<TownFixture> {
  serial += 1;
  const repo = await suite.repos.bare(`${scenario}-${serial}`);
  const town = await newTown(suite, `e2e ${scenario} ${serial}`);
  if (opts.townConfig !== undefined) await town.patchConfig(opts.townConfig);
  const rig = await town.createRig({ name: 'app', git_url: repo.url, default_branch: repo.defaultBranch, ...(opts.rigConfig === undefined ? {} : { config: opts.rigConfig }) });
  return { town, rig, repo };
}

/** Waits until the bead is `closed` (a `failed` bead fails the wait at once, with diagnostics). */
export async function waitClosed(town: TownClient, beadId: string, timeoutMs: number): Promise<z.output<typeof Bead>> {
  let failed: z.output<typeof Bead> | null = null;
  const bead = await town.waitFor(
    `bead ${beadId} to be closed`,
    async () => {
      const b = await town.bead(beadId);
      if (b.status === 'failed') failed = b;
      return b.status === 'closed' || b.status === 'failed' ? b : undefined;
    },
    { timeoutMs },
  );
  if (failed !== null) throw new Error(`bead ${beadId} failed instead of closing\n${await town.diagnostics()}`);
  return bead;
}

/** The reply of a control-server call. */
export interface ControlReply {
  status: number;
  body: unknown;
}

/** A town's control server through the launcher (`/towns/:townId/c/*`), with its control secret. */
export class ControlAccess {
  private constructor(
    private readonly suite: E2eSuite,
    readonly townId: string,
    private readonly secret: string,
  ) {}

  static async of(suite: E2eSuite, townId: string): Promise<ControlAccess> {
    return new ControlAccess(suite, townId, await controlSecretFor(DEV_JWT_SECRET, townId));
  }

  private get launcher(): string {
    const url = this.suite.stack.launcherUrl;
    if (url === null) throw new Error('the suite runs without a launcher');
    return url;
  }

  /** A call to the control server (`path` like `/agents/start`). */
  async call(method: string, path: string, body?: unknown): Promise<ControlReply> {
    const res = await fetch(`${this.launcher}/towns/${this.townId}/c${path}`, {
      method,
      headers: { [CONTROL_SECRET_HEADER]: this.secret, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  /** The launcher's view of the town's control server: its pid, or null when none runs. */
  async controlPid(): Promise<number | null> {
    const res = await fetch(`${this.launcher}/towns/${this.townId}`);
    if (res.status === 404) return null;
    const body = z.object({ data: z.object({ pid: z.number() }) }).parse(await res.json());
    return body.data.pid;
  }

  /** SIGKILLs the control server and every process group below it (its kilo servers), like a crash. */
  async kill(): Promise<void> {
    const res = await fetch(`${this.launcher}/towns/${this.townId}/stop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ signal: 'SIGKILL' }) });
    if (res.status !== 202) throw new Error(`launcher stop answered ${res.status}: ${await res.text()}`);
  }

  /** The registry the control server keeps in the worker (C`/registry`, read with a container token). */
  async registry(): Promise<z.output<typeof Registry>> {
    const token = await mintContainerToken(DEV_JWT_SECRET, this.townId, Date.now());
    const res = await fetch(`${this.suite.stack.baseUrl}/api/towns/${this.townId}/container/registry`, { headers: { Authorization: `Bearer ${token.token}` } });
    const body = z.object({ data: RegistryGetResult }).parse(await res.json());
    return Registry.parse(body.data.registry);
  }
}
