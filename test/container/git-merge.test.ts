/**
 * The deterministic merge of `/git/merge` (`container.md` §9.4) with real git against bare origins
 * on disk: a clean merge lands a two-parent merge commit on the target; an already-merged branch
 * reports the target's sha; a conflict lists its files and leaves no worktree or branch behind; a
 * target that moves under the push restarts once, then fails "target moved"; missing branches
 * fail. `MergeJobs` posts the `MergeResultReport` to the fake worker API, once per `request_id`,
 * retrying a 503.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MergeResultReport } from '../../src/protocol/container.ts';
import type { GitMerge } from '../../src/protocol/control.ts';
import { MergeJobs } from '../../container/src/workspaces/merge-jobs.ts';
import { toMergeResultReport } from '../../container/src/workspaces/merge.ts';
import type { MergeOutcome } from '../../container/src/workspaces/merge.ts';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { RIG, TOWN, liveConfig } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { commitTo, fileUrl, git, headOf, makeOrigin, makeWorkspaces, tempDir, testTimings } from './workspaces-git-support.ts';

let tmp: string;
let root: string;
let origin: string;
beforeEach(() => {
  tmp = tempDir('gt-merge-');
  root = join(tmp, 'data');
  origin = makeOrigin(tmp, { 'README.md': '# app\n', 'shared.txt': 'base\n' });
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function mergeBody(over: Partial<GitMerge> = {}): GitMerge {
  return { request_id: 'merge-0001', rig_id: RIG, git_url: fileUrl(origin), default_branch: 'main', branch: 'gt/toast/abcd1234', target_branch: 'main', config: liveConfig(), ...over };
}

/** The clone is left with no temporary worktree, no merge-tmp dir and no local branch. */
function expectNothingLeftBehind(requestId: string): void {
  const repo = join(root, 'rigs', RIG, 'repo');
  expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  expect(existsSync(join(root, 'rigs', RIG, 'merge-tmp', requestId))).toBe(false);
  expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/')).toBe('');
}

/**
 * A `git` on PATH that, before each of the first `moves` pushes, commits to `bare`'s main behind
 * the merge's back (a target that moves between fetch and push), then runs the real git.
 */
