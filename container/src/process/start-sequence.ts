/**
 * The start sequence of one agent (`container.md` §5.2): workspace/git, db_hydrated, sdk_ready,
 * tools_check, session_created (stale-db retry once), prompt_sent. Each phase checks the start's
 * abort signal and posts `agent.startup_phase`; everything it acquires is noted in
 * `StartResources` so the caller can release it after an abort or a failure.
 */
import { join } from 'node:path';
import type { StartPhase } from '../../../src/protocol/control.ts';
import { CRED_DIR_ENV, writeAgentTokenFiles } from '../env/cli-wrappers.ts';
import { provisionAgentDirs } from '../env/build-agent-env.ts';
import type { BuiltAgentEnv } from '../env/build-agent-env.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { KiloCallError } from '../kilo/backend.ts';
import { agentCredDir } from '../layout.ts';
import type { AgentRecord } from './agent-record.ts';
import { StartFailed } from './errors.ts';
import { isBuildError, modelRefOf } from './env-builder.ts';
import { learnConfigSecrets } from './live-config.ts';
import { bindSession } from './manager-context.ts';
import type { ManagerState } from './manager-context.ts';
import { ServerInUseError } from './server-pool.ts';
import type { PooledServer } from './server-pool.ts';
import { errorText } from './worker-reports.ts';

/** The marker tool each role's plugin registers (§5.2 step 4). */
export function markerTool(role: AgentRecord['role']): string {
  return role === 'mayor' ? 'gt_sling' : 'gt_prime';
}

/** What a start acquired, for cleanup. */
export interface StartResources {
  server: PooledServer | null;
  /** This start spawned `server` (so an abort closes it). */
  created: boolean;
  /** `server` failed the tools check: never leave it in the pool. */
  defective: boolean;
  sessionId: string | null;
}

/** Empty resources. */
export function noResources(): StartResources {
  return { server: null, created: false, defective: false, sessionId: null };
}

