/**
 * `PrEffectExecutor`: the git-host half of the reconciler's effects (`reconciler.md` §4,
 * `scm.md` §4–§7), run in the TownDO after commit. `poll_pr` → `pollPr` (status, and feedback
 * when the rig auto-resolves or auto-merges) → a `pr_polled` event; `merge_pr` →
 * `attemptAutoMerge` (fresh green check, then squash → merge → rebase) → `pr_merge_attempted`.
 * Tokens are resolved fresh for each call and only for a PR on the rig's own repository. `fetch`
 * is injected (workerd tests route it to the fake git host).
 */
import type { TownConfig } from '../../protocol/config.ts';
import type { PrMergeAttemptedPayload } from '../../protocol/events.ts';
import type { PrPollReport } from '../../protocol/scm.ts';
import type { EffectIntent } from '../context.ts';
import type { SqlHandle } from '../db/sql.ts';
import type { NewTownEvent } from '../events/town-events.ts';
import type { EffectContext, EffectExecutor } from '../reconciler/effects.ts';
import { autoMergeEnabled } from '../scm/auto-merge-decision.ts';
import { attemptAutoMerge } from '../scm/auto-merge.ts';
import type { ScmFetch } from '../scm/http-json.ts';
import { parsePrUrl } from '../scm/parse-pr-url.ts';
import { pollPr } from '../scm/poll-pr.ts';
import type { RepoRef } from '../scm/repo-ref.ts';
import { resolveGitHubToken, resolveGitLabToken, type TokenChainEnv, type TokenResolution } from '../scm/token-chain.ts';
import { prEffectFacts, type PrEffectFacts } from './pr-facts.ts';

export interface PrEffectDeps {
  sql(): SqlHandle;
  /** The token service binding (`GIT_TOKEN_SERVICE`), when bound. */
  env: TokenChainEnv;
  development: boolean;
  fetch: ScmFetch;
}

type PrIntent = Extract<EffectIntent, { kind: 'poll_pr' | 'merge_pr' }>;

export class PrEffectExecutor implements Pick<EffectExecutor, 'run'> {
  constructor(private readonly d: PrEffectDeps) {}

  async run(intent: EffectIntent, ctx: EffectContext): Promise<NewTownEvent[]> {
    if (intent.kind !== 'poll_pr' && intent.kind !== 'merge_pr') throw new Error(`${intent.kind} is not a git-host effect`);
    const facts = prEffectFacts(this.d.sql(), intent.bead_id, this.d.development);
    if (facts === null) return [];
    return intent.kind === 'poll_pr' ? [await this.poll(intent, facts, ctx)] : [await this.merge(intent, facts, ctx)];
  }

  private async poll(intent: PrIntent, facts: PrEffectFacts, ctx: EffectContext): Promise<NewTownEvent> {
    const repo = facts.repo;
    const { refinery } = facts;
    const report: PrPollReport =
      repo === null
        ? { outcome: unparsableRig(facts.pr_url) }
        : await pollPr(
            {
              rig: repo,
              pr_url: facts.pr_url,
              development: this.d.development,
              resolveToken: () => this.resolveToken(facts.config, repo),
              wants_feedback:
                refinery.auto_resolve_pr_feedback || refinery.auto_resolve_merge_conflicts || autoMergeEnabled({ auto_merge: refinery.auto_merge, delay_minutes: refinery.auto_merge_delay_minutes }),
            },
            this.d.fetch,
            { deadline: wallDeadline(ctx) },
          );
    return { event_type: 'pr_polled', bead_id: intent.bead_id, payload: report };
  }

  private async merge(intent: PrIntent, facts: PrEffectFacts, ctx: EffectContext): Promise<NewTownEvent> {
    const repo = facts.repo;
    const payload: PrMergeAttemptedPayload =
      repo === null
        ? { ok: false, error: 'not merged: the rig repository URL is not on a known git host; no token was sent' }
        : await attemptAutoMerge(
            {
              rig: repo,
              pr_url: facts.pr_url,
              development: this.d.development,
              resolveToken: () => this.resolveToken(facts.config, repo),
              code_review: facts.refinery.code_review,
              reviewed: facts.reviewed,
              live_followups: facts.live_followups,
            },
            this.d.fetch,
            { deadline: wallDeadline(ctx) },
          );
    return { event_type: 'pr_merge_attempted', bead_id: intent.bead_id, payload };
  }

  /** A fresh token of the rig's provider (`scm.md` §2); the chain caches nothing. */
  private resolveToken(config: TownConfig, repo: RepoRef): Promise<TokenResolution> {
    return repo.provider === 'gitlab' ? resolveGitLabToken(config) : resolveGitHubToken(config, this.d.env);
  }
}

/**
 * The effect's deadline on the wall clock: `ctx` times come from the town clock (pinned in
 * tests), while the HTTP clients measure time with `Date.now()`. The budget is what is left.
 */
function wallDeadline(ctx: EffectContext): number {
  return Date.now() + Math.max(0, ctx.deadline - ctx.now);
}

/** A rig whose git URL does not parse has no host a token may go to. */
function unparsableRig(prUrl: string): PrPollReport['outcome'] {
  const pr = parsePrUrl(prUrl, true);
  return { ok: false, kind: 'host_mismatch', pr_host: pr.ok ? pr.pr.host : 'unknown', rig_host: 'unknown' };
}
