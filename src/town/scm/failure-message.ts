/**
 * `failureMessageFor` (`scm.md` §4 message table): the actionable text of a PR poll failure,
 * naming GitHub or GitLab (with each host's own permission wording) and the PR. Pure; used by
 * `nextPollCounterState` and shown in the `pr_poll_failed` event, the MR's failure reason and
 * the escalation.
 */
import type { PrStatusFailure } from '../../protocol/scm.ts';
import { parsePrUrl } from './parse-pr-url.ts';
import type { Provider } from './repo-ref.ts';
import { describeTrace } from './token-chain.ts';

/** What the message can name besides the outcome. */
export interface FailureContext {
  /** The stored PR URL. */
  pr_url?: string;
  /** Consecutive failures so far (transient / invalid-response messages). */
  count?: number;
}

function hostName(provider: Provider): string {
  return provider === 'github' ? 'GitHub' : provider === 'gitlab' ? 'GitLab' : 'The git host';
}

/** `PR #12 (<url>)`, `MR !3 (<url>)`, or `the PR`. */
function prName(ctx: FailureContext): string {
  if (ctx.pr_url === undefined) return 'the PR';
  const parsed = parsePrUrl(ctx.pr_url, true);
  if (!parsed.ok) return `the PR (${ctx.pr_url})`;
  const label = parsed.pr.provider === 'gitlab' ? `MR !${parsed.pr.number}` : `PR #${parsed.pr.number}`;
  return `${label} (${ctx.pr_url})`;
}

export function failureMessageFor(outcome: PrStatusFailure, provider: Provider, ctx: FailureContext = {}): string {
  const host = hostName(provider);
  const pr = prName(ctx);
  const count = ctx.count ?? 1;
  switch (outcome.kind) {
    case 'no_token': {
      const fix = provider === 'gitlab' ? 'set a GitLab access token (git_auth.gitlab_token)' : 'connect the integration or set a personal access token';
      return `${host}: no token found to poll ${pr} (tried: ${describeTrace(outcome.trace)}); ${fix}.`;
    }
    case 'unrecognized_url':
      return `${pr} is not a GitHub/GitLab PR URL; no token was sent.`;
    case 'host_mismatch':
      return `The host of ${pr} (${outcome.pr_host}) differs from the rig's (${outcome.rig_host}); no token was sent.`;
    case 'invalid_response':
      return `${host}'s API returned an unexpected response for ${pr} ${count} times in a row (${outcome.reason}).`;
    case 'http_error':
      return httpMessage(outcome, provider, host, pr, count);
  }
}

function httpMessage(outcome: Extract<PrStatusFailure, { kind: 'http_error' }>, provider: Provider, host: string, pr: string, count: number): string {
  const { status } = outcome;
  if (outcome.transient) return `${host}'s API failed ${count} times in a row for ${pr} (last: ${status === 0 ? 'network error' : `HTTP ${status}`}).`;
  if (status === 401) return `${host} rejected the token for ${pr} (401); it may have expired or been revoked.`;
  if (status === 403 && provider === 'gitlab') return `GitLab refused access to ${pr} (403): the token needs the read_api scope and at least Reporter access to the project.`;
  if (status === 403) return `${host} refused access to ${pr} (403): the token needs Pull requests: read and Contents: read (or the repo scope), or a rate limit was hit.`;
  if (status === 404) return `${host} answered 404 for ${pr}: the PR does not exist or the token cannot see the repository.`;
  return `${host} answered HTTP ${status} for ${pr}.`;
}
