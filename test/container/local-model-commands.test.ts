/**
 * The local model's scripted shell commands run for real (`container.md` §10): a driver plays the
 * role scripts like kilo would (bash calls run in a real shell with real git, `gt_*` calls answered
 * by canned results) against a bare "origin" in a temp dir. Proves the polecat's commit reaches the
 * branch in the origin and `gt_done` names it, a failed push escalates, the refinery's direct merge
 * lands a `--no-ff` merge on the target and reports its sha, and a conflict is aborted and named.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelReply } from '../../container/src/local-model/reply.ts';
import { polecatScript } from '../../container/src/local-model/scripts/polecat.ts';
import { refineryScript } from '../../container/src/local-model/scripts/refinery.ts';
import type { Conversation } from '../../container/src/local-model/conversation.ts';
import type { Assignment } from '../../src/prompts/assignment.ts';
import type { Exchange } from '../unit/local-model/chat.ts';
import { POLECAT_TOOLS, REFINERY_TOOLS, assignment, chat, systemWith } from '../unit/local-model/chat.ts';

const BRANCH = 'gt/toast/abcdef12';
const MR = 'fedcba98-7654-4321-8abc-def012345678';

let dir: string;
let origin: string;
let env: NodeJS.ProcessEnv;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs `command` with bash in `cwd`; stdout and stderr interleaved, as kilo's bash tool shows them. */
function runBash(cwd: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** Plays `script` to its final text: bash runs for real, gt_* calls get `toolResults[name]`. */
async function drive(
  script: (c: Conversation) => ModelReply,
  spec: { model: string; system: string; user: string; tools: string[] },
  cwd: string,
  toolResults: Record<string, string> = {},
): Promise<{ calls: Exchange[]; final: string }> {
  const turn: Exchange[] = [];
  for (let step = 0; step < 10; step++) {
    const reply = script(chat({ ...spec, turn }));
    if (reply.kind === 'text') return { calls: turn, final: reply.text };
    const result = reply.name === 'bash' ? await runBash(cwd, String(reply.args.command)) : (toolResults[reply.name] ?? 'ok');
    turn.push({ name: reply.name, args: reply.args, result });
  }
  throw new Error('the script did not finish in 10 steps');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gt-lm-cmd-'));
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Toast',
    GIT_AUTHOR_EMAIL: 'toast@gastown.local',
    GIT_COMMITTER_NAME: 'Toast',
    GIT_COMMITTER_EMAIL: 'toast@gastown.local',
  };
  origin = join(dir, 'origin.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  const seed = join(dir, 'seed');
  git(dir, 'clone', '-q', origin, seed);
  await writeFile(join(seed, 'README.md'), 'hello\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'Initial commit');
  git(seed, 'push', '-q', 'origin', 'HEAD:main');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A polecat worktree: a clone of the origin on the bead branch. */
function polecatClone(name = 'polecat'): string {
  const clone = join(dir, name);
  git(dir, 'clone', '-q', origin, clone);
  git(clone, 'switch', '-q', '-c', BRANCH);
  return clone;
}

function polecatSpec(a: Assignment, body = '') {
  return { model: 'polecat', system: systemWith(a), user: `Your hooked bead ${a.bead_id}: ${a.bead_title}${body === '' ? '' : `\n\n${body}`}`, tools: POLECAT_TOOLS };
}

function refinerySpec(a: Assignment) {
  return { model: 'refinery', system: systemWith(a), user: `Review merge request ${a.bead_id}: ${a.bead_title}`, tools: REFINERY_TOOLS };
}

describe('polecat commands', () => {
  it('writes, commits and pushes the file to the branch in the origin, then calls gt_done with that branch', async () => {
    const a = assignment({ bead_title: "Add `docs/it's here.md` with `Hello, $(world)`", branch: BRANCH });
    const clone = polecatClone();
    const { calls, final } = await drive(polecatScript, polecatSpec(a), clone, { gt_done: 'Done recorded.' });
    expect(calls.map((c) => c.name)).toEqual(['bash', 'gt_done']);
    expect(calls[1]?.args).toMatchObject({ branch: BRANCH });
    expect(final).toContain("docs/it's here.md");
    expect(git(origin, 'log', '-1', '--format=%s', BRANCH)).toBe(a.bead_title);
    expect(git(origin, 'show', `${BRANCH}:docs/it's here.md`)).toBe('Hello, $(world)');
  });

  it('escalates with the push error when the origin is gone, and never calls gt_done', async () => {
    const clone = polecatClone();
    await rm(origin, { recursive: true, force: true });
    const { calls } = await drive(polecatScript, polecatSpec(assignment({ branch: BRANCH })), clone);
    expect(calls.map((c) => c.name)).toEqual(['bash', 'gt_escalate']);
    expect(calls[1]?.args.severity).toBe('medium');
    expect(String(calls[1]?.args.body)).toMatch(/origin\.git|repository/);
  });

  it('on a gt:pr-conflict follow-up rebases onto the target and force-pushes with lease', async () => {
    const clone = polecatClone();
    await writeFile(join(clone, 'mine.txt'), 'mine\n');
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', 'Earlier work');
    git(clone, 'push', '-q', '-u', 'origin', 'HEAD');
    const other = join(dir, 'other');
    git(dir, 'clone', '-q', origin, other);
    await writeFile(join(other, 'theirs.txt'), 'theirs\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'Target moved');
    git(other, 'push', '-q', 'origin', 'HEAD:main');

    const a = assignment({ branch: BRANCH, bead_title: 'Rebase `notes.md`', labels: ['gt:pr-conflict'], pr_url: 'https://github.com/acme/app/pull/3' });
    const { calls } = await drive(polecatScript, polecatSpec(a), clone);
    expect(calls.map((c) => c.name)).toEqual(['bash', 'gt_done']);
    expect(calls[1]?.args).toMatchObject({ branch: BRANCH, pr_url: 'https://github.com/acme/app/pull/3' });
    // The branch now sits on top of the moved target.
    expect(git(origin, 'merge-base', '--is-ancestor', 'main', BRANCH)).toBe('');
    expect(git(origin, 'log', '--format=%s', BRANCH).split('\n').slice(0, 3)).toEqual(['Rebase `notes.md`', 'Earlier work', 'Target moved']);
  });
});

describe('refinery commands', () => {
  const review = (): Assignment => assignment({ role: 'refinery', bead_id: MR, bead_title: 'Add the notes', branch: BRANCH, target_branch: 'main' });

  async function pushPolecatBranch(file: string, text: string): Promise<void> {
    const clone = polecatClone(`polecat-${file}`);
    await writeFile(join(clone, file), text);
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', `Write ${file}`);
    git(clone, 'push', '-q', '-u', 'origin', 'HEAD');
  }

  function refineryClone(): string {
    const clone = join(dir, 'refinery');
    git(dir, 'clone', '-q', origin, clone);
    git(clone, 'switch', '-q', '--detach', 'main');
    return clone;
  }

  it('merges --no-ff into the target in the origin and reports the merge commit', async () => {
    await pushPolecatBranch('notes.md', 'notes\n');
    const { calls, final } = await drive(refineryScript, refinerySpec(review()), refineryClone());
    expect(calls.map((c) => c.name)).toEqual(['bash', 'gt_done']);
    const head = git(origin, 'rev-parse', 'main');
    expect(calls[1]?.args).toEqual({ branch: BRANCH, merge_commit: head });
    expect(git(origin, 'rev-list', '--parents', '-n', '1', 'main').split(' ')).toHaveLength(3);
    expect(git(origin, 'show', 'main:notes.md')).toBe('notes');
    expect(final).toBe('Review finished.');
  });

  it('aborts a conflicting merge, requests changes naming the file, then calls gt_done {branch}', async () => {
    await pushPolecatBranch('README.md', 'polecat version\n');
    const other = join(dir, 'other');
    git(dir, 'clone', '-q', origin, other);
    await writeFile(join(other, 'README.md'), 'target version\n');
    git(other, 'commit', '-q', '-am', 'Change the readme on main');
    git(other, 'push', '-q', 'origin', 'HEAD:main');
    const mainBefore = git(origin, 'rev-parse', 'main');

    const clone = refineryClone();
    const { calls } = await drive(refineryScript, refinerySpec(review()), clone);
    expect(calls.map((c) => c.name)).toEqual(['bash', 'bash', 'gt_request_changes', 'gt_done']);
    expect(calls[2]?.args.files).toEqual(['README.md']);
    expect(calls[3]?.args).toEqual({ branch: BRANCH });
    expect(git(origin, 'rev-parse', 'main')).toBe(mainBefore);
    // The abort left no merge in progress.
    expect(git(clone, 'status', '--porcelain')).toBe('');
  });
});
