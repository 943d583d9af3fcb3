/**
 * Tests of `createTempGitWorkspaces` with real git in temp dirs (`container.md` §9.1): the
 * mayor workspace (git init + empty commit + AGENTS.md, idempotent, concurrent-safe), the
 * mayor's system prompt in AGENTS.md, rig agents on their branch, and refused branch names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import { AGENT, mayorRequest, polecatRequest, RIG } from './fixtures.ts';
import { captureLog } from './helpers.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gt-ws-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}

const signal = () => new AbortController().signal;

describe('createTempGitWorkspaces', () => {
  it('creates the mayor workspace once: git init, one empty commit, AGENTS.md', async () => {
    const cap = captureLog();
    const ws = createTempGitWorkspaces(root, cap.log);
    const [a, b] = await Promise.all([ws.mayorWorkspace(signal()), ws.mayorWorkspace(signal())]);
    expect(a).toBe(join(root, 'mayor', 'workspace'));
    expect(b).toBe(a);
    expect(git(a, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(git(a, 'log', '-1', '--format=%an <%ae>')).toBe('Gastown <gastown@gastown.local>');
    expect(readFileSync(join(a, 'AGENTS.md'), 'utf8')).toContain('mayor');
    await ws.mayorWorkspace(signal());
    expect(git(a, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(cap.msgs().filter((m) => m === 'workspace.mayor_created')).toHaveLength(1);
  });

  it('prepare(mayor) writes the system prompt to AGENTS.md', async () => {
    const ws = createTempGitWorkspaces(root, captureLog().log);
    const { workdir } = await ws.prepare(mayorRequest({ system_prompt: 'You are the mayor of Testville.' }), signal());
    expect(readFileSync(join(workdir, 'AGENTS.md'), 'utf8')).toBe('You are the mayor of Testville.');
    await ws.prepare(mayorRequest(), signal());
    expect(readFileSync(join(workdir, 'AGENTS.md'), 'utf8')).toBe('You are the mayor of Testville.');
  });

  it('prepare(polecat) gives a git dir on the agent branch, idempotently', async () => {
    const ws = createTempGitWorkspaces(root, captureLog().log);
    const { workdir } = await ws.prepare(polecatRequest(), signal());
    expect(workdir).toBe(join(root, 'rigs', RIG, 'worktrees', 'gt__toast__abcd1234'));
    expect(git(workdir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('gt/toast/abcd1234');
    expect(git(workdir, 'branch', '--list', 'main')).toContain('main');
    await expect(ws.prepare(polecatRequest(), signal())).resolves.toEqual({ workdir });
  });

  it('prepare(refinery) gives a detached dir per agent', async () => {
    const ws = createTempGitWorkspaces(root, captureLog().log);
    const { workdir } = await ws.prepare(polecatRequest({ role: 'refinery' }), signal());
    expect(workdir).toBe(join(root, 'rigs', RIG, 'refinery', AGENT));
    expect(git(workdir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
  });

  it('refuses bad branch names and honours an aborted signal', async () => {
    const ws = createTempGitWorkspaces(root, captureLog().log);
    const base = polecatRequest();
    for (const branch of ['-x', 'a..b', 'a b', 'x@{1}', 'a~1']) {
      if (base.rig === undefined) throw new Error('fixture');
      await expect(ws.prepare({ ...base, rig: { ...base.rig, branch } }, signal())).rejects.toThrow();
    }
    const ac = new AbortController();
    ac.abort();
    await expect(ws.mayorWorkspace(ac.signal)).rejects.toThrow();
    expect(existsSync(join(root, 'mayor', 'workspace', '.git'))).toBe(false);
  });
});
