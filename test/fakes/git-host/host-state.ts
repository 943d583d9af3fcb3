/**
 * Everything one fake git host holds: its bare repositories, accepted tokens, request log and
 * queued failures, and the review state (PRs/MRs, threads, checks, allowed merge methods).
 * Shared by the handler, the API apps and the control routes.
 */
import type { PullStore } from './pulls.ts';
import type { RepoStore } from './repos.ts';
import type { RequestLog } from './request-log.ts';
import type { TokenSet } from './tokens.ts';

export interface FakeHostState {
  readonly repos: RepoStore;
  readonly tokens: TokenSet;
  readonly log: RequestLog;
  readonly pulls: PullStore;
}
