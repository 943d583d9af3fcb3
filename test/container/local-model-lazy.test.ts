/**
 * Lazy start of the local model through the process manager (`container.md` §1, §10), wired as
 * main.ts wires it but over the fake kilo backend (which records each server's env): a start whose
 * live config has `provider: null` with `GASTOWN_LOCAL_MODEL=allow` starts the model once (two
 * starts → one server) and points kilo's `local` provider at it; a start with a configured
 * provider never starts it; a model that cannot start fails the start with
 * `no_provider_key` and the next start tries again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartAgentRequest } from '../../src/protocol/control.ts';
import { startLocalModel } from '../../container/src/local-model/server.ts';
import { FakeKiloBackend } from './fakes/fake-backend.ts';
import { liveConfig, mayorRequest, polecatRequest } from './fixtures.ts';
import { startControlStack } from './support/control-stack.ts';
import type { ControlStack } from './support/control-stack.ts';

let stack: ControlStack;
let backend: FakeKiloBackend;
let failStarts: number;

beforeEach(async () => {
  failStarts = 0;
  backend = new FakeKiloBackend();
  stack = await startControlStack({
    name: 'lm-lazy',
    backend,
    localModelAllowed: true,
    startLocalModel: async (opts) => {
      if (failStarts > 0) {
        failStarts -= 1;
        throw new Error('no port for you');
      }
      return await startLocalModel(opts);
    },
  });
});

afterEach(async () => {
  await stack?.dispose();
});

/** Starts an agent through the control app. */
async function request(body: StartAgentRequest): Promise<Response> {
  return await stack.request('POST', '/agents/start', body);
}

const noProvider = liveConfig({ provider: null });

/** The kilo config a fake server was spawned with. */
function kiloConfigOf(index: number): { model: string; small_model: string; provider: Record<string, { options: { baseURL: string; apiKey: string } }> } {
  const content = backend.servers[index]?.env.KILO_CONFIG_CONTENT;
  if (content === undefined) throw new Error(`no server ${index}`);
  return JSON.parse(content) as ReturnType<typeof kiloConfigOf>;
}

describe('lazy local model', () => {
  it('is not started at construction, then once for two starts that resolve to it', async () => {
    expect(stack.localModel.started).toBe(false);
    const [polecat, mayor] = await Promise.all([request(polecatRequest({ config: noProvider })), request(mayorRequest({ config: noProvider }))]);
    expect(polecat.status).toBe(201);
    expect(mayor.status).toBe(201);
    expect(stack.modelServers).toHaveLength(1);
    const baseUrl = stack.modelServers[0]?.baseUrl;
    expect(backend.servers).toHaveLength(2);
    const configs = [kiloConfigOf(0), kiloConfigOf(1)];
    expect(configs.map((c) => c.provider.local?.options)).toEqual([
      { baseURL: baseUrl, apiKey: 'local' },
      { baseURL: baseUrl, apiKey: 'local' },
    ]);
    expect(configs.map((c) => c.model).sort()).toEqual(['local/mayor', 'local/polecat']);
    expect(configs.every((c) => c.small_model === 'local/title')).toBe(true);
    // The model kilo was pointed at answers.
    expect((await fetch(`${baseUrl}/models`)).status).toBe(200);
  });

  it('is never started for a start with a configured provider', async () => {
    expect((await request(polecatRequest({ config: liveConfig() }))).status).toBe(201);
    expect(stack.modelServers).toHaveLength(0);
    expect(stack.localModel.started).toBe(false);
    expect(kiloConfigOf(0).model).toBe('kilo/anthropic/claude-sonnet-4.6');
  });

  it('fails the start with no_provider_key when the model cannot start, and the next start retries', async () => {
    failStarts = 1;
    const failed = await request(polecatRequest({ config: noProvider }));
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as { error: { message: string; details: { phase: string; error_type: string } } };
    expect(body.error.details).toMatchObject({ phase: 'sdk_ready', error_type: 'no_provider_key' });
    expect(body.error.message).toContain('the local model failed to start: no port for you');
    expect(backend.startsBegun).toBe(0);

    const retried = await request(polecatRequest({ config: noProvider, dispatch_id: '66666666-6666-4666-8666-666666666666' }));
    expect(retried.status).toBe(201);
    expect(stack.modelServers).toHaveLength(1);
  });
});
