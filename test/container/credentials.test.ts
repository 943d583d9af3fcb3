/**
 * Git credentials over the fake git host's smart HTTP (`container.md` §9.3): the rig's and the
 * agent's credential stores (`x-access-token` GitHub, `oauth2` GitLab; 0600 in 0700 dirs, outside
 * the worktrees) feed git through `credential.helper=store`; the agent's own `.gitconfig` helper
 * lets its `git push` authenticate; an expired token triggers exactly one `refresh-git-token` and
 * one retry (counted on both fakes) and the new token is written everywhere; a second failure
 * surfaces redacted. No token appears in git's argv, a remote URL, a log line or an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerConfig, StartAgentRequest } from '../../src/protocol/control.ts';
import { gitconfigText } from '../../container/src/env/git-files.ts';
import { WorkspaceGitError } from '../../container/src/workspaces/git-errors.ts';
import { startFakeGitHost } from '../fakes/git-host/index.ts';
import type { FakeGitHost } from '../fakes/git-host/index.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, liveConfig } from './fixtures.ts';
import { clientFor } from './helpers.ts';
import { TEST_GIT_ENV, git, makeWorkspaces, noSignal, recordingGitPath, rigStart, tempDir } from './workspaces-git-support.ts';

const execFileAsync = promisify(execFile);

const OLD = 'ghs_expiredToken000111';
const NEW = 'ghs_freshToken222333';
const WRONG = 'ghs_alsoRefused444555';
const GL = 'glpat-gitlabToken666777';
const TOKENS = [OLD, NEW, WRONG, GL];

let host: FakeGitHost;
let api: FakeWorkerApi;
let gitUrl: string;
let n = 0;
beforeAll(async () => {
  host = await startFakeGitHost({ tokens: [NEW] });
  api = await startFakeWorkerApi({ townId: TOWN });
});
afterAll(async () => {
  await host.stop();
  await api.stop();
});

let tmp: string;
let root: string;
let argvLog: string;
beforeEach(async () => {
  tmp = tempDir('gt-cred-');
  root = join(tmp, 'data');
  argvLog = join(tmp, 'git-argv.log');
  n += 1;
  gitUrl = (await host.createRepo('acme', `app${n}`, { default_branch: 'main', files: { 'README.md': '# app\n' } })).git_url;
  host.control.reset();
  host.tokens.set([NEW]);
  api.setGitToken(NEW);
  api.requests.length = 0;
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Real workspaces wired to the fake worker API's refresh-git-token, recording git argv. */
function workspaces(): ReturnType<typeof makeWorkspaces> {
  const { client } = clientFor(api, TOWN);
  return makeWorkspaces(root, { worker: client, localAllowed: false, baseEnv: { PATH: recordingGitPath(tmp, argvLog), HOME: tmp } });
}

function startWith(config: ContainerConfig, over: Partial<StartAgentRequest> = {}): StartAgentRequest {
  return rigStart(gitUrl, {}, { config, ...over });
}

/** Every text a token could leak into: log lines, git's argv, the clone's config. */
function expectNoTokenAnywhere(lines: Record<string, unknown>[], extra: string[] = []): void {
  const texts = [JSON.stringify(lines), readFileSync(argvLog, 'utf8'), readFileSync(join(root, 'rigs', RIG, 'repo', '.git', 'config'), 'utf8'), ...extra];
  for (const token of TOKENS) for (const text of texts) expect(text).not.toContain(token);
}

/** A credential store's text, percent-decoded (git's own `store` rewrites `host:port` as `host%3aport`). */
const storeText = (file: string): string => decodeURIComponent(readFileSync(file, 'utf8'));

const refreshCalls = (): number => api.matching(`/api/towns/${TOWN}/rigs/${RIG}/refresh-git-token`, 'POST').length;
/** git invocations that reached the host: each starts with an unauthenticated ref advertisement. */
const gitInvocations = (): number => host.control.requests('info/refs', 'GET').filter((r) => !r.auth_sent).length;

describe('credential stores', () => {
  it('clones over HTTP with the GitHub token from the rig store; the agent store lets the agent push itself', async () => {
    const { ws, cap } = workspaces();
    const { workdir } = await ws.prepare(startWith(liveConfig({ git_auth: { github_token: NEW } })), noSignal());
    const port = new URL(gitUrl).host;
    for (const dir of [join(root, 'rigs', RIG, 'cred'), join(root, 'agents', AGENT, 'cred')]) {
      expect(storeText(join(dir, 'git-credentials'))).toBe(`http://x-access-token:${NEW}@${port}\n`);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'git-credentials')).mode & 0o777).toBe(0o600);
    }
    expect(git(workdir, 'remote', 'get-url', 'origin')).toBe(gitUrl);
    expect(host.control.requests('info/refs').some((r) => r.token === NEW && r.status === 200)).toBe(true);
    expect(refreshCalls()).toBe(0);

    // the agent's own push, as its kilo session would run it: HOME's .gitconfig → its credential dir
    const home = join(root, 'agents', AGENT, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.gitconfig'), gitconfigText(join(home, '.gastown', 'hooks')));
    writeFileSync(join(workdir, 'agent.txt'), 'by the agent\n');
    const agentEnv = { ...TEST_GIT_ENV, HOME: home, GASTOWN_CRED_DIR: join(root, 'agents', AGENT, 'cred') };
    delete (agentEnv as Record<string, string | undefined>).GIT_CONFIG_GLOBAL;
    // async: the fake host serves from this very process, a sync child would deadlock it
    const run = (...args: string[]): Promise<unknown> => execFileAsync('git', args, { cwd: workdir, env: agentEnv });
    await run('add', '-A');
    await run('commit', '--quiet', '-m', 'Agent work');
    await run('push', '--quiet', '--set-upstream', 'origin', 'HEAD');
    expect(host.control.requests('git-receive-pack', 'POST')).toEqual([expect.objectContaining({ status: 200, token: NEW })]);
    expectNoTokenAnywhere(cap.lines);
  });

  it('uses oauth2 for a GitLab rig (instance URL host or scm provider)', async () => {
    host.tokens.set([GL]);
    const { ws, cap } = workspaces();
    await ws.prepare(startWith(liveConfig({ git_auth: { gitlab_token: GL, gitlab_instance_url: host.url } })), noSignal());
    expect(storeText(join(root, 'rigs', RIG, 'cred', 'git-credentials'))).toBe(`http://oauth2:${GL}@${new URL(gitUrl).host}\n`);
    expect(host.control.requests('info/refs').some((r) => r.token === GL && r.status === 200)).toBe(true);
    expectNoTokenAnywhere(cap.lines);
  });
});

