/**
 * Bare git repositories for end-to-end towns: created with one commit on the default branch
 * (real `git` through `execFile`, argument arrays only), then read back — branch heads, the
 * history of a branch, whether a commit is reachable or an ancestor of a branch, a file's
 * text at a revision. The repository's `file://` URL is what a development rig accepts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Identity of the seed commit (never the town's agents). */
const SEED_ENV = { GIT_AUTHOR_NAME: 'E2E seed', GIT_AUTHOR_EMAIL: 'seed@e2e.invalid', GIT_COMMITTER_NAME: 'E2E seed', GIT_COMMITTER_EMAIL: 'seed@e2e.invalid' };

/** Runs git with `args` in `cwd`; resolves with trimmed stdout, rejects with stderr. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd, env: { ...process.env, ...SEED_ENV, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Whether `git args` exits 0 (for predicates such as `merge-base --is-ancestor`). */
async function gitOk(cwd: string, args: readonly string[]): Promise<boolean> {
  try {
    await git(cwd, args);
    return true;
  } catch {
    return false;
  }
}

/** One commit of a branch's history. */
export interface CommitInfo {
  sha: string;
  subject: string;
}

/** A bare repository on disk. */
export class BareRepo {
  constructor(
    /** The bare repository's directory. */
    readonly path: string,
    readonly defaultBranch: string,
  ) {}

  /** `file:///…`, the rig URL development accepts. */
  get url(): string {
    return `file://${this.path}`;
  }

  /** The sha a branch points at, or null when it does not exist. */
  async branchSha(branch: string): Promise<string | null> {
    try {
      return await git(this.path, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
    } catch {
      return null;
    }
  }

  /** Every branch and its head, e.g. `{main: 'abc…', 'gt/toast/1234abcd': 'def…'}`. */
  async branches(): Promise<Record<string, string>> {
    const out = await git(this.path, ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads/']);
    const heads: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const [name, sha] = line.split(' ');
      if (name !== undefined && name !== '' && sha !== undefined) heads[name] = sha;
    }
    return heads;
  }

  /** The first-parent history of `branch`, newest first (merges included). */
  async firstParentLog(branch: string): Promise<CommitInfo[]> {
    const out = await git(this.path, ['log', '--first-parent', '--format=%H %s', `refs/heads/${branch}`]);
    return out.split('\n').filter((l) => l !== '').map((l) => ({ sha: l.slice(0, 40), subject: l.slice(41) }));
  }

  /** The whole history of `branch` (every parent), newest first. */
  async log(branch: string): Promise<CommitInfo[]> {
    const out = await git(this.path, ['log', '--format=%H %s', `refs/heads/${branch}`]);
    return out.split('\n').filter((l) => l !== '').map((l) => ({ sha: l.slice(0, 40), subject: l.slice(41) }));
  }

  /** Whether the object exists and is a commit. */
  hasCommit(sha: string): Promise<boolean> {
    return gitOk(this.path, ['cat-file', '-e', `${sha}^{commit}`]);
  }

  /** Whether `sha` is reachable from `branch`. */
  isAncestor(sha: string, branch: string): Promise<boolean> {
    return gitOk(this.path, ['merge-base', '--is-ancestor', sha, `refs/heads/${branch}`]);
  }

  /** The branches `sha` is reachable from (empty: it exists at most as an unreachable object). */
  async branchesContaining(sha: string): Promise<string[]> {
    const out = await git(this.path, ['for-each-ref', '--format=%(refname:short)', '--contains', sha, 'refs/heads/']);
    return out.split('\n').filter((l) => l !== '');
  }

  /** A file's text at `rev` (a branch or sha), or null when absent. */
  async readFile(rev: string, file: string): Promise<string | null> {
    try {
      return await git(this.path, ['show', `${rev}:${file}`]);
    } catch {
      return null;
    }
  }
}

/** Bare repositories under one temp dir, removed together. */
export class RepoFactory {
  private constructor(readonly root: string) {}

  static async create(): Promise<RepoFactory> {
    return new RepoFactory(await mkdtemp(join(tmpdir(), 'gastown-e2e-repos-')));
  }

  /** A bare repository `<name>.git` whose default branch holds one commit with `files` (default: a README). */
  async bare(name: string, opts: { defaultBranch?: string; files?: Record<string, string> } = {}): Promise<BareRepo> {
    const branch = opts.defaultBranch ?? 'main';
    const path = join(this.root, `${name}.git`);
    await git(this.root, ['init', '--bare', '--quiet', `--initial-branch=${branch}`, path]);
    const seed = join(this.root, `${name}-seed`);
    await git(this.root, ['init', '--quiet', `--initial-branch=${branch}`, seed]);
    for (const [file, text] of Object.entries(opts.files ?? { 'README.md': `# ${name}\n` })) {
      await mkdir(dirname(join(seed, file)), { recursive: true });
      await writeFile(join(seed, file), text);
    }
    await git(seed, ['add', '-A']);
    await git(seed, ['commit', '--quiet', '-m', 'Initial commit']);
    await git(seed, ['push', '--quiet', path, `HEAD:refs/heads/${branch}`]);
    await rm(seed, { recursive: true, force: true });
    return new BareRepo(path, branch);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
