/**
 * What the control routes `/repos/setup` and `/git/merge` call (`container.md` §2): a synchronous
 * refusal of bad input naming the field (ids, git URL, branches; so the route answers 400, not a
 * background failure), then the work in the background — setup under the rig lock with failures
 * logged (redacted), merges through `MergeJobs` (idempotent per `request_id`).
 */
import type { GitMerge, ReposSetup } from '../../../src/protocol/control.ts';
import type { Logger, Redactor } from '../redact.ts';
import type { MergeJobs } from './merge-jobs.ts';
import { checkBranch, checkGitUrl, checkPathId } from './validation.ts';
import type { Check } from './validation.ts';
import type { Workspaces } from './workspaces.ts';

/** A refused field of a request body. */
export interface FieldRefusal {
  field: string;
  message: string;
}

/** The git side of the control routes. */
export interface GitControl {
  /** Why `body` cannot be worked on, or null. */
  refuse(body: ReposSetup | GitMerge): FieldRefusal | null;
  /** Starts `/repos/setup` in the background. */
  startSetup(body: ReposSetup): void;
  /** Starts (or recognises a repeat of) `/git/merge`. */
  submitMerge(body: GitMerge): { duplicate: boolean };
  /** Resolves once the background work started so far has ended (tests). */
  settled(): Promise<void>;
}

/** Collaborators of `createGitControl`. */
export interface GitControlOptions {
  workspaces: Pick<Workspaces, 'setupRepo'>;
  merges: MergeJobs;
  /** `GASTOWN_LOCAL_MODEL=allow`: `file://` rig URLs are accepted. */
  localAllowed: boolean;
  log: Logger;
  redactor: Redactor;
}

/** The pure field checks of a setup or merge body (the schema ran already). */
export function refuseGitBody(body: ReposSetup | GitMerge, localAllowed: boolean): FieldRefusal | null {
  const checks: [string, Check | { ok: true; kind: string }][] = [
    ['rig_id', checkPathId('rig_id', body.rig_id)],
    ['git_url', checkGitUrl(body.git_url, localAllowed)],
    ['default_branch', checkBranch('default_branch', body.default_branch)],
  ];
  if ('request_id' in body) {
    checks.push(['request_id', checkPathId('request_id', body.request_id)]);
    checks.push(['branch', checkBranch('branch', body.branch)]);
    checks.push(['target_branch', checkBranch('target_branch', body.target_branch)]);
  }
  for (const [field, check] of checks) if (!check.ok) return { field, message: check.message };
  return null;
}

/** Builds the routes' git side. */
export function createGitControl(opts: GitControlOptions): GitControl {
  const setups = new Set<Promise<void>>();
  return {
    refuse: (body) => refuseGitBody(body, opts.localAllowed),
    startSetup(body) {
      const job = opts.workspaces.setupRepo(body).catch((err: unknown) => {
        opts.log.warn('repos.setup_failed', { rig_id: body.rig_id, error: opts.redactor.redact(err instanceof Error ? err.message : String(err)) });
      });
      setups.add(job);
      void job.finally(() => setups.delete(job));
    },
    submitMerge: (body) => opts.merges.submit(body),
    async settled() {
      while (setups.size > 0) await Promise.all([...setups]);
      await opts.merges.settled();
    },
  };
}
