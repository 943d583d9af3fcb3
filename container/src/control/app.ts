/**
 * The control server's routes (`container.md` §2): the control-secret check runs first on every
 * route; start, stop, message, refresh-token and PATCH model await the hydration gate before
 * touching anything; `GET /agents/:id/status` never waits; `/repos/setup` and `/git/merge`
 * answer 202 and work in the background.
 * Bodies are validated with the shared schemas; replies use the `{data}` / `{error}` envelopes.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import {
  AgentEventsQuery,
  DashboardContext,
  GitMerge,
  MessageRequest,
  ModelPatch,
  RefreshTokenPush,
  ReposSetup,
  StartAgentRequest,
  StopAgentRequest,
  SyncConfig,
  SystemPromptPut,
} from '../../../src/protocol/control.ts';
import type { ControlHealth } from '../../../src/protocol/control.ts';
import type { Logger, Redactor } from '../redact.ts';
import { decodeClaims } from '../hydration/container-token.ts';
import type { HydrationGate } from '../hydration/gate.ts';
import type { ProcessManager } from '../process/process-manager.ts';
import type { FieldRefusal, GitControl } from '../workspaces/git-control.ts';
import { controlSecret, errorReply, fail, ok, parseBody } from './http.ts';

/** What the routes need. */
export interface ControlAppDeps {
  secret: string;
  manager: ProcessManager;
  gate: HydrationGate;
  redactor: Redactor;
  log: Logger;
  /** The boot town id: a pushed token for another town is refused. */
  townId: string | null;
  containerInstanceId: string;
  startedAt: number;
  /** Stores a pushed container token (only after the gate). */
  setContainerToken(token: string): void;
  /** `/repos/setup` and `/git/merge` (not mounted when absent). */
  git?: GitControl;
  now?: () => number;
}

