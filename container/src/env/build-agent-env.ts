/**
 * The env of one agent's `kilo serve` child (`container.md` §6), built purely from the start
 * request and the *live* config: identity, dirs, git identity and auth, provider and
 * `KILO_CONFIG_CONTENT`, then the custom vars. The prewarm and every start call this one
 * function, so a prewarmed mayor gets the same env and tools as a real start (seed 002).
 */
import { createHash } from 'node:crypto';
import type { ContainerConfig, StartAgentRequest } from '../../../src/protocol/control.ts';
import { isReservedEnvName } from '../../../src/protocol/config.ts';
import {
  agentCredDir,
  agentHome,
  cacheDir,
  dashboardContextFile,
  mayorWorkspace,
  polecatWorktree,
  refineryWorktree,
} from '../layout.ts';
import type { Logger } from '../redact.ts';
import { CRED_DIR_ENV } from './cli-wrappers.ts';
import { COAUTHOR_TRAILER_ENV } from './git-files.ts';
import { buildKiloConfig } from './kilo-config.ts';
import { resolveProvider } from './resolve-provider.ts';
import type { ProviderResolution, ResolvedProvider } from './resolve-provider.ts';

export type { ProviderResolution } from './resolve-provider.ts';
export { provisionAgentDirs } from './provision-agent-dirs.ts';

/** Container-wide paths an agent env points into. */
export interface AgentPaths {
  /** `GASTOWN_DATA_ROOT`. */
  root: string;
  /** The gastown plugin entry (`container/plugin/index.ts`), symlinked into each agent config dir. */
  pluginFile: string;
  /** The installed plugin dependencies (`node_modules`), symlinked so kilo never runs an install. */
  pluginDepsDir: string;
  /** Leads `PATH`: the gh/glab wrappers (`writeCliWrappers`). */
  binDir: string;
  /** Follow `binDir` on `PATH`, before the base `PATH` (e.g. the installed `node_modules/.bin`). */
  extraBinDirs?: readonly string[];
}

/** The result of `buildAgentEnv`. `env` is complete: the child gets exactly this. */
export interface BuiltAgentEnv {
  env: Record<string, string>;
  /** = `env.KILO_CONFIG_CONTENT`. */
  configContent: string;
  /** sha256 over the cache-hit keys, absent ones included (`CACHE_HIT_ENV_KEYS`). */
  authFingerprint: string;
  /** = `env.HOME`. */
  home: string;
  /** Where the role's workdir lives under the layout; the workspaces module decides. */
  workdirHint?: string;
  /** Custom `env_vars` dropped because their names are reserved (already logged when `log` was given). */
  droppedEnvVars?: string[];
}

/** Options of `buildAgentEnv`. `baseEnv` is the control server's own env (secrets already scrubbed). */
export interface BuildAgentEnvOptions {
  localModelUrl: string | null;
  localModelAllowed: boolean;
  /** `GASTOWN_API_URL` as agents reach the worker. */
  apiUrl: string;
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Receives `env.reserved_var_dropped {agent_id, name}`. */
  log?: Logger;
}

/**
 * The keys whose change makes a running server unusable for a start (`container.md` §5.1, §6
 * item 7): compared through `authFingerprint`, including which of them are absent.
 */
export const CACHE_HIT_ENV_KEYS: readonly string[] = Object.freeze([
  'KILO_CONFIG_CONTENT',
  'GIT_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_CLI_PAT',
  'GITLAB_TOKEN',
  'GITLAB_HOST',
]);

/**
 * The only keys taken from the control server's env: locale, time zone, temp dir, TLS and proxy
 * settings. Nothing else is inherited, so a revoked credential can never linger (§6 item 7).
 */
export const INHERITED_ENV_KEYS: readonly string[] = [
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** sha256 (hex) over `[key, value | null]` of every cache-hit key, in `CACHE_HIT_ENV_KEYS` order. */
export function authFingerprintOf(env: Readonly<Record<string, string | undefined>>): string {
  const pairs = CACHE_HIT_ENV_KEYS.map((key) => [key, env[key] ?? null]);
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}

/** The bot identity of an agent: `<name> (gastown) <slug@gastown.local>`. */
export function botIdentity(agentName: string): { name: string; email: string } {
  const slug = agentName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'agent';
  return { name: `${agentName} (gastown)`, email: `${slug}@gastown.local` };
}

/**
 * Builds the agent's env (`container.md` §6). Pure apart from the optional log: no file system,
 * no `process.env`. Returns `{error}` (`no_provider_key`) when no provider row applies.
 */
export function buildAgentEnv(
  request: StartAgentRequest,
  live: ContainerConfig,
  paths: AgentPaths,
  opts: BuildAgentEnvOptions,
): BuiltAgentEnv | { error: ProviderResolution & { ok: false } } {
  const resolved = resolveProvider(live, opts);
  if (!resolved.ok) return { error: resolved };

  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_KEYS) {
    const value = opts.baseEnv[key];
    if (value !== undefined && value !== '') env[key] = value;
  }
  env.PATH = [paths.binDir, ...(paths.extraBinDirs ?? []), opts.baseEnv.PATH ?? FALLBACK_PATH].join(':');

  Object.assign(env, identityVars(request, paths.root, opts.apiUrl));
  const home = agentHome(paths.root, request.agent_id);
  Object.assign(env, dirVars(home, paths.root, request.agent_id));
  Object.assign(env, gitIdentityVars(request.name, live));
  Object.assign(env, gitAuthVars(request, live));
  Object.assign(env, providerVars(resolved.provider, live));

  const configContent = buildKiloConfig({
    provider: resolved.provider,
    role: request.role,
    model: request.model,
    smallModel: request.small_model,
  });
  env.KILO_CONFIG_CONTENT = configContent;

  const dropped: string[] = [];
  for (const [name, value] of Object.entries(live.env_vars)) {
    if (isReservedEnvName(name)) {
      dropped.push(name);
      opts.log?.warn('env.reserved_var_dropped', { agent_id: request.agent_id, name });
      continue;
    }
    env[name] = value;
  }

  const built: BuiltAgentEnv = { env, configContent, authFingerprint: authFingerprintOf(env), home };
  const hint = workdirHintFor(request, paths.root);
  if (hint !== undefined) built.workdirHint = hint;
  if (dropped.length > 0) built.droppedEnvVars = dropped;
  return built;
}

