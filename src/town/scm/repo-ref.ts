/**
 * Types shared by the git-hosting URL helpers (`scm.md` §1): the provider of a host, a parsed rig
 * repository (`RepoRef`) and the slice of town config the parser needs (`ScmHostConfig`).
 * Produced by `parse-repo-url.ts`; read by token routing, PR polling and `match-pr-to-rig.ts`.
 */

/** Which API a host speaks; `none` means plain git (no PRs, default strategy `direct`). */
export type Provider = 'github' | 'gitlab' | 'none';

/** A rig's repository as the worker talks to its host. */
export interface RepoRef {
  provider: Provider;
  /** Lower-case host; a non-default port is kept (`127.0.0.1:8080`). */
  host: string;
  /** Everything before the last path segment (GitLab groups may nest: `a/b/c`). */
  owner: string;
  /** The last path segment without a trailing `.git`. */
  repo: string;
  /** `owner/repo`; for GitLab the project path, URL-encoded as the API project id. */
  path: string;
  /** Web root the `path` hangs off (`https://github.com`, a GitLab instance URL). */
  web_base: string;
  /** REST base without a trailing slash; `''` for provider `none` (no API, no token). */
  api_base: string;
  /** GitHub GraphQL endpoint; absent on GitLab and `none`. */
  graphql_url?: string;
}

/** What `parseRepoUrl` needs from town config plus the environment. */
export interface ScmHostConfig {
  /** Town `github_api_url` (GitHub Enterprise or the fake host); null/absent = api.github.com only. */
  github_api_url?: string | null;
  /** Town `git_auth.gitlab_instance_url` (self-managed GitLab); null/absent = gitlab.com only. */
  gitlab_instance_url?: string | null;
  /** True when ENVIRONMENT is development: loopback `http://` becomes acceptable. */
  development: boolean;
}
