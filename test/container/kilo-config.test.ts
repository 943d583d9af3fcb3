/**
 * Golden tests of `buildKiloConfig` and `resolveProvider` (`container.md` §6 item 5): exact
 * compact JSON per provider row, fixed key order, byte-identical output for identical input.
 */
import { describe, expect, it } from 'vitest';
import { buildKiloConfig } from '../../container/src/env/kilo-config.ts';
import { localModelBaseUrl, needsLocalModel, resolveProvider } from '../../container/src/env/resolve-provider.ts';
import { liveConfig } from './fixtures.ts';

const PERMISSION = '"permission":{"edit":"allow","bash":"allow","webfetch":"allow","doom_loop":"allow","external_directory":"allow"}';
const TAIL = `${PERMISSION},"autoupdate":false,"share":"disabled"}`;

describe('buildKiloConfig', () => {
  it('Kilo gateway: kilo/<model>, both tokens, models with tool_call', () => {
    const json = buildKiloConfig({
      provider: { kind: 'kilo', token: 'tok-123456', organizationId: null },
      role: 'polecat',
      model: 'anthropic/claude-sonnet-4.6',
      smallModel: 'anthropic/claude-haiku-4.5',
    });
    expect(json).toBe(
      '{"model":"kilo/anthropic/claude-sonnet-4.6","small_model":"kilo/anthropic/claude-haiku-4.5",' +
        '"provider":{"kilo":{"options":{"apiKey":"tok-123456","kilocodeToken":"tok-123456"},' +
        '"models":{"anthropic/claude-sonnet-4.6":{"name":"anthropic/claude-sonnet-4.6","tool_call":true},' +
        '"anthropic/claude-haiku-4.5":{"name":"anthropic/claude-haiku-4.5","tool_call":true}}}},' +
        TAIL,
    );
  });

  it('Kilo gateway with an organization; one model entry when model = small model', () => {
    const json = buildKiloConfig({
      provider: { kind: 'kilo', token: 'tok-123456', organizationId: 'org-9' },
      role: 'mayor',
      model: 'openai/gpt-5',
      smallModel: 'openai/gpt-5',
    });
    expect(json).toBe(
      '{"model":"kilo/openai/gpt-5","small_model":"kilo/openai/gpt-5",' +
        '"provider":{"kilo":{"options":{"apiKey":"tok-123456","kilocodeToken":"tok-123456","kilocodeOrganizationId":"org-9"},' +
        '"models":{"openai/gpt-5":{"name":"openai/gpt-5","tool_call":true}}}},' +
        TAIL,
    );
  });

  it('OpenAI-compatible: <id>/<model>, the ai-sdk package, baseURL and apiKey', () => {
    const json = buildKiloConfig({
      provider: { kind: 'openai-compatible', id: 'acme', baseUrl: 'https://llm.acme.dev/v1', apiKey: 'sk-acme-000001' },
      role: 'refinery',
      model: 'gpt-5',
      smallModel: 'gpt-5-mini',
    });
    expect(json).toBe(
      '{"model":"acme/gpt-5","small_model":"acme/gpt-5-mini",' +
        '"provider":{"acme":{"npm":"@ai-sdk/openai-compatible","name":"acme",' +
        '"options":{"baseURL":"https://llm.acme.dev/v1","apiKey":"sk-acme-000001"},' +
        '"models":{"gpt-5":{"name":"gpt-5","tool_call":true},"gpt-5-mini":{"name":"gpt-5-mini","tool_call":true}}}},' +
        TAIL,
    );
  });

  it('local model: local/<role>, local/title, the four scripted models', () => {
    const json = buildKiloConfig({
      provider: { kind: 'local', baseUrl: 'http://127.0.0.1:4000/v1' },
      role: 'refinery',
      model: 'ignored/model',
      smallModel: 'ignored/small',
    });
    expect(json).toBe(
      '{"model":"local/refinery","small_model":"local/title",' +
        '"provider":{"local":{"npm":"@ai-sdk/openai-compatible","name":"local",' +
        '"options":{"baseURL":"http://127.0.0.1:4000/v1","apiKey":"local"},' +
        '"models":{"mayor":{"name":"mayor","tool_call":true},"polecat":{"name":"polecat","tool_call":true},' +
        '"refinery":{"name":"refinery","tool_call":true},"title":{"name":"title","tool_call":true}}}},' +
        TAIL,
    );
  });

  it('is byte-identical for identical input (the prewarm cache hit depends on it)', () => {
    const input = { provider: { kind: 'kilo', token: 'tok-123456', organizationId: 'o' } as const, role: 'mayor' as const, model: 'a/b', smallModel: 'c/d' };
    expect(buildKiloConfig(input)).toBe(buildKiloConfig({ ...input, provider: { ...input.provider } }));
  });
});

describe('resolveProvider', () => {
  const local = { localModelAllowed: false, localModelUrl: null };

  it('takes the Kilo row with its organization', () => {
    const r = resolveProvider(liveConfig({ provider: { kind: 'kilo', token: 'tok-123456', organization_id: 'org' } }), local);
    expect(r).toEqual({ ok: true, provider: { kind: 'kilo', token: 'tok-123456', organizationId: 'org' } });
  });

  it('takes the OpenAI-compatible row', () => {
    const r = resolveProvider(
      liveConfig({ provider: { kind: 'openai-compatible', id: 'acme', base_url: 'https://x.dev/v1', api_key: 'k-123456' } }),
      local,
    );
    expect(r).toEqual({ ok: true, provider: { kind: 'openai-compatible', id: 'acme', baseUrl: 'https://x.dev/v1', apiKey: 'k-123456' } });
  });

  it('no provider and no local model → no_provider_key', () => {
    const r = resolveProvider(liveConfig({ provider: null }), local);
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ error_type: 'no_provider_key' });
  });

  it('no provider, local model allowed → local (once it runs)', () => {
    const cfg = liveConfig({ provider: null });
    expect(needsLocalModel(cfg, true)).toBe(true);
    expect(needsLocalModel(liveConfig(), true)).toBe(false);
    expect(resolveProvider(cfg, { localModelAllowed: true, localModelUrl: null })).toMatchObject({ ok: false, error_type: 'no_provider_key' });
    expect(resolveProvider(cfg, { localModelAllowed: true, localModelUrl: 'http://127.0.0.1:4000/' })).toEqual({
      ok: true,
      provider: { kind: 'local', baseUrl: 'http://127.0.0.1:4000/v1' },
    });
    expect(localModelBaseUrl('http://127.0.0.1:4000/v1')).toBe('http://127.0.0.1:4000/v1');
  });
});