/** Runs the phases for `record`; throws `StartFailed`, or the signal's reason once aborted. */
export async function runStartSequence(state: ManagerState, record: AgentRecord, signal: AbortSignal, res: StartResources): Promise<void> {
  const { deps } = state;
  const req = record.request;
  const phase = async <T>(label: StartPhase, fn: () => Promise<T>): Promise<T> => {
    signal.throwIfAborted();
    const started = performance.now();
    let out: T;
    try {
      out = await fn();
    } catch (err) {
      signal.throwIfAborted();
      throw err instanceof StartFailed ? err : StartFailed.at(label, errorText(err), statusOf(err));
    }
    signal.throwIfAborted();
    deps.reports.startupPhase(record.agentId, record.role, label, performance.now() - started);
    return out;
  };

  const live = deps.liveConfig.resolve(req.config);
  learnConfigSecrets(deps.redactor, req.config);
  const workdir = await phase(req.role === 'mayor' ? 'workspace' : 'git', async () => {
    const { workdir: dir } = await deps.workspaces.prepare(req, signal);
    if (req.role === 'mayor') {
      if (req.system_prompt !== undefined) await writeFileAtomic(join(dir, 'AGENTS.md'), req.system_prompt);
      if (req.dashboard_context !== undefined) await deps.dashboard.store(req.dashboard_context);
    }
    return dir;
  });
  record.workdir = workdir;
  state.registryChanged();

  const built = await buildEnv(state, record, live);
  await phase('db_hydrated', async () => {
    // A server already running on this workdir has the local kilo.db open and at least as new.
    if (deps.pool.get(workdir) === undefined) await deps.dbSnapshots.hydrate({ creds: record.creds, home: built.home }, signal);
  });

  const ensure = async (): Promise<void> => {
    try {
      const ensured = await deps.pool.ensureServer(workdir, built, signal);
      res.server = ensured.server;
      res.created = ensured.created;
      record.server = ensured.server;
    } catch (err) {
      if (err instanceof ServerInUseError) throw StartFailed.at('sdk_ready', err.message);
      throw err;
    }
  };
  const checkTools = async (): Promise<void> => {
    const server = mustHave(res.server);
    const ids = await server.handle.client.toolIds();
    const marker = markerTool(record.role);
    if (!ids.includes(marker)) {
      res.defective = true;
      throw StartFailed.at('tools_check', `the ${record.role} server lists no ${marker} tool (plugin not loaded)`, { error_type: 'plugin_tools_missing' });
    }
  };
  await phase('sdk_ready', ensure);
  await phase('tools_check', checkTools);

  const sessionId = await phase('session_created', async () => {
    try {
      return await openSession(record, mustHave(res.server));
    } catch (err) {
      signal.throwIfAborted();
      deps.log.warn('agent.session_failed_stale_db', { agent_id: record.agentId, error: errorText(err) });
      // Assume a stale kilo.db: drop it locally and remotely, replace the server, retry once.
      const old = mustHave(res.server);
      await deps.pool.close(old);
      record.server = null;
      res.server = null;
      await deps.dbSnapshots.discard({ creds: record.creds, home: built.home });
      await ensure();
      await checkTools();
      return openSession(record, mustHave(res.server));
    }
  });
  res.sessionId = sessionId;
  mustHave(res.server).liveSessionId = sessionId;
  bindSession(state, record, sessionId);

  await phase('prompt_sent', async () => {
    record.status = 'running';
    state.registryChanged();
    const client = mustHave(res.server).handle.client;
    const model = modelRefOf(built.configContent);
    const text = req.prompt;
    if (text === undefined) {
      // Only the mayor may start without a prompt: it waits for the user at once.
      void deps.reports.waiting(record.creds);
      return;
    }
    record.turnError = null;
    try {
      await client.promptAsync(sessionId, {
        parts: [{ type: 'text', text }],
        ...(model === undefined ? {} : { model }),
        ...(record.role !== 'mayor' && req.system_prompt !== undefined ? { system: req.system_prompt } : {}),
      });
    } catch (err) {
      if (err instanceof KiloCallError && err.status === 429) {
        throw StartFailed.at('prompt_sent', `the provider rate-limited the first prompt: ${err.message}`, { status: 429, error_type: 'rate_limited', action: 'retry_later' });
      }
      throw err;
    }
    record.busy = true;
  });
}

/** Builds the env (live config) and materialises the agent's dirs and token files. */
async function buildEnv(state: ManagerState, record: AgentRecord, live: Parameters<ManagerState['deps']['envBuilder']['build']>[1]): Promise<BuiltAgentEnv> {
  const { deps } = state;
  let built: BuiltAgentEnv;
  try {
    const result = await deps.envBuilder.build(record.request, live);
    if (isBuildError(result)) throw StartFailed.at('sdk_ready', result.error.message, { error_type: result.error.error_type });
    built = result;
    await provisionAgentDirs(built.home, deps.envBuilder.paths);
    await writeAgentTokenFiles(built.env[CRED_DIR_ENV] ?? agentCredDir(deps.envBuilder.paths.root, record.agentId), built.env);
  } catch (err) {
    throw err instanceof StartFailed ? err : StartFailed.at('sdk_ready', errorText(err));
  }
  record.built = built;
  return built;
}

/** The mayor resumes its most recently updated session; everyone else gets a new one. */
async function openSession(record: AgentRecord, server: PooledServer): Promise<string> {
  const client = server.handle.client;
  if (record.role === 'mayor') {
    const sessions = await client.listSessions();
    const newest = sessions.reduce<(typeof sessions)[number] | null>((best, s) => (best === null || s.updatedAt > best.updatedAt ? s : best), null);
    if (newest !== null) return newest.id;
  }
  return (await client.createSession()).id;
}

function statusOf(err: unknown): { status?: number } {
  return err instanceof KiloCallError && err.status > 0 ? { status: err.status } : {};
}

function mustHave(server: PooledServer | null): PooledServer {
  if (server === null) throw new Error('no server (internal)');
  return server;
}
