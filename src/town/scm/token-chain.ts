/**
 * Git-host token resolution (`scm.md` §2): GitHub = PAT → platform integration (through the
 * optional `GIT_TOKEN_SERVICE` binding) → stored token, first hit wins, with a trace of every
 * source tried (never a token value); GitLab = the stored token. Resolved fresh on every call:
 * nothing is cached here. Pure except the service call.
 */
import type { TownConfig } from '../../protocol/config.ts';
import type { GitTokenOutcome, GitTokenSource, GitTokenTraceEntry } from '../../protocol/scm.ts';

/** The optional service binding that mints integration tokens (`env.GIT_TOKEN_SERVICE`). */
export interface GitTokenService {
  getToken(integrationId: string): Promise<string | null>;
}

/** What the chain needs from the environment. */
export interface TokenChainEnv {
  GIT_TOKEN_SERVICE?: GitTokenService | undefined;
}

export type TokenSource = GitTokenSource;
export type TokenOutcome = GitTokenOutcome;

/** One source the chain tried; `detail` never holds a token (the wire shape of `protocol/scm.ts`). */
export type TraceEntry = GitTokenTraceEntry;

export interface TokenResolution {
  token: string | null;
  source?: TokenSource;
  trace: TraceEntry[];
}

type GitAuthConfig = Pick<TownConfig, 'github_cli_pat' | 'git_auth'>;

const MAX_DETAIL = 200;

/**
 * Masks anything token-like in an error text: URL userinfo and long runs of token characters
 * (`****` + their last 4), so an exception thrown by the token service never leaks a secret.
 */
export function redactTokenLike(text: string): string {
  const masked = text
    .replace(/:\/\/[^/@\s]*@/g, '://***@')
    .replace(/[A-Za-z0-9_\-.~+/=]{20,}/g, (run) => `****${run.slice(-4)}`);
  return masked.length > MAX_DETAIL ? `${masked.slice(0, MAX_DETAIL)}…` : masked;
}

async function fromIntegration(config: GitAuthConfig, env: TokenChainEnv): Promise<{ token: string | null; entry: TraceEntry }> {
  const id = config.git_auth.platform_integration_id;
  if (id === undefined) return { token: null, entry: { source: 'integration', outcome: 'absent' } };
  const service = env.GIT_TOKEN_SERVICE;
  if (service === undefined) {
    return { token: null, entry: { source: 'integration', outcome: 'unbound', detail: 'integration configured but GIT_TOKEN_SERVICE not bound' } };
  }
  try {
    const token = await service.getToken(id);
    if (typeof token === 'string' && token.length > 0) return { token, entry: { source: 'integration', outcome: 'used' } };
    return { token: null, entry: { source: 'integration', outcome: 'empty', detail: 'the token service returned an empty token' } };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { token: null, entry: { source: 'integration', outcome: 'error', detail: redactTokenLike(message) } };
  }
}

/** GitHub: `github_cli_pat` → integration → stored `git_auth.github_token`; first hit wins. */
export async function resolveGitHubToken(config: GitAuthConfig, env: TokenChainEnv): Promise<TokenResolution> {
  const trace: TraceEntry[] = [];
  const pat = config.github_cli_pat;
  if (pat !== null && pat.length > 0) {
    trace.push({ source: 'github_cli_pat', outcome: 'used' });
    return { token: pat, source: 'github_cli_pat', trace };
  }
  trace.push({ source: 'github_cli_pat', outcome: 'absent' });
  const integration = await fromIntegration(config, env);
  trace.push(integration.entry);
  if (integration.token !== null) return { token: integration.token, source: 'integration', trace };
  const stored = config.git_auth.github_token;
  if (stored !== undefined && stored.length > 0) {
    trace.push({ source: 'stored', outcome: 'used' });
    return { token: stored, source: 'stored', trace };
  }
  trace.push({ source: 'stored', outcome: 'absent' });
  return { token: null, trace };
}

/** GitLab: the stored `git_auth.gitlab_token`, in the same shape. */
export async function resolveGitLabToken(config: GitAuthConfig): Promise<TokenResolution> {
  const stored = config.git_auth.gitlab_token;
  if (stored !== undefined && stored.length > 0) return { token: stored, source: 'stored', trace: [{ source: 'stored', outcome: 'used' }] };
  return { token: null, trace: [{ source: 'stored', outcome: 'absent' }] };
}

/** `github_cli_pat: absent; integration: unbound; stored: absent`. */
export function describeTrace(trace: readonly TraceEntry[]): string {
  return trace.map((e) => `${e.source}: ${e.outcome}`).join('; ');
}