/** §6 item 1. */
function identityVars(request: StartAgentRequest, root: string, apiUrl: string): Record<string, string> {
  const vars: Record<string, string> = {
    GASTOWN_AGENT_ID: request.agent_id,
    GASTOWN_AGENT_ROLE: request.role,
    GASTOWN_AGENT_NAME: request.name,
    GASTOWN_TOWN_ID: request.town_id,
    GASTOWN_RIG_ID: request.role === 'mayor' ? request.town_id : request.rig_id,
    GASTOWN_API_URL: apiUrl,
    GASTOWN_AGENT_TOKEN: request.agent_token,
    GASTOWN_DISPATCH_ID: request.dispatch_id,
    KILOCODE_FEATURE: 'gastown',
  };
  if (request.role === 'mayor') {
    vars.GASTOWN_DASHBOARD_CONTEXT_FILE = dashboardContextFile(root);
  } else if (request.rig !== undefined) {
    vars.GASTOWN_BRANCH = request.rig.branch;
    if (request.rig.scm !== undefined) {
      vars.GASTOWN_SCM_PROVIDER = request.rig.scm.provider;
      vars.GASTOWN_SCM_API_URL = request.rig.scm.api_url;
      vars.GASTOWN_SCM_REPO = request.rig.scm.repo;
    }
  }
  return vars;
}

/** §6 item 2. */
function dirVars(home: string, root: string, agentId: string): Record<string, string> {
  return {
    HOME: home,
    KILO_TEST_HOME: home,
    XDG_DATA_HOME: `${home}/.local/share`,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_STATE_HOME: `${home}/.local/state`,
    XDG_CACHE_HOME: cacheDir(root),
    [CRED_DIR_ENV]: agentCredDir(root, agentId),
    GIT_TERMINAL_PROMPT: '0',
  };
}

/**
 * §6 item 3: the user's identity with the co-author trailer (unless disabled) when the town sets
 * both author fields; otherwise the agent's bot identity, without a trailer.
 */
function gitIdentityVars(agentName: string, live: ContainerConfig): Record<string, string> {
  const bot = botIdentity(agentName);
  const user = live.git_author_name !== undefined && live.git_author_email !== undefined;
  const name = user ? (live.git_author_name ?? bot.name) : bot.name;
  const email = user ? (live.git_author_email ?? bot.email) : bot.email;
  const vars: Record<string, string> = {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
  if (user && !live.disable_ai_coauthor) vars[COAUTHOR_TRAILER_ENV] = `Co-authored-by: ${bot.name} <${bot.email}>`;
  return vars;
}

/**
 * §6 item 4, from the live config only (absent = revoked). GitHub keys for every role but a
 * GitLab rig, GitLab keys for every role but a GitHub rig; the mayor gets both.
 */
function gitAuthVars(request: StartAgentRequest, live: ContainerConfig): Record<string, string> {
  const host = request.role === 'mayor' ? undefined : request.rig?.scm?.provider;
  const vars: Record<string, string> = {};
  if (host !== 'gitlab') {
    const gitToken = live.git_auth.github_token;
    const pat = live.github_cli_pat;
    if (gitToken !== undefined) {
      vars.GIT_TOKEN = gitToken;
      vars.GITHUB_TOKEN = gitToken;
    }
    if (pat !== undefined) vars.GITHUB_CLI_PAT = pat;
    const gh = pat ?? gitToken;
    if (gh !== undefined) vars.GH_TOKEN = gh;
  }
  if (host !== 'github') {
    if (live.git_auth.gitlab_token !== undefined) vars.GITLAB_TOKEN = live.git_auth.gitlab_token;
    if (live.git_auth.gitlab_instance_url !== undefined) vars.GITLAB_HOST = live.git_auth.gitlab_instance_url;
  }
  return vars;
}

/** §6 item 5, the provider's extra env (the Kilo gateway only). */
function providerVars(provider: ResolvedProvider, live: ContainerConfig): Record<string, string> {
  if (provider.kind !== 'kilo') return {};
  const vars: Record<string, string> = {
    KILOCODE_TOKEN: provider.token,
    KILO_PLATFORM: 'gastown',
    KILO_AUTH_CONTENT: JSON.stringify({ kilo: { type: 'api', key: provider.token } }),
  };
  if (live.kilo_api_url !== undefined) vars.KILO_API_URL = live.kilo_api_url;
  if (provider.organizationId !== null) {
    vars.KILO_ORG_ID = provider.organizationId;
    vars.GASTOWN_ORGANIZATION_ID = provider.organizationId;
  }
  return vars;
}

/** The layout's workdir for the role (`container.md` §9.1). */
function workdirHintFor(request: StartAgentRequest, root: string): string | undefined {
  if (request.role === 'mayor') return mayorWorkspace(root);
  if (request.rig === undefined) return undefined;
  return request.role === 'polecat'
    ? polecatWorktree(root, request.rig_id, request.rig.branch)
    : refineryWorktree(root, request.rig_id, request.agent_id);
}
