/**
 * `checkPrStatus` (`scm.md` §4): one status request for a rig's PR, GitHub or GitLab, with the
 * freshly resolved token. No token → `no_token` with the chain's trace, and nothing is sent.
 * Called by `poll-pr.ts` and, before merging, `auto-merge.ts`.
 */
import type { PrStatusOutcome } from '../../protocol/scm.ts';
import { githubPrStatus } from './github-pulls.ts';
import { gitlabPrStatus } from './gitlab-mrs.ts';
import type { ScmCallOptions, ScmFetch } from './http-json.ts';
import type { PrApiRef } from './pr-api-ref.ts';
import type { TokenResolution } from './token-chain.ts';

export async function checkPrStatus(ref: PrApiRef, token: TokenResolution, fetch: ScmFetch, opts: ScmCallOptions = {}): Promise<PrStatusOutcome> {
  if (token.token === null) return { ok: false, kind: 'no_token', trace: token.trace };
  return ref.provider === 'github' ? githubPrStatus(ref, token.token, fetch, opts) : gitlabPrStatus(ref, token.token, fetch, opts);
}
