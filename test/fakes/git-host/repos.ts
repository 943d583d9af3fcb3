/**
 * The fake git host's bare repositories: created under one temp root as
 * `<root>/<owner…>/<repo>.git` (GitLab owners may nest groups), optionally seeded with one commit
 * of files on the default branch, and looked up by path. Ref and file reads used by the API, and
 * direct commits for test setup (`commitFiles`), live here too.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git, runGit } from './run-git.ts';

/** Options of `createRepo`. */
export interface CreateRepoOptions {
  default_branch: string;
  /**
   * Files of the first commit (path → text). Absent: a one-line `README.md`. `{}`: an empty
   * repository without commits.
   */
  files?: Record<string, string>;
}

/** Options of `commitFiles`. */
export interface CommitFilesOptions {
  /** Where a new branch starts (default: the default branch). */
  from?: string;
  message?: string;
}

/** One hosted repository. */
export interface HostedRepo {
  /** Everything before the last segment (`acme`, or `group/sub` on GitLab). */
  owner: string;
  repo: string;
  /** `owner/repo`. */
  path: string;
  /** Absolute path of the bare repository. */
  dir: string;
  default_branch: string;
  /** Numeric id (GitLab `project.id`, GitHub `repository.id`). */
  id: number;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function checkSegments(owner: string, repo: string): void {
  const segments = [...owner.split('/'), repo];
  for (const s of segments) {
    if (!SEGMENT.test(s) || s.endsWith('.git') || s.includes('..')) throw new Error(`fake git host: invalid repository path segment ${JSON.stringify(s)}`);
  }
}

/** The bare repositories of one fake host. */
export class RepoStore {
  private readonly repos = new Map<string, HostedRepo>();
  private nextId = 1;

  private constructor(readonly root: string) {}

  /** A store in a new temp directory. */
  static async create(): Promise<RepoStore> {
    return new RepoStore(await mkdtemp(join(tmpdir(), 'fake-git-host-')));
  }

  /** Creates `owner/repo` (bare, `http.receivepack` on), seeded per `opts.files`. */
  async createRepo(owner: string, repo: string, opts: CreateRepoOptions): Promise<HostedRepo> {
    checkSegments(owner, repo);
    const path = `${owner}/${repo}`;
    if (this.repos.has(path.toLowerCase())) throw new Error(`fake git host: ${path} already exists`);
    const dir = join(this.root, ...owner.split('/'), `${repo}.git`);
    await mkdir(dirname(dir), { recursive: true });
    await git(['init', '--quiet', '--bare', `--initial-branch=${opts.default_branch}`, dir]);
    await git(['config', 'http.receivepack', 'true'], { cwd: dir });
    const files = opts.files ?? { 'README.md': `# ${repo}\n` };
    if (Object.keys(files).length > 0) await this.seed(dir, opts.default_branch, files);
    const hosted: HostedRepo = { owner, repo, path, dir, default_branch: opts.default_branch, id: this.nextId++ };
    this.repos.set(path.toLowerCase(), hosted);
    return hosted;
  }

  /** One commit holding `files` on `branch`, written through a throwaway index and work tree. */
  private async seed(dir: string, branch: string, files: Record<string, string>): Promise<void> {
    const scratch = await mkdtemp(join(tmpdir(), 'fake-git-seed-'));
    const work = join(scratch, 'tree');
    try {
      for (const [file, text] of Object.entries(files)) {
        const target = join(work, file);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      }
      const env = { GIT_DIR: dir, GIT_WORK_TREE: work, GIT_INDEX_FILE: join(scratch, 'index') };
      await git(['add', '--all', '--', '.'], { cwd: work, env });
      const tree = await git(['write-tree'], { cwd: work, env });
      const commit = await git(['commit-tree', tree, '-m', 'Initial commit'], { cwd: dir });
      await git(['update-ref', `refs/heads/${branch}`, commit], { cwd: dir });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Commits `files` (path → text; null deletes) on `branch` directly in the bare repository,
   * on top of the branch, or of `opts.from` when the branch does not exist yet. Returns the sha.
   */
  async commitFiles(repo: HostedRepo, branch: string, files: Record<string, string | null>, opts: CommitFilesOptions = {}): Promise<string> {
    const current = await this.resolve(repo, `refs/heads/${branch}`);
    const parent = current ?? (await this.resolve(repo, opts.from ?? repo.default_branch));
    if (parent === null) throw new Error(`fake git host: ${repo.path} has no ${opts.from ?? repo.default_branch} to branch ${branch} from`);
    const scratch = await mkdtemp(join(tmpdir(), 'fake-git-commit-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await git(['read-tree', parent], { cwd: repo.dir, env });
      for (const [file, text] of Object.entries(files)) {
        if (text === null) {
          await git(['update-index', '--force-remove', '--', file], { cwd: repo.dir, env });
          continue;
        }
        const blob = await git(['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: Buffer.from(text) });
        await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], { cwd: repo.dir, env });
      }
      const tree = await git(['write-tree'], { cwd: repo.dir, env });
      const commit = await git(['commit-tree', tree, '-p', parent, '-m', opts.message ?? `Update ${Object.keys(files).join(', ')}`], { cwd: repo.dir });
      await git(['update-ref', `refs/heads/${branch}`, commit, current ?? ''], { cwd: repo.dir });
      return commit;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** The text of `file` at `rev`, or null when absent. */
  async readFile(repo: HostedRepo, rev: string, file: string): Promise<string | null> {
    const run = await runGit(['show', `${rev}:${file}`], { cwd: repo.dir });
    return run.code === 0 ? run.stdout.toString('utf8') : null;
  }

  /** The repository at `path` (GitHub: case-insensitive, like the real host). */
  get(path: string): HostedRepo | null {
    return this.repos.get(path.toLowerCase()) ?? null;
  }

  /** The repository with numeric id `id`. */
  byId(id: number): HostedRepo | null {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return null;
  }

  all(): HostedRepo[] {
    return [...this.repos.values()];
  }

  /** The commit a branch (or any rev) points at, or null when it does not resolve. */
  async resolve(repo: HostedRepo, rev: string): Promise<string | null> {
    if (rev.startsWith('-')) return null;
    const run = await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: repo.dir });
    return run.code === 0 ? run.stdout.toString('utf8').trim() : null;
  }

  /** Removes every repository from disk. */
  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
