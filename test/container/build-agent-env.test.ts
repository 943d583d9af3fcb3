/**
 * Golden tests of `buildAgentEnv` (`container.md` §6): identity, dirs, git identity and
 * co-author trailer, git auth from the live config only, provider env, reserved custom vars,
 * the auth fingerprint and `no_provider_key`.
 */
import { describe, expect, it } from 'vitest';
import type { ContainerConfig, StartAgentRequest } from '../../src/protocol/control.ts';
import { authFingerprintOf, buildAgentEnv, CACHE_HIT_ENV_KEYS } from '../../container/src/env/build-agent-env.ts';
import type { BuildAgentEnvOptions, BuiltAgentEnv } from '../../container/src/env/build-agent-env.ts';
import { createLogger, Redactor } from '../../container/src/redact.ts';
import { AGENT, API, DISPATCH, liveConfig, MAYOR, mayorRequest, PATHS, polecatRequest, RIG, TOWN } from './fixtures.ts';

const OPTS: BuildAgentEnvOptions = { localModelUrl: null, localModelAllowed: false, apiUrl: API, baseEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', GIT_TOKEN: 'leaked-from-parent', GASTOWN_CONTAINER_TOKEN: 'nope' } };

function build(request: StartAgentRequest, live: ContainerConfig, opts: Partial<BuildAgentEnvOptions> = {}): BuiltAgentEnv {
  const r = buildAgentEnv(request, live, PATHS, { ...OPTS, ...opts });
  if ('error' in r) throw new Error(r.error.message);
  return r;
}

describe('buildAgentEnv: identity and dirs', () => {
  it('a polecat gets its identity, branch, scm and dirs', () => {
    const { env, home, workdirHint, configContent } = build(polecatRequest(), liveConfig());
    expect(env).toMatchObject({
      GASTOWN_AGENT_ID: AGENT,
      GASTOWN_AGENT_ROLE: 'polecat',
      GASTOWN_AGENT_NAME: 'Toast',
      GASTOWN_TOWN_ID: TOWN,
      GASTOWN_RIG_ID: RIG,
      GASTOWN_API_URL: API,
      GASTOWN_AGENT_TOKEN: 'agent-token-polecat-0001',
      GASTOWN_DISPATCH_ID: DISPATCH,
      KILOCODE_FEATURE: 'gastown',
      GASTOWN_BRANCH: 'gt/toast/abcd1234',
      GASTOWN_SCM_PROVIDER: 'github',
      GASTOWN_SCM_API_URL: 'https://api.github.com',
      GASTOWN_SCM_REPO: 'acme/app',
      HOME: `/data/agents/${AGENT}/home`,
      KILO_TEST_HOME: `/data/agents/${AGENT}/home`,
      XDG_DATA_HOME: `/data/agents/${AGENT}/home/.local/share`,
      XDG_CONFIG_HOME: `/data/agents/${AGENT}/home/.config`,
      XDG_CACHE_HOME: '/data/cache',
      GASTOWN_CRED_DIR: `/data/agents/${AGENT}/cred`,
      GIT_TERMINAL_PROMPT: '0',
      PATH: '/app/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      KILO_CONFIG_CONTENT: configContent,
    });
    expect(env.GASTOWN_DASHBOARD_CONTEXT_FILE).toBeUndefined();
    expect(home).toBe(`/data/agents/${AGENT}/home`);
    expect(workdirHint).toBe(`/data/rigs/${RIG}/worktrees/gt__toast__abcd1234`);
  });

  it('the mayor: rig id = town id, dashboard context file, no branch, its workspace', () => {
    const { env, workdirHint } = build(mayorRequest(), liveConfig());
    expect(env.GASTOWN_AGENT_ROLE).toBe('mayor');
    expect(env.GASTOWN_AGENT_ID).toBe(MAYOR);
    expect(env.GASTOWN_RIG_ID).toBe(TOWN);
    expect(env.GASTOWN_DASHBOARD_CONTEXT_FILE).toBe('/data/mayor/dashboard-context.json');
    expect(env.GASTOWN_BRANCH).toBeUndefined();
    expect(workdirHint).toBe('/data/mayor/workspace');
  });

  it('inherits nothing but the allow-listed base keys (never a parent token)', () => {
    const { env } = build(polecatRequest(), liveConfig());
    expect(env.GIT_TOKEN).toBeUndefined();
    expect(env.GASTOWN_CONTAINER_TOKEN).toBeUndefined();
  });

  it('extra bin dirs follow binDir on PATH', () => {
    const r = buildAgentEnv(polecatRequest(), liveConfig(), { ...PATHS, extraBinDirs: ['/app/node_modules/.bin'] }, OPTS);
    expect('error' in r ? null : r.env.PATH).toBe('/app/bin:/app/node_modules/.bin:/usr/bin:/bin');
  });
});

describe('buildAgentEnv: golden', () => {
  it('the complete env of a mayor with a Kilo token, a GitHub token and a town author', () => {
    const live = liveConfig({
      git_auth: { github_token: 'ghs_live_000001' },
      git_author_name: 'Ada',
      git_author_email: 'ada@example.com',
      env_vars: { FEATURE_X: 'on' },
    });
    const { env, configContent } = build(mayorRequest(), live);
    const home = `/data/agents/${MAYOR}/home`;
    expect(env).toEqual({
      LANG: 'C.UTF-8',
      PATH: '/app/bin:/usr/bin:/bin',
      GASTOWN_AGENT_ID: MAYOR,
      GASTOWN_AGENT_ROLE: 'mayor',
      GASTOWN_AGENT_NAME: 'Mayor',
      GASTOWN_TOWN_ID: TOWN,
      GASTOWN_RIG_ID: TOWN,
      GASTOWN_API_URL: API,
      GASTOWN_AGENT_TOKEN: 'agent-token-mayor-0001',
      GASTOWN_DISPATCH_ID: DISPATCH,
      KILOCODE_FEATURE: 'gastown',
      GASTOWN_DASHBOARD_CONTEXT_FILE: '/data/mayor/dashboard-context.json',
      HOME: home,
      KILO_TEST_HOME: home,
      XDG_DATA_HOME: `${home}/.local/share`,
      XDG_CONFIG_HOME: `${home}/.config`,
      XDG_STATE_HOME: `${home}/.local/state`,
      XDG_CACHE_HOME: '/data/cache',
      GASTOWN_CRED_DIR: `/data/agents/${MAYOR}/cred`,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      GASTOWN_COAUTHOR_TRAILER: 'Co-authored-by: Mayor (gastown) <mayor@gastown.local>',
      GIT_TOKEN: 'ghs_live_000001',
      GITHUB_TOKEN: 'ghs_live_000001',
      GH_TOKEN: 'ghs_live_000001',
      KILOCODE_TOKEN: 'kilo-token-abcdef123456',
      KILO_PLATFORM: 'gastown',
      KILO_AUTH_CONTENT: '{"kilo":{"type":"api","key":"kilo-token-abcdef123456"}}',
      KILO_CONFIG_CONTENT: configContent,
      FEATURE_X: 'on',
    });
    expect(Object.keys(env).at(-1)).toBe('FEATURE_X');
  });
});

describe('buildAgentEnv: git identity', () => {
  it('with a town author: the user is author and committer, the agent a co-author', () => {
    const { env } = build(polecatRequest(), liveConfig({ git_author_name: 'Ada', git_author_email: 'ada@example.com' }));
    expect(env).toMatchObject({
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      GASTOWN_COAUTHOR_TRAILER: 'Co-authored-by: Toast (gastown) <toast@gastown.local>',
    });
  });

  it('disable_ai_coauthor drops the trailer', () => {
    const { env } = build(polecatRequest(), liveConfig({ git_author_name: 'Ada', git_author_email: 'ada@example.com', disable_ai_coauthor: true }));
    expect(env.GIT_AUTHOR_NAME).toBe('Ada');
    expect(env.GASTOWN_COAUTHOR_TRAILER).toBeUndefined();
  });

  it('without a town author: the bot identity, no trailer', () => {
    const { env } = build(polecatRequest({ name: 'Big Rig 7' }), liveConfig());
    expect(env).toMatchObject({
      GIT_AUTHOR_NAME: 'Big Rig 7 (gastown)',
      GIT_AUTHOR_EMAIL: 'big-rig-7@gastown.local',
      GIT_COMMITTER_NAME: 'Big Rig 7 (gastown)',
      GIT_COMMITTER_EMAIL: 'big-rig-7@gastown.local',
    });
    expect(env.GASTOWN_COAUTHOR_TRAILER).toBeUndefined();
  });
});

describe('buildAgentEnv: git auth (live keys)', () => {
  it('GIT_TOKEN = GITHUB_TOKEN = github_token; GH_TOKEN falls back to it without a PAT', () => {
    const { env } = build(polecatRequest(), liveConfig({ git_auth: { github_token: 'ghs_live_000001' } }));
    expect(env).toMatchObject({ GIT_TOKEN: 'ghs_live_000001', GITHUB_TOKEN: 'ghs_live_000001', GH_TOKEN: 'ghs_live_000001' });
    expect(env.GITHUB_CLI_PAT).toBeUndefined();
  });

  it('GH_TOKEN = GITHUB_CLI_PAT when set', () => {
    const { env } = build(polecatRequest(), liveConfig({ git_auth: { github_token: 'ghs_live_000001' }, github_cli_pat: 'ghp_pat_000002' }));
    expect(env).toMatchObject({ GIT_TOKEN: 'ghs_live_000001', GITHUB_CLI_PAT: 'ghp_pat_000002', GH_TOKEN: 'ghp_pat_000002' });
  });

  it('GitLab rigs get GITLAB_TOKEN and GITLAB_HOST, not the GitHub keys', () => {
    const req = polecatRequest({
      rig: { git_url: 'https://gitlab.acme.dev/g/app.git', default_branch: 'main', branch: 'gt/x/1', scm: { provider: 'gitlab', api_url: 'https://gitlab.acme.dev/api/v4', repo: 'g/app' } },
    });
    const { env } = build(req, liveConfig({ git_auth: { github_token: 'ghs_live_000001', gitlab_token: 'glpat-000003', gitlab_instance_url: 'https://gitlab.acme.dev' } }));
    expect(env).toMatchObject({ GITLAB_TOKEN: 'glpat-000003', GITLAB_HOST: 'https://gitlab.acme.dev' });
    expect(env.GIT_TOKEN).toBeUndefined();
    expect(env.GH_TOKEN).toBeUndefined();
  });

  it('the mayor gets both hosts', () => {
    const { env } = build(mayorRequest(), liveConfig({ git_auth: { github_token: 'ghs_live_000001', gitlab_token: 'glpat-000003' } }));
    expect(env).toMatchObject({ GH_TOKEN: 'ghs_live_000001', GITLAB_TOKEN: 'glpat-000003' });
  });

  it('keys revoked in the live config are absent even if the request still carries them', () => {
    const stale = liveConfig({ git_auth: { github_token: 'ghs_old_000009' }, github_cli_pat: 'ghp_old_000009' });
    const { env } = build(polecatRequest({ config: stale }), liveConfig({ git_auth: {} }));
    for (const key of ['GIT_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_CLI_PAT', 'GITLAB_TOKEN', 'GITLAB_HOST']) {
      expect(env[key]).toBeUndefined();
    }
  });
});

describe('buildAgentEnv: provider', () => {
  it('Kilo gateway env, with organization and API URL', () => {
    const { env } = build(polecatRequest(), liveConfig({ provider: { kind: 'kilo', token: 'kilo-tok-777777', organization_id: 'org-1' }, kilo_api_url: 'https://api.kilo.ai' }));
    expect(env).toMatchObject({
      KILOCODE_TOKEN: 'kilo-tok-777777',
      KILO_PLATFORM: 'gastown',
      KILO_AUTH_CONTENT: '{"kilo":{"type":"api","key":"kilo-tok-777777"}}',
      KILO_API_URL: 'https://api.kilo.ai',
      KILO_ORG_ID: 'org-1',
      GASTOWN_ORGANIZATION_ID: 'org-1',
    });
  });

  it('OpenAI-compatible: no Kilo env', () => {
    const { env } = build(polecatRequest(), liveConfig({ provider: { kind: 'openai-compatible', id: 'acme', base_url: 'https://x.dev/v1', api_key: 'k-123456' } }));
    expect(env.KILOCODE_TOKEN).toBeUndefined();
    expect(env.KILO_AUTH_CONTENT).toBeUndefined();
    expect(JSON.parse(env.KILO_CONFIG_CONTENT ?? '{}')).toMatchObject({ model: 'acme/anthropic/claude-sonnet-4.6' });
  });

  it('no provider and local model not allowed → no_provider_key', () => {
    const r = buildAgentEnv(polecatRequest(), liveConfig({ provider: null }), PATHS, OPTS);
    expect(r).toMatchObject({ error: { ok: false, error_type: 'no_provider_key' } });
  });

  it('no provider, local model allowed and running → the local config', () => {
    const { env } = build(mayorRequest(), liveConfig({ provider: null }), { localModelAllowed: true, localModelUrl: 'http://127.0.0.1:4100' });
    expect(JSON.parse(env.KILO_CONFIG_CONTENT ?? '{}')).toMatchObject({ model: 'local/mayor', small_model: 'local/title' });
  });

  it('prewarm and start with the same inputs give byte-identical config and fingerprint (seed 002)', () => {
    const live = liveConfig({ git_auth: { github_token: 'ghs_live_000001' } });
    const prewarm = build(mayorRequest({ agent_token: 'prewarm-token-1', dispatch_id: '66666666-6666-4666-8666-666666666666' }), live);
    const start = build(mayorRequest({ system_prompt: 'You are the mayor.' }), live);
    expect(start.configContent).toBe(prewarm.configContent);
    expect(start.authFingerprint).toBe(prewarm.authFingerprint);
    expect(prewarm.env.GASTOWN_AGENT_ROLE).toBe('mayor');
    expect(prewarm.env.GH_TOKEN).toBe('ghs_live_000001');
  });
});

describe('buildAgentEnv: custom env vars', () => {
  it('come last, minus reserved names (dropped and logged)', () => {
    const lines: string[] = [];
    const log = createLogger(new Redactor(), (l) => lines.push(l));
    const r = buildAgentEnv(
      polecatRequest(),
      liveConfig({ env_vars: { MY_FLAG: '1', HOME: '/evil', GASTOWN_AGENT_ROLE: 'mayor', GH_TOKEN: 'x', XDG_DATA_HOME: '/x', NODE_OPTIONS: '--inspect' } }),
      PATHS,
      { ...OPTS, log },
    );
    if ('error' in r) throw new Error('unexpected');
    expect(r.env.MY_FLAG).toBe('1');
    expect(r.env.HOME).toBe(`/data/agents/${AGENT}/home`);
    expect(r.env.GASTOWN_AGENT_ROLE).toBe('polecat');
    expect(r.env.GH_TOKEN).toBeUndefined();
    expect(r.env.NODE_OPTIONS).toBeUndefined();
    expect(r.droppedEnvVars).toEqual(['HOME', 'GASTOWN_AGENT_ROLE', 'GH_TOKEN', 'XDG_DATA_HOME', 'NODE_OPTIONS']);
    const dropped = lines.map((l) => JSON.parse(l) as { msg: string; name: string }).filter((l) => l.msg === 'env.reserved_var_dropped');
    expect(dropped.map((l) => l.name)).toEqual(['HOME', 'GASTOWN_AGENT_ROLE', 'GH_TOKEN', 'XDG_DATA_HOME', 'NODE_OPTIONS']);
  });
});

describe('authFingerprint', () => {
  const base = liveConfig({ git_auth: { github_token: 'ghs_live_000001' } });
  const fp = (live: ContainerConfig): string => build(polecatRequest(), live).authFingerprint;

  it('is stable for the same live keys, whatever else changes', () => {
    expect(fp(base)).toBe(fp({ ...base, version: 99, env_vars: { OTHER: 'x' } }));
    expect(build(polecatRequest({ agent_token: 'rotated-agent-token' }), base).authFingerprint).toBe(fp(base));
  });

  it('changes when a token is added, changed or removed', () => {
    const added = fp({ ...base, github_cli_pat: 'ghp_pat_000002' });
    const changed = fp({ ...base, git_auth: { github_token: 'ghs_live_000002' } });
    const removed = fp({ ...base, git_auth: {} });
    expect(new Set([fp(base), added, changed, removed]).size).toBe(4);
  });

  it('tells an absent key from an empty one and covers exactly the cache-hit keys', () => {
    expect(authFingerprintOf({})).not.toBe(authFingerprintOf({ GIT_TOKEN: '' }));
    expect(authFingerprintOf({ UNRELATED: 'x' })).toBe(authFingerprintOf({}));
    expect(CACHE_HIT_ENV_KEYS).toEqual(['KILO_CONFIG_CONTENT', 'GIT_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_CLI_PAT', 'GITLAB_TOKEN', 'GITLAB_HOST']);
  });
});
