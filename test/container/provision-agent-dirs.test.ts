/**
 * Tests of `provisionAgentDirs` and the gh/glab wrappers with real files and real git
 * (`container.md` §6 items 2–4): XDG dirs, plugin and deps symlinks, `package.json`, the co-author
 * hook adding its trailer only when the env names one, and wrappers exporting the current token.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentEnv, provisionAgentDirs } from '../../container/src/env/build-agent-env.ts';
import type { AgentPaths } from '../../container/src/env/build-agent-env.ts';
import { writeAgentTokenFiles, writeCliWrappers } from '../../container/src/env/cli-wrappers.ts';
import { agentCredDir, agentHome } from '../../container/src/layout.ts';
import { AGENT, liveConfig, polecatRequest } from './fixtures.ts';

let root: string;
let paths: AgentPaths;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gt-home-'));
  paths = { root, pluginFile: join(root, 'app', 'plugin', 'index.ts'), pluginDepsDir: join(root, 'app', 'node_modules'), binDir: join(root, 'bin') };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function envFor(live = liveConfig()): Record<string, string> {
  const r = buildAgentEnv(polecatRequest(), live, paths, { localModelAllowed: false, localModelUrl: null, apiUrl: 'http://127.0.0.1:1', baseEnv: { PATH: process.env.PATH } });
  if ('error' in r) throw new Error(r.error.message);
  return r.env;
}

function commitIn(repo: string, env: Record<string, string>): string {
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'Change things'], { cwd: repo, env });
  return execFileSync('git', ['log', '-1', '--format=%an <%ae>%n%B'], { cwd: repo, env, encoding: 'utf8' }).trim();
}

describe('provisionAgentDirs', () => {
  it('creates dirs, symlinks, package.json and .gitconfig; idempotent', async () => {
    const home = agentHome(root, AGENT);
    await provisionAgentDirs(home, paths);
    await provisionAgentDirs(home, paths);
    expect(statSync(join(home, '.local', 'share', 'kilo')).isDirectory()).toBe(true);
    expect(statSync(join(root, 'cache')).isDirectory()).toBe(true);
    expect(statSync(agentCredDir(root, AGENT)).mode & 0o777).toBe(0o700);
    expect(readlinkSync(join(home, '.config', 'kilo', 'plugins', 'gastown.ts'))).toBe(paths.pluginFile);
    expect(readlinkSync(join(home, '.config', 'kilo', 'node_modules'))).toBe(paths.pluginDepsDir);
    expect(JSON.parse(readFileSync(join(home, '.config', 'kilo', 'package.json'), 'utf8'))).toMatchObject({ dependencies: { '@kilocode/plugin': '7.3.1' } });
    // kilo skips its config-dir npm install only when the lock names every dependency (kilo-real.test.ts).
    expect(JSON.parse(readFileSync(join(home, '.config', 'kilo', 'package-lock.json'), 'utf8'))).toMatchObject({ packages: { '': { dependencies: { '@kilocode/plugin': '7.3.1' } } } });
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).toContain(`hooksPath = ${join(home, '.gastown', 'hooks')}`);
    expect(statSync(join(home, '.gastown', 'hooks', 'prepare-commit-msg')).mode & 0o111).not.toBe(0);
  });

  it('replaces a stale symlink', async () => {
    const home = agentHome(root, AGENT);
    await provisionAgentDirs(home, paths);
    const moved = { ...paths, pluginFile: join(root, 'elsewhere.ts') };
    await provisionAgentDirs(home, moved);
    expect(lstatSync(join(home, '.config', 'kilo', 'plugins', 'gastown.ts')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(home, '.config', 'kilo', 'plugins', 'gastown.ts'))).toBe(moved.pluginFile);
  });

  it('the co-author hook adds the trailer with a town author, once; never without one', async () => {
    const home = agentHome(root, AGENT);
    await provisionAgentDirs(home, paths);
    const repo = join(root, 'repo');
    mkdirSync(repo);
    const withAuthor = envFor(liveConfig({ git_author_name: 'Ada', git_author_email: 'ada@example.com' }));
    execFileSync('git', ['init', '-q'], { cwd: repo, env: withAuthor });
    const first = commitIn(repo, withAuthor);
    expect(first).toBe('Ada <ada@example.com>\nChange things\n\nCo-authored-by: Toast (gastown) <toast@gastown.local>');
    const bot = commitIn(repo, envFor());
    expect(bot).toBe('Toast (gastown) <toast@gastown.local>\nChange things');
    const disabled = commitIn(repo, envFor(liveConfig({ git_author_name: 'Ada', git_author_email: 'ada@example.com', disable_ai_coauthor: true })));
    expect(disabled).toBe('Ada <ada@example.com>\nChange things');
  });
});

describe('gh/glab wrappers', () => {
  it('export the current token from the token file, then run the real binary', async () => {
    const realBin = join(root, 'real');
    mkdirSync(realBin);
    writeFileSync(join(realBin, 'gh'), '#!/bin/sh\necho "gh:${GH_TOKEN:-none}:$*"\n');
    chmodSync(join(realBin, 'gh'), 0o755);
    await writeCliWrappers(paths.binDir);
    const env = envFor(liveConfig({ git_auth: { github_token: 'ghs_first_000001' } }));
    env.PATH = `${paths.binDir}:${realBin}:${process.env.PATH ?? ''}`;
    const cred = agentCredDir(root, AGENT);
    await writeAgentTokenFiles(cred, env);
    expect(statSync(join(cred, 'github-token')).mode & 0o777).toBe(0o600);
    const run = (): string => execFileSync(join(paths.binDir, 'gh'), ['auth', 'status'], { env: { ...env, GH_TOKEN: 'stale-env-value' }, encoding: 'utf8' }).trim();
    expect(run()).toBe('gh:ghs_first_000001:auth status');
    await writeAgentTokenFiles(cred, { ...env, GH_TOKEN: 'ghs_rotated_000002' });
    expect(run()).toBe('gh:ghs_rotated_000002:auth status');
    const { GH_TOKEN: _revoked, ...withoutToken } = env;
    await writeAgentTokenFiles(cred, withoutToken);
    expect(existsSync(join(cred, 'github-token'))).toBe(false);
  });

  it('a missing real binary exits 127', async () => {
    await writeCliWrappers(paths.binDir);
    let status = 0;
    try {
      execFileSync(join(paths.binDir, 'glab'), [], { env: { PATH: paths.binDir }, stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(127);
  });
});
