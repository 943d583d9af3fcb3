/**
 * The control routes `/repos/setup` and `/git/merge` (`container.md` §2) over the real control
 * app, real `GitWorkspaces` and a bare origin on disk: 202 and the work in the background (clone +
 * browse worktree; merge + `C/merge-result` at the fake worker API), idempotency per
 * `request_id`, the body's config applied as live config, 400 naming the refused field, and the
 * control secret before anything.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MergeResultReport } from '../../src/protocol/container.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import { createControlApp } from '../../container/src/control/app.ts';
import { createGitControl } from '../../container/src/workspaces/git-control.ts';
import type { GitControl } from '../../container/src/workspaces/git-control.ts';
import { MergeJobs } from '../../container/src/workspaces/merge-jobs.ts';
import { RIG, TOWN, liveConfig } from './fixtures.ts';
import { clientFor } from './helpers.ts';
import { SECRET, makeHarness } from './pm-harness.ts';
import type { Harness } from './pm-harness.ts';
import { commitTo, fileUrl, git, headOf, makeOrigin, makeWorkspaces, tempDir } from './workspaces-git-support.ts';

let h: Harness;
let tmp: string;
let origin: string;
let app: Hono;
let control: GitControl;
let merges: number;

beforeEach(async () => {
  h = await makeHarness();
  tmp = tempDir('gt-routes-');
  origin = makeOrigin(tmp);
  const { ws } = makeWorkspaces(join(tmp, 'data'), { redactor: h.redactor });
  const { client, timings } = clientFor(h.api, TOWN, { containerToken: h.containerToken() });
  merges = 0;
  const counted = { merge: (body: Parameters<typeof ws.merge>[0]) => ((merges += 1), ws.merge(body)) };
  control = createGitControl({ workspaces: ws, merges: new MergeJobs({ workspaces: counted, worker: client, timings, log: captureless() }), localAllowed: true, log: captureless(), redactor: h.redactor });
  app = createControlApp({ secret: SECRET, manager: h.manager, gate: h.gate, redactor: h.redactor, log: captureless(), townId: TOWN, containerInstanceId: 'i', startedAt: Date.now(), setContainerToken: () => undefined, git: control });
});
afterEach(async () => {
  await control.settled();
  await h.close();
  rmSync(tmp, { recursive: true, force: true });
});

function captureless(): { info(): void; warn(): void; error(): void } {
  return { info: () => undefined, warn: () => undefined, error: () => undefined };
}

async function post(path: string, body: unknown, secret: string | null = SECRET): Promise<Response> {
  return app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret === null ? {} : { [CONTROL_SECRET_HEADER]: secret }) }, body: JSON.stringify(body) });
}

const setupBody = (over: Record<string, unknown> = {}) => ({ rig_id: RIG, git_url: fileUrl(origin), default_branch: 'main', config: liveConfig({ version: 9 }), ...over });
const mergeBody = (over: Record<string, unknown> = {}) => ({ request_id: 'req-1', rig_id: RIG, git_url: fileUrl(origin), default_branch: 'main', branch: 'gt/toast/abcd1234', target_branch: 'main', config: liveConfig({ version: 9 }), ...over });

describe('POST /repos/setup', () => {
  it('answers 202 and clones + creates the browse worktree in the background; applies the config', async () => {
    const res = await post('/repos/setup', setupBody());
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ data: { accepted: true } });
    expect(h.manager.deps.liveConfig.version).toBe(9);
    await control.settled();
    const browse = join(tmp, 'data', 'rigs', RIG, 'browse');
    expect(git(browse, 'rev-parse', 'HEAD')).toBe(headOf(origin, 'main'));
  });

  it.each([
    ['git_url', { git_url: 'ssh://git@github.com/acme/app.git' }],
    ['git_url', { git_url: 'https://x-access-token:ghp_leaky1234@github.com/a/b.git' }],
    ['default_branch', { default_branch: '-main' }],
  ])('400 validation_failed naming %s, with no work started', async (field, over) => {
    const res = await post('/repos/setup', setupBody(over));
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; details: { issues: { path: string[] }[] } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.issues[0]?.path).toEqual([field]);
    expect(text).not.toContain('ghp_leaky1234');
    await control.settled();
    expect(existsSync(join(tmp, 'data', 'rigs'))).toBe(false);
  });

  it('401 without the control secret, before the body is read', async () => {
    expect((await post('/repos/setup', setupBody(), null)).status).toBe(401);
    expect((await post('/git/merge', mergeBody(), 'wrong')).status).toBe(401);
    await control.settled();
    expect(existsSync(join(tmp, 'data', 'rigs'))).toBe(false);
    expect(h.manager.deps.liveConfig.current).toBeNull();
  });
});

describe('POST /git/merge', () => {
  it('answers 202, merges in the background and posts C/merge-result; a repeated request_id merges once', async () => {
    commitTo(origin, 'gt/toast/abcd1234', { 'f.txt': 'f\n' }, 'Feature', 'main');
    expect((await post('/git/merge', mergeBody())).status).toBe(202);
    expect((await post('/git/merge', mergeBody())).status).toBe(202);
    await control.settled();
    expect(merges).toBe(1);
    const posted = h.api.matching('container/merge-result', 'POST').map((r) => r.body as MergeResultReport);
    expect(posted[0]).toEqual({ request_id: 'req-1', ok: true, merge_commit: headOf(origin, 'main') });
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toBe('Merge gt/toast/abcd1234 into main');
  });

  it('400 naming branch, target_branch or request_id', async () => {
    for (const [field, over] of [
      ['branch', { branch: '-x' }],
      ['target_branch', { target_branch: 'a..b' }],
      ['request_id', { request_id: '..' }],
    ] as const) {
      const res = await post('/git/merge', mergeBody(over));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details: { issues: { path: string[] }[] } } };
      expect(body.error.details.issues[0]?.path).toEqual([field]);
    }
    await control.settled();
    expect(merges).toBe(0);
  });
});