describe('auth retry', () => {
  it('an expired token triggers exactly one refresh-git-token and one retry, and the new token is written everywhere', async () => {
    const { ws, cap } = workspaces();
    const request = startWith(liveConfig({ git_auth: { github_token: OLD } }));
    // the agent has a store already (an earlier start), so the refresh must rewrite it too
    const { workdir } = await ws.prepare(request, noSignal());
    expect(refreshCalls()).toBe(1);
    expect(gitInvocations()).toBe(2);
    expect(host.control.requests('info/refs').filter((r) => r.token === OLD).every((r) => r.status === 401)).toBe(true);
    const line = `http://x-access-token:${NEW}@${new URL(gitUrl).host}\n`;
    expect(storeText(join(root, 'rigs', RIG, 'cred', 'git-credentials'))).toBe(line);
    expect(storeText(join(root, 'agents', AGENT, 'cred', 'git-credentials'))).toBe(line);
    expect(cap.msgs()).toContain('git.token_refreshed');

    // the refreshed token stands in for the stale config token: the next fetch needs no refresh
    host.control.reset();
    api.requests.length = 0;
    await ws.prepare(request, noSignal());
    expect(refreshCalls()).toBe(0);
    expect(gitInvocations()).toBe(1);

    // revoked mid-life (WIP push at eviction): one refresh, one retry, pushed; token files follow
    const NEXT = 'ghs_rotatedToken888999';
    TOKENS.push(NEXT);
    host.tokens.set([NEXT]);
    api.setGitToken(NEXT);
    host.control.reset();
    api.requests.length = 0;
    writeFileSync(join(workdir, 'wip.txt'), 'unsaved\n');
    const saved = await ws.saveWip(request, workdir, noSignal());
    expect(saved?.branch).toBe('gt/toast/abcd1234');
    expect(refreshCalls()).toBe(1);
    expect(host.control.requests('git-receive-pack', 'POST')).toEqual([expect.objectContaining({ status: 200, token: NEXT })]);
    expect(readFileSync(join(root, 'agents', AGENT, 'cred', 'github-token'), 'utf8')).toBe(NEXT);
    expectNoTokenAnywhere(cap.lines);
  });

  it('a refreshed token that is refused too fails once, redacted, without a second refresh', async () => {
    api.setGitToken(WRONG);
    const { ws, cap } = workspaces();
    const err = await ws.prepare(startWith(liveConfig({ git_auth: { github_token: OLD } })), noSignal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceGitError);
    const message = (err as Error).message;
    expect(message).toMatch(/after a git token refresh/);
    expect(message).toMatch(/Authentication failed|401/);
    expect(refreshCalls()).toBe(1);
    expect(gitInvocations()).toBe(2);
    for (const token of TOKENS) expect(message).not.toContain(token);
    for (const token of TOKENS) expect(JSON.stringify(cap.lines)).not.toContain(token);
    for (const token of TOKENS) expect(readFileSync(argvLog, 'utf8')).not.toContain(token);
  });

  it('a failing refresh-git-token (409 no_git_credentials) fails the operation with both reasons, redacted', async () => {
    api.setGitToken(null);
    const { ws, cap } = workspaces();
    const err = await ws.prepare(startWith(liveConfig({ git_auth: { github_token: OLD } })), noSignal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceGitError);
    expect((err as Error).message).toMatch(/refresh-git-token failed: .*no_git_credentials/);
    expect(gitInvocations()).toBe(1);
    for (const token of TOKENS) expect(`${(err as Error).message}${JSON.stringify(cap.lines)}`).not.toContain(token);
  });

  it('merges through the fake host with the token refreshed earlier, with no further refresh', async () => {
    const { ws, cap } = workspaces();
    const config = liveConfig({ git_auth: { github_token: OLD } });
    const { workdir } = await ws.prepare(startWith(config), noSignal());
    writeFileSync(join(workdir, 'feature.txt'), 'feature\n');
    await ws.saveWip(startWith(config), workdir, noSignal());
    host.control.reset();
    api.requests.length = 0;
    const outcome = await ws.merge({ request_id: 'merge-http-1', rig_id: RIG, git_url: gitUrl, default_branch: 'main', branch: 'gt/toast/abcd1234', target_branch: 'main', config });
    expect(outcome.status).toBe('merged');
    // the refreshed token from prepare is still in force: no further refresh
    expect(refreshCalls()).toBe(0);
    expect(host.control.requests('git-receive-pack', 'POST')).toEqual([expect.objectContaining({ status: 200, token: NEW })]);
    expectNoTokenAnywhere(cap.lines, [outcome.message]);
  });
});
