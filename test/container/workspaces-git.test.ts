/**
 * `GitWorkspaces` with real git against bare origins on disk (`container.md` §9.1–9.2): the
 * no-checkout clone with a detached HEAD, a worktree per branch, convoy members branching from
 * the feature branch (created and pushed when missing), follow-ups tracking the pushed branch,
 * an empty origin seeded, the dead/live owner rule, refinery and browse worktrees, WIP saves,
 * credential files outside every worktree, and refusals (bad branches, URLs, symlinked paths).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WIP_COMMIT_MESSAGE } from '../../container/src/workspaces/wip.ts';
import { WorkspaceInputError } from '../../container/src/workspaces/validation.ts';
import { WorktreeBusyError } from '../../container/src/workspaces/worktrees.ts';
import { AGENT, MAYOR, RIG, mayorRequest } from './fixtures.ts';
import { commitTo, fileUrl, git, gitOk, headOf, makeOrigin, makeWorkspaces, noSignal, recordingGitPath, rigStart, tempDir } from './workspaces-git-support.ts';

const OTHER_AGENT = '66666666-6666-4666-8666-666666666666';
const RIG2 = '77777777-7777-4777-8777-777777777777';

let tmp: string;
let root: string;
let origin: string;
beforeEach(() => {
  tmp = tempDir('gt-wsgit-');
  root = join(tmp, 'data');
  origin = makeOrigin(tmp);
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('clone and polecat worktrees', () => {
  it('clones --no-checkout with HEAD detached and puts the polecat on its branch from origin/main', async () => {
    const { ws, cap } = makeWorkspaces(root);
    const { workdir } = await ws.prepare(rigStart(fileUrl(origin)), noSignal());
    const repo = join(root, 'rigs', RIG, 'repo');
    expect(workdir).toBe(join(root, 'rigs', RIG, 'worktrees', 'gt__toast__abcd1234'));
    expect(gitOk(repo, 'symbolic-ref', '-q', 'HEAD')).toBe(false);
    expect(existsSync(join(repo, 'README.md'))).toBe(false);
    expect(git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')).toBe('gt/toast/abcd1234');
    expect(git(workdir, 'symbolic-ref', '--short', 'HEAD')).toBe('gt/toast/abcd1234');
    expect(readFileSync(join(workdir, 'README.md'), 'utf8')).toBe('# app\n');
    expect(git(workdir, 'rev-parse', 'HEAD')).toBe(headOf(origin, 'main'));
    expect(cap.msgs()).toContain('workspace.rig_cloned');
    // idempotent: the same agent gets the same worktree back, untouched
    writeFileSync(join(workdir, 'notes.txt'), 'mine');
    await expect(ws.prepare(rigStart(fileUrl(origin)), noSignal())).resolves.toEqual({ workdir });
    expect(readFileSync(join(workdir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(cap.msgs().filter((m) => m === 'workspace.rig_cloned')).toHaveLength(1);
  });

  it('gives each branch its own worktree of the one clone', async () => {
    const { ws } = makeWorkspaces(root);
    const a = await ws.prepare(rigStart(fileUrl(origin), { branch: 'gt/toast/aaaa1111' }), noSignal());
    const b = await ws.prepare(rigStart(fileUrl(origin), { branch: 'gt/maple/bbbb2222' }, { agent_id: OTHER_AGENT }), noSignal());
    expect(a.workdir).not.toBe(b.workdir);
    const list = git(join(root, 'rigs', RIG, 'repo'), 'worktree', 'list', '--porcelain');
    expect(list).toContain('branch refs/heads/gt/toast/aaaa1111');
    expect(list).toContain('branch refs/heads/gt/maple/bbbb2222');
  });

  it('seeds an empty origin with an initial commit on the default branch', async () => {
    const emptyDir = join(tmp, 'empty');
    mkdirSync(emptyDir);
    const empty = makeOrigin(emptyDir, null);
    expect(headOf(empty, 'main')).toBeNull();
    const { ws } = makeWorkspaces(root);
    const { workdir } = await ws.prepare(rigStart(fileUrl(empty)), noSignal());
    const seeded = headOf(empty, 'main');
    expect(seeded).not.toBeNull();
    expect(git(empty, 'log', '-1', '--format=%s|%an', 'main')).toBe('Initial commit|Gastown');
    expect(git(workdir, 'rev-parse', 'HEAD')).toBe(seeded);
  });

  it('starts a convoy member from the feature branch, creating and pushing it when missing', async () => {
    const feature = 'convoy/big-thing/0a1b2c3d/head';
    const member = `convoy/big-thing/0a1b2c3d/gt/toast/abcd1234`;
    const { ws } = makeWorkspaces(root);
    expect(headOf(origin, feature)).toBeNull();
    const first = await ws.prepare(rigStart(fileUrl(origin), { branch: member, base_branch: feature }), noSignal());
    expect(headOf(origin, feature)).toBe(headOf(origin, 'main'));
    expect(git(first.workdir, 'rev-parse', 'HEAD')).toBe(headOf(origin, feature));

    // the feature branch moves on (a merged member); the next member starts from it
    const moved = commitTo(origin, feature, { 'feature.txt': 'landed\n' }, 'Member one');
    const next = `convoy/big-thing/0a1b2c3d/gt/maple/eeee5555`;
    const second = await ws.prepare(rigStart(fileUrl(origin), { branch: next, base_branch: feature }, { agent_id: OTHER_AGENT }), noSignal());
    expect(git(second.workdir, 'rev-parse', 'HEAD')).toBe(moved);
    expect(readFileSync(join(second.workdir, 'feature.txt'), 'utf8')).toBe('landed\n');
  });

  it('a follow-up on the parent MR branch tracks the pushed origin branch', async () => {
    const branch = 'gt/toast/abcd1234';
    const pushed = commitTo(origin, branch, { 'work.txt': 'first pass\n' }, 'First pass', 'main');
    const { ws } = makeWorkspaces(root);
    const { workdir } = await ws.prepare(rigStart(fileUrl(origin), { branch }), noSignal());
    expect(git(workdir, 'rev-parse', 'HEAD')).toBe(pushed);
    expect(git(workdir, 'rev-parse', '--abbrev-ref', '@{upstream}')).toBe(`origin/${branch}`);
    expect(readFileSync(join(workdir, 'work.txt'), 'utf8')).toBe('first pass\n');
  });

  it('reuses a local branch and fast-forwards it to a newer origin branch', async () => {
    const branch = 'gt/toast/abcd1234';
    const { ws } = makeWorkspaces(root, { isAgentLive: () => false });
    const first = await ws.prepare(rigStart(fileUrl(origin), { branch }), noSignal());
    git(first.workdir, 'push', '--quiet', origin, `HEAD:refs/heads/${branch}`);
    const ahead = commitTo(origin, branch, { 'more.txt': 'x\n' }, 'Pushed elsewhere');
    // another (dead) agent takes the branch over: the old worktree goes, the local branch moves forward
    const second = await ws.prepare(rigStart(fileUrl(origin), { branch }, { agent_id: OTHER_AGENT }), noSignal());
    expect(second.workdir).toBe(first.workdir);
    expect(git(second.workdir, 'rev-parse', 'HEAD')).toBe(ahead);
  });
});

describe('one worktree per branch: dead owners are replaced, live ones block', () => {
  it('fails the start while the owner is live, removes its worktree once it is dead', async () => {
    const live = new Set<string>([AGENT]);
    const { ws, cap } = makeWorkspaces(root, { isAgentLive: (id) => live.has(id) });
    const { workdir } = await ws.prepare(rigStart(fileUrl(origin)), noSignal());
    writeFileSync(join(workdir, 'scratch.txt'), 'uncommitted');
    await expect(ws.prepare(rigStart(fileUrl(origin), {}, { agent_id: OTHER_AGENT }), noSignal())).rejects.toThrow(WorktreeBusyError);
    expect(readFileSync(join(workdir, 'scratch.txt'), 'utf8')).toBe('uncommitted');

    live.delete(AGENT);
    const taken = await ws.prepare(rigStart(fileUrl(origin), {}, { agent_id: OTHER_AGENT }), noSignal());
    expect(taken.workdir).toBe(workdir);
    expect(existsSync(join(workdir, 'scratch.txt'))).toBe(false);
    expect(cap.msgs()).toContain('workspace.worktree_removed');
  });
});

describe('refinery and mayor', () => {
  it('puts a refinery in a detached worktree at origin/<branch>; a missing branch fails', async () => {
    const branch = 'gt/toast/abcd1234';
    const tip = commitTo(origin, branch, { 'f.txt': 'x\n' }, 'Work', 'main');
    const { ws } = makeWorkspaces(root);
    const { workdir } = await ws.prepare(rigStart(fileUrl(origin), { branch }, { role: 'refinery' }), noSignal());
    expect(workdir).toBe(join(root, 'rigs', RIG, 'refinery', AGENT));
    expect(gitOk(workdir, 'symbolic-ref', '-q', 'HEAD')).toBe(false);
    expect(git(workdir, 'rev-parse', 'HEAD')).toBe(tip);
    await expect(ws.prepare(rigStart(fileUrl(origin), { branch: 'gt/none/00000000' }, { role: 'refinery' }), noSignal())).rejects.toThrow(/origin\/gt\/none\/00000000 does not exist/);
  });

  it('creates the mayor workspace and refreshes browse worktrees in the background', async () => {
    const { ws } = makeWorkspaces(root);
    const request = mayorRequest({ rigs: [{ rig_id: RIG2, name: 'app', git_url: fileUrl(origin), default_branch: 'main' }] });
    const { workdir } = await ws.prepare(request, noSignal());
    expect(workdir).toBe(join(root, 'mayor', 'workspace'));
    expect(git(workdir, 'rev-list', '--count', 'HEAD')).toBe('1');
    await ws.settled();
    const browse = join(root, 'rigs', RIG2, 'browse');
    expect(git(browse, 'rev-parse', 'HEAD')).toBe(headOf(origin, 'main'));
    expect(gitOk(browse, 'symbolic-ref', '-q', 'HEAD')).toBe(false);

    const next = commitTo(origin, 'main', { 'new.txt': 'n\n' }, 'Next');
    await ws.setupRepo({ rig_id: RIG2, git_url: fileUrl(origin), default_branch: 'main', config: request.config });
    expect(git(browse, 'rev-parse', 'HEAD')).toBe(next);
    expect(readFileSync(join(browse, 'new.txt'), 'utf8')).toBe('n\n');
  });

  it('logs a browse failure instead of failing the mayor start', async () => {
    const { ws, cap } = makeWorkspaces(root);
    const request = mayorRequest({ agent_id: MAYOR, rigs: [{ rig_id: RIG2, name: 'gone', git_url: fileUrl(join(tmp, 'missing.git')), default_branch: 'main' }] });
    await expect(ws.prepare(request, noSignal())).resolves.toEqual({ workdir: join(root, 'mayor', 'workspace') });
    await ws.settled();
    expect(cap.msgs()).toContain('workspace.browse_failed');
  });
});

describe('saveWip', () => {
  it('commits a dirty worktree as the agent, pushes it with upstream, and returns branch + sha', async () => {
    const { ws } = makeWorkspaces(root);
    const request = rigStart(fileUrl(origin));
    const { workdir } = await ws.prepare(request, noSignal());
    writeFileSync(join(workdir, 'half-done.ts'), 'export const x = 1;\n');
    const saved = await ws.saveWip(request, workdir, noSignal());
    expect(saved).not.toBeNull();
    expect(saved?.branch).toBe('gt/toast/abcd1234');
    expect(headOf(origin, 'gt/toast/abcd1234')).toBe(saved?.commit_sha);
    expect(git(origin, 'log', '-1', '--format=%s|%an|%ae', 'gt/toast/abcd1234')).toBe(`${WIP_COMMIT_MESSAGE}|Toast (gastown)|toast@gastown.local`);
    expect(git(workdir, 'rev-parse', '--abbrev-ref', '@{upstream}')).toBe('origin/gt/toast/abcd1234');
    // nothing left to save
    await expect(ws.saveWip(request, workdir, noSignal())).resolves.toBeNull();
  });

  it('pushes committed but unpushed work, as the town author when set', async () => {
    const { ws } = makeWorkspaces(root);
    const request = rigStart(fileUrl(origin));
    const { workdir } = await ws.prepare(request, noSignal());
    writeFileSync(join(workdir, 'done.txt'), 'done\n');
    git(workdir, 'add', '-A');
    git(workdir, 'commit', '--quiet', '-m', 'Agent commit');
    const sha = git(workdir, 'rev-parse', 'HEAD');
    expect(await ws.saveWip(request, workdir, noSignal())).toEqual({ branch: 'gt/toast/abcd1234', commit_sha: sha });
    expect(headOf(origin, 'gt/toast/abcd1234')).toBe(sha);

    writeFileSync(join(workdir, 'more.txt'), 'more\n');
    const withAuthor = { ...request, config: { ...request.config, git_author_name: 'Ada', git_author_email: 'ada@example.com' } };
    const saved = await ws.saveWip(withAuthor, workdir, noSignal());
    expect(git(origin, 'log', '-1', '--format=%an <%ae>', saved?.commit_sha ?? 'none')).toBe('Ada <ada@example.com>');
  });

  it('saves nothing for a clean worktree, a detached refinery or the mayor, and refuses a path outside the root', async () => {
    const { ws } = makeWorkspaces(root);
    const request = rigStart(fileUrl(origin));
    const { workdir } = await ws.prepare(request, noSignal());
    await expect(ws.saveWip(request, workdir, noSignal())).resolves.toBeNull();
    expect(headOf(origin, 'gt/toast/abcd1234')).toBeNull();

    commitTo(origin, 'gt/review/11112222', { 'r.txt': 'r\n' }, 'To review', 'main');
    const refinery = rigStart(fileUrl(origin), { branch: 'gt/review/11112222' }, { role: 'refinery', agent_id: OTHER_AGENT });
    const ref = await ws.prepare(refinery, noSignal());
    writeFileSync(join(ref.workdir, 'stray.txt'), 'x');
    await expect(ws.saveWip(refinery, ref.workdir, noSignal())).resolves.toBeNull();

    const mayor = await ws.prepare(mayorRequest(), noSignal());
    await expect(ws.saveWip(mayorRequest(), mayor.workdir, noSignal())).resolves.toBeNull();

    await expect(ws.saveWip(request, tmp, noSignal())).rejects.toThrow(WorkspaceInputError);
  });
});

describe('push flags', () => {
  it("adds the rig's accepted push flags to every push and refuses forcing ones", async () => {
    const argvLog = join(tmp, 'argv.log');
    const { ws, cap } = makeWorkspaces(root, { baseEnv: { PATH: recordingGitPath(tmp, argvLog) } });
    const request = rigStart(fileUrl(origin), { git_push_flags: ['--atomic', '--force', '--no-verify'] });
    const { workdir } = await ws.prepare(request, noSignal());
    writeFileSync(join(workdir, 'x.txt'), 'x\n');
    await ws.saveWip(request, workdir, noSignal());
    const pushes = readFileSync(argvLog, 'utf8').split('\n').filter((l) => / push /.test(l));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatch(/ push --quiet --set-upstream --atomic origin HEAD$/);
    expect(cap.lines.find((l) => l.msg === 'workspace.push_flags_refused')?.flags).toEqual(['--force', '--no-verify']);
  });
});

describe('credentials on disk', () => {
  it('keeps credential stores outside the worktrees: dirs 0700, files 0600', async () => {
    const { ws } = makeWorkspaces(root);
    const { workdir } = await ws.prepare(rigStart(fileUrl(origin)), noSignal());
    for (const dir of [join(root, 'rigs', RIG, 'cred'), join(root, 'agents', AGENT, 'cred')]) {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'git-credentials')).mode & 0o777).toBe(0o600);
      expect(dir.startsWith(workdir)).toBe(false);
    }
    // a local origin needs no token: the stores are empty
    expect(readFileSync(join(root, 'rigs', RIG, 'cred', 'git-credentials'), 'utf8')).toBe('');
    expect(git(workdir, 'status', '--porcelain')).toBe('');
  });
});

describe('refusals', () => {
  it.each(['-x', 'a..b', 'a b', 'x@{1}', 'a~1', 'a/.b', 'a.lock', 'HEAD'])('refuses branch %j before any git work', async (branch) => {
    const { ws } = makeWorkspaces(root);
    await expect(ws.prepare(rigStart(fileUrl(origin), { branch }), noSignal())).rejects.toThrow(WorkspaceInputError);
    expect(existsSync(join(root, 'rigs'))).toBe(false);
  });

  it.each([
    ['file:// without GASTOWN_LOCAL_MODEL=allow', false, 'file'],
    ['ssh', true, 'ssh://git@github.com/acme/app.git'],
    ['scp-like', true, 'git@github.com:acme/app.git'],
    ['userinfo', true, 'https://x-access-token:ghp_leak0000@github.com/acme/app.git'],
    ['non-loopback http', true, 'http://10.1.2.3/acme/app.git'],
    ['option injection', true, '--upload-pack=touch /tmp/pwned'],
  ] as const)('refuses a %s git URL', async (_name, localAllowed, url) => {
    const { ws } = makeWorkspaces(root, { localAllowed });
    const gitUrl = url === 'file' ? fileUrl(origin) : url;
    const err = await ws.prepare(rigStart(gitUrl), noSignal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceInputError);
    expect(String(err)).not.toContain('ghp_leak0000');
    expect(existsSync(join(root, 'rigs'))).toBe(false);
  });

  it('refuses a rig dir that a symlink points outside the data root', async () => {
    const outside = join(tmp, 'outside');
    mkdirSync(outside);
    mkdirSync(join(root, 'rigs'), { recursive: true });
    symlinkSync(outside, join(root, 'rigs', RIG));
    const { ws } = makeWorkspaces(root);
    await expect(ws.prepare(rigStart(fileUrl(origin)), noSignal())).rejects.toThrow(/escapes the data root/);
    expect(existsSync(join(outside, 'repo'))).toBe(false);
  });

  it('refuses a merge request id that is a path', async () => {
    const { ws } = makeWorkspaces(root);
    const outcome = await ws.merge({ request_id: '..', rig_id: RIG, git_url: fileUrl(origin), default_branch: 'main', branch: 'a', target_branch: 'main', config: rigStart('x').config });
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(existsSync(join(root, 'rigs'))).toBe(false);
  });
});