function movingTargetPath(bare: string, moves: number): string {
  const bin = join(tmp, 'bin');
  mkdirSync(bin);
  const counter = join(tmp, 'moves');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const script = [
    '#!/bin/sh',
    'for a in "$@"; do',
    '  if [ "$a" = push ]; then',
    `    n=$(cat '${counter}' 2>/dev/null || echo 0)`,
    `    if [ "$n" -lt ${moves} ]; then`,
    `      echo $((n + 1)) > '${counter}'`,
    `      t=$('${realGit}' --git-dir='${bare}' rev-parse 'refs/heads/main^{tree}')`,
    `      c=$(GIT_AUTHOR_NAME=mover GIT_AUTHOR_EMAIL=m@x GIT_COMMITTER_NAME=mover GIT_COMMITTER_EMAIL=m@x '${realGit}' --git-dir='${bare}' commit-tree "$t" -p refs/heads/main -m "Moved $n")`,
    `      '${realGit}' --git-dir='${bare}' update-ref refs/heads/main "$c"`,
    '    fi',
    '    break',
    '  fi',
    'done',
    `exec '${realGit}' "$@"`,
    '',
  ].join('\n');
  writeFileSync(join(bin, 'git'), script);
  chmodSync(join(bin, 'git'), 0o755);
  return `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

describe('runMerge through Workspaces.merge', () => {
  it('merges a clean branch: a --no-ff merge commit on the target in the bare repo', async () => {
    const work = commitTo(origin, 'gt/toast/abcd1234', { 'feature.txt': 'feature\n' }, 'Feature', 'main');
    const mainMoved = commitTo(origin, 'main', { 'other.txt': 'other\n' }, 'Main moved');
    const { ws } = makeWorkspaces(root);
    const outcome = await ws.merge(mergeBody({ config: liveConfig({ git_author_name: 'Ada', git_author_email: 'ada@example.com' }) }));
    expect(outcome.status).toBe('merged');
    const head = headOf(origin, 'main');
    expect(outcome.merge_commit).toBe(head);
    expect(git(origin, 'log', '-1', '--format=%P|%s|%an', 'main')).toBe(`${mainMoved} ${work}|Merge gt/toast/abcd1234 into main|Ada`);
    expectNothingLeftBehind('merge-0001');
  });

  it('reports a branch already in the target as merged at the target sha, without a new commit', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'feature.txt': 'feature\n' }, 'Feature', 'main');
    const { ws } = makeWorkspaces(root);
    const first = await ws.merge(mergeBody());
    const again = await ws.merge(mergeBody({ request_id: 'merge-0002' }));
    expect(again).toMatchObject({ status: 'merged', merge_commit: first.merge_commit });
    expect(headOf(origin, 'main')).toBe(first.merge_commit);
  });

  it('reports a conflict with its files, aborts, and leaves no worktree or branch behind', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'shared.txt': 'theirs\n', 'clean.txt': 'fine\n' }, 'Branch edit', 'main');
    const before = commitTo(origin, 'main', { 'shared.txt': 'ours\n' }, 'Main edit');
    const { ws } = makeWorkspaces(root);
    const outcome = await ws.merge(mergeBody());
    expect(outcome).toMatchObject({ status: 'conflict', files: ['shared.txt'] });
    expect(headOf(origin, 'main')).toBe(before);
    expectNothingLeftBehind('merge-0001');
    expect(toMergeResultReport(outcome)).toEqual({ request_id: 'merge-0001', ok: false, conflict: { files: ['shared.txt'] }, error: outcome.message });
  });

  it('restarts once when the target moves under the push, and lands on the moved target', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'feature.txt': 'feature\n' }, 'Feature', 'main');
    const { ws, cap } = makeWorkspaces(root, { baseEnv: { PATH: movingTargetPath(origin, 1) } });
    const outcome = await ws.merge(mergeBody());
    expect(outcome.status).toBe('merged');
    expect(cap.msgs().filter((m) => m === 'merge.restart')).toHaveLength(1);
    const parents = git(origin, 'log', '-1', '--format=%P', 'main').split(' ');
    expect(git(origin, 'log', '-1', '--format=%s', parents[0] ?? '')).toBe('Moved 0');
    expectNothingLeftBehind('merge-0001');
  });

  it('fails "target moved" when the target moves under the push twice', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'feature.txt': 'feature\n' }, 'Feature', 'main');
    const { ws } = makeWorkspaces(root, { baseEnv: { PATH: movingTargetPath(origin, 2) } });
    const outcome = await ws.merge(mergeBody());
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/target moved/);
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toBe('Moved 1');
    expectNothingLeftBehind('merge-0001');
  });

  it('fails when the branch or the target is missing on origin', async () => {
    const { ws } = makeWorkspaces(root);
    expect(await ws.merge(mergeBody({ branch: 'gt/none/00000000' }))).toMatchObject({ status: 'failed', message: 'origin/gt/none/00000000 does not exist' });
    commitTo(origin, 'gt/toast/abcd1234', { 'f.txt': 'f\n' }, 'F', 'main');
    expect(await ws.merge(mergeBody({ target_branch: 'release' }))).toMatchObject({ status: 'failed', message: 'origin/release does not exist' });
  });
});

describe('toMergeResultReport', () => {
  it('maps merged, failed (error capped at 1024 chars) and conflict outcomes to the worker schema', () => {
    const merged: MergeOutcome = { request_id: 'r', status: 'merged', merge_commit: 'a'.repeat(40), message: 'ok' };
    expect(toMergeResultReport(merged)).toEqual({ request_id: 'r', ok: true, merge_commit: 'a'.repeat(40) });
    const failed = toMergeResultReport({ request_id: 'r', status: 'failed', message: 'x'.repeat(5000) });
    expect(failed.ok).toBe(false);
    expect(failed.error).toHaveLength(1024);
  });
});

describe('MergeJobs', () => {
  let api: FakeWorkerApi;
  beforeEach(async () => {
    api = await startFakeWorkerApi({ townId: TOWN });
  });
  afterEach(async () => {
    await api.stop();
  });

  it('merges in the background, posts C/merge-result once per request_id, and retries a 503', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'feature.txt': 'feature\n' }, 'Feature', 'main');
    const { ws } = makeWorkspaces(root);
    let merges = 0;
    const counted = { merge: (body: GitMerge) => ((merges += 1), ws.merge(body)) };
    const { client, timings } = clientFor(api, TOWN);
    const jobs = new MergeJobs({ workspaces: counted, worker: client, timings, log: captureLog().log });
    api.failNext('container/merge-result', 503, 1);

    expect(jobs.submit(mergeBody())).toEqual({ duplicate: false });
    expect(jobs.submit(mergeBody())).toEqual({ duplicate: true });
    await jobs.settled();
    expect(merges).toBe(1);
    const posts = api.matching('container/merge-result', 'POST');
    expect(posts).toHaveLength(2);
    const report = posts[1]?.body as MergeResultReport;
    expect(report).toEqual({ request_id: 'merge-0001', ok: true, merge_commit: headOf(origin, 'main') });

    // a repeat after the end re-posts the remembered result; nothing merges again
    expect(jobs.submit(mergeBody())).toEqual({ duplicate: true });
    await jobs.settled();
    expect(merges).toBe(1);
    expect(api.matching('container/merge-result', 'POST')).toHaveLength(3);
  });

  it('gives up after 3 retries, and at once on a 404', async () => {
    const failing = { merge: (body: GitMerge): Promise<MergeOutcome> => Promise.resolve({ request_id: body.request_id, status: 'failed', message: 'nope' }) };
    const { client } = clientFor(api, TOWN);
    const cap = captureLog();
    const jobs = new MergeJobs({ workspaces: failing, worker: client, timings: testTimings({ completionRetryMs: [1, 1, 1] }), log: cap.log });
    api.failNext('container/merge-result', 503, 4);
    jobs.submit(mergeBody({ request_id: 'a' }));
    await jobs.settled();
    expect(api.matching('container/merge-result', 'POST')).toHaveLength(4);

    const before = api.matching('container/merge-result', 'POST').length;
    api.failNext('container/merge-result', 404, 1);
    jobs.submit(mergeBody({ request_id: 'b' }));
    await jobs.settled();
    expect(api.matching('container/merge-result', 'POST').length - before).toBe(1);
    expect(cap.msgs().filter((m) => m === 'merge.result_post_failed')).toHaveLength(2);
    expect(readdirSync(tmp)).not.toContain('data');
  });
});
