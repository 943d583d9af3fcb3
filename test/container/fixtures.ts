/**
 * Shared fixtures of the container tests: ids, a live config and start requests per role,
 * built so each test can override one field.
 */
import type { ContainerConfig, StartAgentRequest } from '../../src/protocol/control.ts';
import type { AgentPaths } from '../../container/src/env/build-agent-env.ts';

export const TOWN = '11111111-1111-4111-8111-111111111111';
export const RIG = '22222222-2222-4222-8222-222222222222';
export const AGENT = '33333333-3333-4333-8333-333333333333';
export const MAYOR = '44444444-4444-4444-8444-444444444444';
export const DISPATCH = '55555555-5555-4555-8555-555555555555';
export const API = 'http://127.0.0.1:8787';

export const PATHS: AgentPaths = {
  root: '/data',
  pluginFile: '/app/container/plugin/index.ts',
  pluginDepsDir: '/app/node_modules',
  binDir: '/app/bin',
};

/** A live config with a Kilo token and nothing else. */
export function liveConfig(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    version: 3,
    town_id: TOWN,
    api_url: API,
    provider: { kind: 'kilo', token: 'kilo-token-abcdef123456' },
    git_auth: {},
    disable_ai_coauthor: false,
    env_vars: {},
    ...over,
  };
}

/** A polecat start on a GitHub rig. */
export function polecatRequest(over: Partial<StartAgentRequest> = {}): StartAgentRequest {
  return {
    dispatch_id: DISPATCH,
    agent_id: AGENT,
    town_id: TOWN,
    rig_id: RIG,
    role: 'polecat',
    name: 'Toast',
    prompt: 'Do the thing.',
    model: 'anthropic/claude-sonnet-4.6',
    small_model: 'anthropic/claude-haiku-4.5',
    agent_token: 'agent-token-polecat-0001',
    rig: {
      git_url: 'https://github.com/acme/app.git',
      default_branch: 'main',
      branch: 'gt/toast/abcd1234',
      scm: { provider: 'github', api_url: 'https://api.github.com', repo: 'acme/app' },
    },
    config: liveConfig(),
    ...over,
  };
}

/** The mayor's start. */
export function mayorRequest(over: Partial<StartAgentRequest> = {}): StartAgentRequest {
  return {
    dispatch_id: DISPATCH,
    agent_id: MAYOR,
    town_id: TOWN,
    rig_id: TOWN,
    role: 'mayor',
    name: 'Mayor',
    model: 'anthropic/claude-sonnet-4.6',
    small_model: 'anthropic/claude-haiku-4.5',
    agent_token: 'agent-token-mayor-0001',
    config: liveConfig(),
    ...over,
  };
}
