/**
 * The fake host's review state: pull requests (GitHub) / merge requests (GitLab — the same
 * records, numbered per repository), their review threads, reviews and comments, the check runs
 * and commit statuses recorded per commit, and the merge methods each repository allows. Plain
 * data; the API apps render it and `merge-ops.ts` computes mergeability.
 */
import type { HostedRepo } from './repos.ts';

export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED';
export type MergeMethod = 'merge' | 'squash' | 'rebase';
export const MERGE_METHODS: readonly MergeMethod[] = ['merge', 'squash', 'rebase'];

export interface ReviewThread {
  id: number;
  isResolved: boolean;
  body: string;
}

export interface Review {
  id: number;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  body: string;
  submitted_at: string;
}

export interface Comment {
  id: number;
  body: string;
  created_at: string;
}

export interface CheckRun {
  id: number;
  name: string;
  /** `queued`, `in_progress`, `completed`, … */
  status: string;
  /** Set when completed: `success`, `failure`, `timed_out`, … */
  conclusion: string | null;
  head_sha: string;
}

export interface CommitStatus {
  id: number;
  state: 'pending' | 'success' | 'failure' | 'error';
  context: string;
  description: string | null;
}

/** Fields tests may force on a PR (`/__fake/pulls/set`); a null override means "derive it". */
export interface PullOverrides {
  reviewDecision?: ReviewDecision | null;
  mergeStateStatus?: string | null;
  isDraft?: boolean;
  mergeable_state?: string | null;
  state?: 'open' | 'closed';
}

export interface FakePull {
  id: number;
  number: number;
  repo: HostedRepo;
  title: string;
  body: string;
  head_ref: string;
  base_ref: string;
  /** The head commit last seen (the branch may move or disappear). */
  head_sha: string;
  state: 'open' | 'closed';
  merged: boolean;
  merged_at: string | null;
  closed_at: string | null;
  merge_commit_sha: string | null;
  draft: boolean;
  review_decision: ReviewDecision | null;
  /** Overrides of the derived values; null = derived. */
  merge_state_status: string | null;
  mergeable_state: string | null;
  threads: ReviewThread[];
  reviews: Review[];
  comments: Comment[];
  created_at: string;
  updated_at: string;
}

export interface NewPull {
  title: string;
  body: string;
  head_ref: string;
  base_ref: string;
  head_sha: string;
  draft: boolean;
}

function key(repo: HostedRepo): string {
  return repo.path.toLowerCase();
}

/** Everything review-related of one host. */
export class PullStore {
  private readonly pulls = new Map<string, FakePull[]>();
  private readonly runs = new Map<string, CheckRun[]>();
  private readonly statuses = new Map<string, CommitStatus[]>();
  private readonly methods = new Map<string, Set<MergeMethod>>();
  private nextId = 1000;

  /** A new id (PRs, threads, reviews, comments, checks share one sequence, like node ids). */
  id(): number {
    return this.nextId++;
  }

  create(repo: HostedRepo, fields: NewPull): FakePull {
    const list = this.pulls.get(key(repo)) ?? [];
    const now = new Date().toISOString();
    const pull: FakePull = {
      id: this.id(),
      number: list.length + 1,
      repo,
      ...fields,
      state: 'open',
      merged: false,
      merged_at: null,
      closed_at: null,
      merge_commit_sha: null,
      review_decision: null,
      merge_state_status: null,
      mergeable_state: null,
      threads: [],
      reviews: [],
      comments: [],
      created_at: now,
      updated_at: now,
    };
    list.push(pull);
    this.pulls.set(key(repo), list);
    return pull;
  }

  list(repo: HostedRepo): FakePull[] {
    return this.pulls.get(key(repo)) ?? [];
  }

  get(repo: HostedRepo, number: number): FakePull | null {
    return this.list(repo).find((p) => p.number === number) ?? null;
  }

  /** Applies test overrides. */
  override(pull: FakePull, fields: PullOverrides): void {
    if (fields.reviewDecision !== undefined) pull.review_decision = fields.reviewDecision;
    if (fields.mergeStateStatus !== undefined) pull.merge_state_status = fields.mergeStateStatus;
    if (fields.mergeable_state !== undefined) pull.mergeable_state = fields.mergeable_state;
    if (fields.isDraft !== undefined) pull.draft = fields.isDraft;
    if (fields.state !== undefined) {
      pull.state = fields.state;
      pull.closed_at = fields.state === 'closed' ? new Date().toISOString() : null;
    }
    pull.updated_at = new Date().toISOString();
  }

  /** Records a submitted review; APPROVE / REQUEST_CHANGES set the review decision. */
  review(pull: FakePull, state: Review['state'], body: string): Review {
    const review: Review = { id: this.id(), state, body, submitted_at: new Date().toISOString() };
    pull.reviews.push(review);
    if (state === 'APPROVED') pull.review_decision = 'APPROVED';
    if (state === 'CHANGES_REQUESTED') pull.review_decision = 'CHANGES_REQUESTED';
    pull.updated_at = review.submitted_at;
    return review;
  }

  comment(pull: FakePull, body: string): Comment {
    const comment: Comment = { id: this.id(), body, created_at: new Date().toISOString() };
    pull.comments.push(comment);
    return comment;
  }

  addThreads(pull: FakePull, count: number, resolved: boolean): number[] {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const thread: ReviewThread = { id: this.id(), isResolved: resolved, body: `review thread ${pull.threads.length + 1}` };
      pull.threads.push(thread);
      ids.push(thread.id);
    }
    return ids;
  }

  /** Resolves the threads with `ids`, or all of them. */
  resolveThreads(pull: FakePull, ids?: readonly number[]): void {
    for (const t of pull.threads) if (ids === undefined || ids.includes(t.id)) t.isResolved = true;
  }

  checkRuns(repo: HostedRepo, sha: string): CheckRun[] {
    return this.runs.get(`${key(repo)}@${sha}`) ?? [];
  }

  addCheckRuns(repo: HostedRepo, sha: string, runs: readonly { name?: string; status: string; conclusion?: string | null }[]): void {
    const list = this.checkRuns(repo, sha);
    for (const r of runs) {
      const id = this.id();
      list.push({ id, name: r.name ?? `check-${id}`, status: r.status, conclusion: r.conclusion ?? null, head_sha: sha });
    }
    this.runs.set(`${key(repo)}@${sha}`, list);
  }

  commitStatuses(repo: HostedRepo, sha: string): CommitStatus[] {
    return this.statuses.get(`${key(repo)}@${sha}`) ?? [];
  }

  addStatuses(repo: HostedRepo, sha: string, statuses: readonly { state: CommitStatus['state']; context?: string; description?: string | null }[]): void {
    const list = this.commitStatuses(repo, sha);
    for (const s of statuses) {
      const id = this.id();
      list.push({ id, state: s.state, context: s.context ?? `ci/status-${id}`, description: s.description ?? null });
    }
    this.statuses.set(`${key(repo)}@${sha}`, list);
  }

  /** The merge methods `repo` allows (all three unless set). */
  allowedMethods(repo: HostedRepo): ReadonlySet<MergeMethod> {
    return this.methods.get(key(repo)) ?? new Set(MERGE_METHODS);
  }

  setAllowedMethods(repo: HostedRepo, methods: readonly MergeMethod[]): void {
    this.methods.set(key(repo), new Set(methods));
  }
}
