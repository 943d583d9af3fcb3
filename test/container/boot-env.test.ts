/**
 * Tests of `readBootEnv` (`container.md` §1): typed boot settings with defaults, and the control
 * secret and container token moved into memory and deleted from the env.
 */
import { describe, expect, it } from 'vitest';
import { readBootEnv } from '../../container/src/boot-env.ts';

describe('readBootEnv', () => {
  it('reads every boot key and deletes the secret and the token from the env', () => {
    const env: Record<string, string | undefined> = {
      GASTOWN_TOWN_ID: 'town-1',
      GASTOWN_API_URL: 'http://127.0.0.1:8787',
      GASTOWN_CONTROL_SECRET: 'ctl-secret-0123',
      GASTOWN_CONTAINER_TOKEN: 'container-token-0123',
      GASTOWN_DATA_ROOT: '/tmp/data',
      GASTOWN_LOCAL_MODEL: 'allow',
      GASTOWN_TIMING: 'test',
      PORT: '0',
      GASTOWN_BIND: '127.0.0.1',
      PATH: '/usr/bin',
    };
    expect(readBootEnv(env)).toEqual({
      townId: 'town-1',
      apiUrl: 'http://127.0.0.1:8787',
      controlSecret: 'ctl-secret-0123',
      containerToken: 'container-token-0123',
      dataRoot: '/tmp/data',
      localModelAllowed: true,
      timingProfile: 'test',
      port: 0,
      bind: '127.0.0.1',
    });
    expect('GASTOWN_CONTROL_SECRET' in env).toBe(false);
    expect('GASTOWN_CONTAINER_TOKEN' in env).toBe(false);
    expect(env.GASTOWN_TOWN_ID).toBe('town-1');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('defaults: /workspace, port 8080, 0.0.0.0, no local model, null secrets', () => {
    expect(readBootEnv({ GASTOWN_CONTROL_SECRET: '', PORT: 'http' })).toEqual({
      townId: null,
      apiUrl: null,
      controlSecret: null,
      containerToken: null,
      dataRoot: '/workspace',
      localModelAllowed: false,
      timingProfile: 'default',
      port: 8080,
      bind: '0.0.0.0',
    });
  });
});