/** Builds the Hono app. */
export function createControlApp(deps: ControlAppDeps): Hono {
  const { manager, gate, redactor, log } = deps;
  const now = deps.now ?? Date.now;
  const app = new Hono();
  const guard = async (c: Context, run: () => Promise<Response>): Promise<Response> => {
    try {
      return await run();
    } catch (err) {
      return errorReply(c, err, redactor, log);
    }
  };
  const agentId = (c: Context): string => c.req.param('id') ?? '';

  app.use('*', controlSecret(deps.secret));

  app.get('/health', (c) => {
    const stats = manager.stats();
    const health: ControlHealth = {
      started_at: new Date(deps.startedAt).toISOString(),
      uptime_ms: Math.max(0, now() - deps.startedAt),
      hydrated: gate.hydrated,
      draining: manager.draining,
      agents: stats.activeAgents,
      servers: stats.servers,
      mayor_ready_at: manager.mayorReadyAt,
      container_instance_id: deps.containerInstanceId,
    };
    return ok(c, health);
  });

  app.post('/agents/start', (c) =>
    guard(c, async () => {
      await gate.wait();
      if (manager.draining) return fail(c, 503, 'container_draining', 'The container is draining; starts are refused.');
      const body = await parseBody(c, StartAgentRequest);
      if (!body.ok) return body.response;
      const { view, duplicate } = await manager.start(body.data);
      return duplicate ? ok(c, { ...view, duplicate: true }, 200) : ok(c, view, 201);
    }),
  );

  app.post('/agents/:id/stop', (c) =>
    guard(c, async () => {
      await gate.wait();
      const body = await parseBody(c, StopAgentRequest);
      if (!body.ok) return body.response;
      return ok(c, await manager.stop(agentId(c), body.data.reason));
    }),
  );

  app.post('/agents/:id/message', (c) =>
    guard(c, async () => {
      await gate.wait();
      const body = await parseBody(c, MessageRequest);
      if (!body.ok) return body.response;
      return ok(c, await manager.message(agentId(c), body.data.text));
    }),
  );

  app.get('/agents/:id/status', (c) => {
    const view = manager.status(agentId(c));
    if (view !== null) return ok(c, view);
    if (!gate.hydrated) return fail(c, 503, 'hydrating', 'The container is still hydrating; the agent may not be resumed yet.');
    return fail(c, 404, 'not_found', `No agent ${agentId(c)} in this container.`);
  });

  app.get('/agents/:id/events', (c) => {
    const query = AgentEventsQuery.safeParse(c.req.query());
    if (!query.success) return fail(c, 400, 'validation_failed', 'The query is invalid.', { location: 'query', issues: query.error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })) });
    return ok(c, { events: manager.events(agentId(c), query.data.after) });
  });

  app.patch('/agents/:id/model', (c) =>
    guard(c, async () => {
      await gate.wait();
      const body = await parseBody(c, ModelPatch);
      if (!body.ok) return body.response;
      const result = await manager.patchModel(agentId(c), body.data);
      return 'deferred' in result ? ok(c, result, 202) : ok(c, result);
    }),
  );

  app.put('/agents/:id/system-prompt', (c) =>
    guard(c, async () => {
      const body = await parseBody(c, SystemPromptPut);
      if (!body.ok) return body.response;
      await manager.setSystemPrompt(agentId(c), body.data.system_prompt);
      return ok(c, { updated: true });
    }),
  );

  app.post('/refresh-token', (c) =>
    guard(c, async () => {
      const body = await parseBody(c, RefreshTokenPush);
      if (!body.ok) return body.response;
      // Kept in a local until hydration ends, so hydration never sees a token change under it.
      const token = body.data.token;
      await gate.wait();
      const claims = decodeClaims(token);
      if (claims === null || (deps.townId !== null && claims.townId !== deps.townId)) {
        return fail(c, 400, 'validation_failed', 'The token is not a container token for this town.', { location: 'body', issues: [{ path: ['token'], code: 'custom', message: 'wrong town' }] });
      }
      redactor.addSecret(token);
      deps.setContainerToken(token);
      log.info('control.container_token_refreshed', {});
      return ok(c, { refreshed: true });
    }),
  );

  app.post('/sync-config', (c) =>
    guard(c, async () => {
      const body = await parseBody(c, SyncConfig);
      if (!body.ok) return body.response;
      return ok(c, await manager.syncConfig(body.data.config));
    }),
  );

  app.post('/dashboard-context', (c) =>
    guard(c, async () => {
      const body = await parseBody(c, DashboardContext);
      if (!body.ok) return body.response;
      await manager.storeDashboardContext(body.data.context);
      return ok(c, { stored: true });
    }),
  );

  // Mounted only with git workspaces (main.ts always has them; some tests build the app without).
  const git = deps.git;
  if (git !== undefined) {
    const refused = (c: Context, refusal: FieldRefusal): Response =>
      fail(c, 400, 'validation_failed', refusal.message, { location: 'body', issues: [{ path: [refusal.field], code: 'custom', message: refusal.message }] });

    app.post('/repos/setup', (c) =>
      guard(c, async () => {
        const body = await parseBody(c, ReposSetup);
        if (!body.ok) return body.response;
        const refusal = git.refuse(body.data);
        if (refusal !== null) return refused(c, refusal);
        manager.applyLiveConfig(body.data.config);
        git.startSetup(body.data);
        return ok(c, { accepted: true }, 202);
      }),
    );

    app.post('/git/merge', (c) =>
      guard(c, async () => {
        const body = await parseBody(c, GitMerge);
        if (!body.ok) return body.response;
        const refusal = git.refuse(body.data);
        if (refusal !== null) return refused(c, refusal);
        manager.applyLiveConfig(body.data.config);
        git.submitMerge(body.data);
        return ok(c, { accepted: true }, 202);
      }),
    );
  }

  app.notFound((c) => fail(c, 404, 'not_found', 'No route matches this method and path.'));
  app.onError((err, c) => errorReply(c, err, redactor, log));
  return app;
}
