/**
 * End to end with the REAL `kilo serve` (node_modules/.bin/kilo 7.7.7), offline on loopback: the
 * control app and process manager wired as main.ts wires them, a polecat start whose session loads
 * the gastown plugin (tools check sees `gt_prime`), the scripted OpenAI-compatible stub makes the
 * model call `gt_prime` (answered by the fake worker API), the session goes idle, and the idle
 * timer reports `P/completed`. Also pins that kilo attempted no package install.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView } from '../../src/protocol/control.ts';
import { agentHome } from '../../container/src/layout.ts';
import type { RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, polecatRequest } from './fixtures.ts';
import { startControlStack } from './support/control-stack.ts';
import type { ControlStack } from './support/control-stack.ts';

/** A kilo boot takes 5–20 s on a loaded machine; the whole flow gets generous room. */
const TEST_TIMEOUT_MS = 120_000;
const PRIME_MARKER = 'prime-marker-7f3a';
const AGENT_TOKEN = 'agent-token-polecat-real-0001';

let stack: ControlStack;

beforeAll(async () => {
  // Production timings except: a short idle timer (and the harness's room for a slow kilo boot).
  stack = await startControlStack({ name: 'kilo-real', timings: { idleMs: 300 }, forwardEvents: true });
  stack.api.setResponse('**/agents/*/prime', (req) => ({
    data: { agent: { id: AGENT, marker: PRIME_MARKER }, hooked_bead: null, mail: [], open_beads: [], context: {}, auth_seen: req.auth === AGENT_TOKEN },
  }));
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await stack?.dispose();
}, TEST_TIMEOUT_MS);

const isAgentCall = (suffix: string) => (r: RecordedRequest) => r.path === `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`;

/** True while `pid`'s process group has a member. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a polecat on the real kilo serve', () => {
  it(
    'starts, passes the tools check, runs gt_prime against the worker API, goes idle and reports completed',
    async () => {
      const { api, stub, manager, forwarder, lines, root } = stack;
      const res = await stack.request('POST', '/agents/start', polecatRequest({ agent_token: AGENT_TOKEN, prompt: 'Prime yourself, then stop.', config: stack.stubConfig() }));
      const body = (await res.json()) as { data?: AgentView; error?: unknown };
      expect(body.error, JSON.stringify(body.error)).toBeUndefined();
      expect(res.status).toBe(201);
      expect(body.data?.status).toBe('running');
      expect(body.data?.session_id).toMatch(/^ses_/);

      const completed = await api.waitFor(isAgentCall('/completed'));
      expect(completed.body).toEqual({ status: 'completed' });
      expect(completed.auth).toBe(AGENT_TOKEN);

      // The plugin called P/prime with the agent token (never the container token): once to
      // inject the context into the session's system prompt (kilo's title request runs the
      // system transform too), once for the model's gt_prime call.
      const prime = api.matching(`/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}/prime`, 'POST');
      expect(prime.length).toBeGreaterThanOrEqual(2);
      expect(prime.every((p) => p.auth === AGENT_TOKEN)).toBe(true);
      // The injected context reached the model's system prompt.
      const system = JSON.stringify(stub.requests.find((r) => r.tools.length > 0)?.messages.filter((m) => m.role === 'system'));
      expect(system).toContain('--- GASTOWN CONTEXT ---');

      // The model saw gt_prime, called it, and got the worker's JSON back as the tool result.
      const first = stub.requests.find((r) => r.tools.length > 0);
      expect(first?.tools).toContain('gt_prime');
      expect(first?.model).toBe('anthropic/claude-sonnet-4.6');
      const second = stub.requests.find((r) => r.lastRole === 'tool');
      const content = second?.messages.at(-1)?.content;
      const toolResult = typeof content === 'string' ? content : JSON.stringify(content);
      expect(toolResult).toContain(PRIME_MARKER);
      expect(toolResult).toContain('"auth_seen": true');

      // The start phases reached C/events, tools_check included.
      const phases = api
        .matching(`/api/towns/${TOWN}/container/events`, 'POST')
        .flatMap((r) => ((r.body as { events?: { label?: string }[] }).events ?? []).map((e) => e.label));
      expect(phases).toEqual(expect.arrayContaining(['git', 'db_hydrated', 'sdk_ready', 'tools_check', 'session_created', 'prompt_sent']));

      // The session's tool part reached P/events once flushed.
      expect(forwarder).not.toBeNull();
      await forwarder?.flush(AGENT);
      const events = api.events(AGENT);
      const toolPart = events.find((e) => e.type === 'message.part.updated' && JSON.stringify(e.data).includes('"tool":"gt_prime"') && JSON.stringify(e.data).includes('"completed"'));
      expect(toolPart).toBeDefined();

      // The idle exit closed the server: the agent is exited and kilo's process group is gone.
      const view = manager.status(AGENT);
      expect(view?.status).toBe('exited');
      expect(view?.exit_reason).toBe('completed');
      const started = lines.find((l) => l.msg === 'kilo.server_started');
      expect(typeof started?.pid).toBe('number');
      expect(groupAlive(Number(started?.pid))).toBe(false);

      // kilo ran no package install in the agent's config dir (container.md §6 item 2).
      const home = agentHome(root, AGENT);
      expect(existsSync(join(home, '.npm'))).toBe(false);
      const logDir = join(home, '.local', 'share', 'kilo', 'log');
      const kiloLog = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
      expect(kiloLog).not.toMatch(/dependency install|npm-install|NpmInstallFailed/);
      expect(JSON.parse(readFileSync(join(home, '.config', 'kilo', 'package.json'), 'utf8'))).toEqual({ name: 'gastown-agent-config', private: true, dependencies: { '@kilocode/plugin': '7.3.1' } });
    },
    TEST_TIMEOUT_MS,
  );
});
