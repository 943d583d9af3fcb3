/**
 * The demo's git: the rig's origin (a bare repository with one README commit, built with
 * plumbing commands so no working tree, hook, signing or user git config gets involved) and
 * reading a file back from a branch. Every call is `git` with an argument array, never a shell.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const GIT_TIMEOUT_MS = 30_000;
const DEMO_IDENTITY = {
  GIT_AUTHOR_NAME: 'Gastown demo',
  GIT_AUTHOR_EMAIL: 'demo@gastown.invalid',
  GIT_COMMITTER_NAME: 'Gastown demo',
  GIT_COMMITTER_EMAIL: 'demo@gastown.invalid',
};

/** Runs git; resolves its stdout, rejects with its stderr. `input` goes to stdin. */
export function git(args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env },
      signal: AbortSignal.timeout(GIT_TIMEOUT_MS),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${err.trim()}`))));
    if (child.stdin !== null) {
      // git may exit before reading all of it; its exit code tells what happened.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/** `<dir>/origin.git`: a bare repository whose `branch` holds one commit with README.md. */
export async function createOriginRepo(dir, branch, townName) {
  const gitDir = join(dir, 'origin.git');
  await mkdir(dir, { recursive: true });
  await git(['init', '--bare', '--quiet', gitDir]);
  await git(['--git-dir', gitDir, 'symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  const readme = `# ${townName}\n\nA repository made by the Gastown demo (scripts/demo.mjs).\n`;
  const blob = (await git(['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: readme })).trim();
  const tree = (await git(['--git-dir', gitDir, 'mktree'], { input: `100644 blob ${blob}\tREADME.md\n` })).trim();
  const commit = (await git(['--git-dir', gitDir, 'commit-tree', tree, '-m', 'Initial commit'], { env: DEMO_IDENTITY })).trim();
  await git(['--git-dir', gitDir, 'update-ref', `refs/heads/${branch}`, commit]);
  return gitDir;
}

/** The file's text on `branch`, or null when it is not there. */
export async function fileOnBranch(gitDir, branch, path) {
  try {
    return await git(['--git-dir', gitDir, 'show', `${branch}:${path}`]);
  } catch {
    return null;
  }
}

/** `git log --oneline -n` of `branch`. */
export async function recentCommits(gitDir, branch, n) {
  return (await git(['--git-dir', gitDir, 'log', '--oneline', `-${n}`, branch])).trim();
}
