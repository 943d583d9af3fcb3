/**
 * Drain step 5 with real git (`container.md` §8): a live polecat on the real `GitWorkspaces`,
 * whose rig is a bare origin on disk (`file://`, local mode), has uncommitted work when the
 * container drains. The drain freezes it, the WIP is committed (`WIP: container eviction save`)
 * and pushed to the origin's branch, `P/eviction-context {branch, commit_sha}` names that commit,
 * then the snapshot and `P/completed {completed, container_eviction}`; the registry empties last.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentView, StartAgentRequest } from '../../src/protocol/control.ts';
import { EVICTION_REASON } from '../../container/src/drain/drain.ts';
import { GitWorkspaces } from '../../container/src/workspaces/git-workspaces.ts';
import type { RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, polecatRequest } from './fixtures.ts';
import { dataOf } from './pm-harness.ts';
import { makeDrainStack } from './drain-support.ts';
import type { DrainStack } from './drain-support.ts';

const BRANCH = 'gt/toast/abcd1234';
const GIT_ENV = { PATH: process.env.PATH ?? '', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
const IDENTITY = ['-c', 'user.name=Seeder', '-c', 'user.email=seeder@example.test', '-c', 'commit.gpgsign=false'];

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let tmp: string;
let origin: string;
let s: DrainStack | null = null;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gt-drain-wip-'));
  origin = join(tmp, 'origin.git');
  git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  const seed = join(tmp, 'seed');
  git(tmp, ['clone', '--quiet', origin, seed]);
  await writeFile(join(seed, 'README.md'), '# app\n');
  git(seed, ['add', '-A']);
  git(seed, [...IDENTITY, 'commit', '--quiet', '-m', 'initial']);
  git(seed, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
});
afterEach(async () => {
  await s?.close();
  s = null;
  await rm(tmp, { recursive: true, force: true });
});

function request(): StartAgentRequest {
  return polecatRequest({ rig: { git_url: `file://${origin}`, default_branch: 'main', branch: BRANCH } });
}

const agentPath = (suffix: string): string => `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`;

describe('drain with a dirty polecat worktree', () => {
  it('commits and pushes the WIP to the origin, posts eviction-context, then completes', async () => {
    s = await makeDrainStack({
      timings: { drainWaitMs: 100, drainPollMs: 20 },
      workspaces: (setup) =>
        new GitWorkspaces({
          root: setup.root,
          log: setup.log,
          redactor: setup.redactor,
          worker: setup.worker,
          timings: setup.timings,
          baseEnv: { PATH: process.env.PATH },
          localAllowed: true,
          isAgentLive: setup.isAgentLive,
        }),
    });
    const res = await s.request('POST', '/agents/start', request());
    const view = await dataOf<AgentView>(res);
    expect(res.status, JSON.stringify(view)).toBe(201);
    const workdir = s.manager.agents.get(AGENT)?.workdir ?? '';
    expect(git(workdir, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe(BRANCH);
    await writeFile(join(workdir, 'notes.md'), 'half-done work\n');

    await s.drain.run('full');
    expect(s.exits).toEqual([0]);

    // The origin's branch holds the WIP commit with the uncommitted file.
    const sha = git(origin, ['rev-parse', `refs/heads/${BRANCH}`]);
    expect(git(origin, ['log', '-1', '--format=%s', sha])).toBe('WIP: container eviction save');
    expect(git(origin, ['show', `${sha}:notes.md`])).toBe('half-done work');
    expect(git(workdir, ['status', '--porcelain'])).toBe('');

    const index = (pred: (r: RecordedRequest) => boolean): number => s?.api.requests.findIndex(pred) ?? -1;
    const context = s.api.matching(agentPath('/eviction-context'), 'POST');
    expect(context.map((r) => r.body)).toEqual([{ branch: BRANCH, commit_sha: sha }]);
    expect(context[0]?.auth).toBe('agent-token-polecat-0001');
    const contextAt = index((r) => r.path === agentPath('/eviction-context'));
    const completedAt = index((r) => r.path === agentPath('/completed'));
    const registryAt = s.api.requests.findLastIndex((r) => r.method === 'PUT' && r.path === `/api/towns/${TOWN}/container/registry`);
    expect(contextAt).toBeGreaterThan(index((r) => r.path === `/api/towns/${TOWN}/container/eviction`));
    expect(completedAt).toBeGreaterThan(contextAt);
    expect(registryAt).toBeGreaterThan(completedAt);
    expect(s.api.requests[completedAt]?.body).toEqual({ status: 'completed', reason: EVICTION_REASON });
    expect(s.api.requests[registryAt]?.body).toMatchObject({ registry: { agents: [] } });
    expect(s.lines.find((l) => l.msg === 'drain.wip_saved')).toMatchObject({ agent_id: AGENT, branch: BRANCH, commit_sha: sha });
  });

  it('a clean worktree with nothing unpushed saves nothing and posts no eviction-context', async () => {
    s = await makeDrainStack({
      timings: { drainWaitMs: 100, drainPollMs: 20 },
      workspaces: (setup) =>
        new GitWorkspaces({ root: setup.root, log: setup.log, redactor: setup.redactor, worker: setup.worker, timings: setup.timings, baseEnv: { PATH: process.env.PATH }, localAllowed: true, isAgentLive: setup.isAgentLive }),
    });
    expect((await s.request('POST', '/agents/start', request())).status).toBe(201);
    await s.drain.run('full');
    expect(s.exits).toEqual([0]);
    expect(s.api.matching(agentPath('/eviction-context'))).toHaveLength(0);
    expect(s.api.matching(agentPath('/completed')).map((r) => r.body)).toEqual([{ status: 'completed', reason: EVICTION_REASON }]);
    expect(() => git(origin, ['rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`])).toThrow();
  });
});
