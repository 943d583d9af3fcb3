/**
 * The fake git host (`scm.md` §8) for container, workerd and end-to-end tests: git smart HTTP over
 * bare repositories in a temp dir, GitHub REST (`/api/v3`) and GraphQL (`/api/graphql`), GitLab
 * REST (`/api/v4`), all token-checked, every request recorded, failures and PR states on demand
 * (`control`, or `/__fake/*` over HTTP).
 * `startFakeGitHost()` serves it on 127.0.0.1:0; `createFakeGitHost()` gives the bare handler
 * `(Request) → Promise<Response>` (e.g. a workerd pool's outbound fetch).
 */
import { buildHandler } from './handler.ts';
import type { FakeHostState } from './host-state.ts';
import { controlApp, createControl, type FakeControl } from './control.ts';
import { githubApp } from './github-api.ts';
import { githubGraphqlApp } from './github-graphql.ts';
import { gitlabApp } from './gitlab-api.ts';
import { serveOnLoopback } from './node-server.ts';
import { PullStore } from './pulls.ts';
import { RepoStore, type CommitFilesOptions, type CreateRepoOptions, type HostedRepo } from './repos.ts';
import { RequestLog } from './request-log.ts';
import { DEFAULT_FAKE_TOKEN, TokenSet } from './tokens.ts';

export type { CheckRunInput, CommitTarget, FakeControl, StatusInput } from './control.ts';
export type { FakePull, MergeMethod, PullOverrides, ReviewDecision } from './pulls.ts';
export type { CommitFilesOptions, CreateRepoOptions, HostedRepo } from './repos.ts';
export type { QueuedFailure, RecordedRequest } from './request-log.ts';
export { DEFAULT_FAKE_TOKEN, TokenSet } from './tokens.ts';

export interface FakeGitHostOptions {
  /** Initially accepted tokens; default `[DEFAULT_FAKE_TOKEN]`. */
  tokens?: readonly string[];
}

/** A fake host without a server: its handler and state. */
export interface FakeGitHostCore {
  handler: (request: Request) => Promise<Response>;
  createRepo(owner: string, repo: string, opts: CreateRepoOptions): Promise<HostedRepo>;
  /** Commits `files` (null deletes) on `branch` of `repo` (`owner/repo`) without HTTP; returns the sha. */
  commitFiles(repo: string, branch: string, files: Record<string, string | null>, opts?: CommitFilesOptions): Promise<string>;
  /** The text of `file` at `rev` (a branch or sha) of `repo`, or null. */
  readFile(repo: string, rev: string, file: string): Promise<string | null>;
  /** The commit `rev` resolves to in `repo`, or null. */
  resolve(repo: string, rev: string): Promise<string | null>;
  control: FakeControl;
  /** Accepted tokens: add/revoke at runtime. */
  tokens: TokenSet;
  /** Deletes the repositories. */
  dispose(): Promise<void>;
}

/** A running fake host. */
export interface FakeGitHost extends Omit<FakeGitHostCore, 'createRepo' | 'dispose'> {
  /** `http://127.0.0.1:<port>`; rig `git_url`s are `${url}/<owner>/<repo>.git`. */
  url: string;
  /** GitHub Enterprise layout: the town's `github_api_url` (`${url}/api/v3`). */
  api_url: string;
  /** The GitLab instance URL (`git_auth.gitlab_instance_url`): `${url}`. */
  gitlab_url: string;
  createRepo(owner: string, repo: string, opts: CreateRepoOptions): Promise<HostedRepo & { git_url: string }>;
  stop(): Promise<void>;
}

/** The host's state and handler, no server (the caller routes requests to `handler`). */
export async function createFakeGitHost(opts: FakeGitHostOptions = {}): Promise<FakeGitHostCore> {
  const state: FakeHostState = {
    repos: await RepoStore.create(),
    tokens: new TokenSet(opts.tokens ?? [DEFAULT_FAKE_TOKEN]),
    log: new RequestLog(),
    pulls: new PullStore(),
  };
  const hosted = (path: string): HostedRepo => {
    const repo = state.repos.get(path);
    if (repo === null) throw new Error(`fake git host: no repository ${path}`);
    return repo;
  };
  const control = createControl(state);
  const handler = buildHandler(state, controlApp(state, control), [githubApp(state), githubGraphqlApp(state), gitlabApp(state)]);
  return {
    handler,
    createRepo: (owner, repo, repoOpts) => state.repos.createRepo(owner, repo, repoOpts),
    commitFiles: (repo, branch, files, commitOpts) => state.repos.commitFiles(hosted(repo), branch, files, commitOpts),
    readFile: (repo, rev, file) => state.repos.readFile(hosted(repo), rev, file),
    resolve: (repo, rev) => state.repos.resolve(hosted(repo), rev),
    control,
    tokens: state.tokens,
    dispose: () => state.repos.dispose(),
  };
}

/** Starts a fake host on 127.0.0.1 with an OS-chosen port. */
export async function startFakeGitHost(opts: FakeGitHostOptions = {}): Promise<FakeGitHost> {
  const core = await createFakeGitHost(opts);
  const server = await serveOnLoopback(core.handler);
  const url = server.origin;
  return {
    url,
    api_url: `${url}/api/v3`,
    gitlab_url: url,
    handler: core.handler,
    commitFiles: core.commitFiles,
    readFile: core.readFile,
    resolve: core.resolve,
    control: core.control,
    tokens: core.tokens,
    createRepo: async (owner, repo, repoOpts) => ({ ...(await core.createRepo(owner, repo, repoOpts)), git_url: `${url}/${owner}/${repo}.git` }),
    stop: async () => {
      await server.close();
      await core.dispose();
    },
  };
}
