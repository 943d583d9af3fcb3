/**
 * The fake git host's git half (`scm.md` §8): clone and push over smart HTTP with a token given
 * by a credential helper (so the 401 challenge → helper path is exercised), 401 without or with a
 * revoked token, request recording, queued failures and the bare handler.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGitHost, DEFAULT_FAKE_TOKEN, startFakeGitHost, type FakeGitHost } from '../fakes/git-host/index.ts';
import { git, runGit } from '../fakes/git-host/run-git.ts';

/** `-c` options making git answer a challenge with `token` (no prompt, nothing stored). */
function withToken(token: string): string[] {
  return ['-c', 'credential.helper=', '-c', `credential.helper=!f() { echo username=x-access-token; echo password=${token}; }; f`];
}

let host: FakeGitHost;
let work: string;

beforeAll(async () => {
  host = await startFakeGitHost();
  await host.createRepo('acme', 'app', { default_branch: 'main', files: { 'README.md': '# app\n', 'src/index.ts': 'export {};\n' } });
});
afterAll(async () => {
  await host.stop();
});
afterEach(async () => {
  host.control.reset();
  host.tokens.set([DEFAULT_FAKE_TOKEN]);
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'fake-git-host-test-'));
  return work;
}

describe('fake git host: git smart HTTP', () => {
  it('clones with a token from the credential helper after a 401 challenge, then pushes a branch', async () => {
    const dir = await scratch();
    const clone = join(dir, 'app');
    await git([...withToken(DEFAULT_FAKE_TOKEN), 'clone', '--quiet', `${host.url}/acme/app.git`, clone]);
    expect(await readFile(join(clone, 'src/index.ts'), 'utf8')).toBe('export {};\n');
    expect(await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: clone })).toBe('main');

    const first = host.control.requests('/acme/app.git/info/refs')[0];
    expect(first).toMatchObject({ method: 'GET', auth_sent: false, status: 401 });
    expect(host.control.requests('/acme/app.git/**').some((r) => r.auth_sent && r.token === DEFAULT_FAKE_TOKEN && r.status === 200)).toBe(true);

    await writeFile(join(clone, 'feature.txt'), 'new\n');
    await git(['add', 'feature.txt'], { cwd: clone });
    await git(['commit', '--quiet', '-m', 'Add feature'], { cwd: clone });
    const sha = await git(['rev-parse', 'HEAD'], { cwd: clone });
    await git([...withToken(DEFAULT_FAKE_TOKEN), 'push', '--quiet', 'origin', 'HEAD:refs/heads/gt/toast/1'], { cwd: clone });

    expect(host.control.requests('/acme/app.git/git-receive-pack', 'POST')).toEqual([expect.objectContaining({ status: 200, token: DEFAULT_FAKE_TOKEN })]);
    const remote = await git([...withToken(DEFAULT_FAKE_TOKEN), 'ls-remote', `${host.url}/acme/app.git`, 'refs/heads/gt/toast/1']);
    expect(remote.split('\t')[0]).toBe(sha);
  });

  it('answers 401 with WWW-Authenticate: Basic when no token is sent, and git fails', async () => {
    const bare = await fetch(`${host.url}/acme/app.git/info/refs?service=git-upload-pack`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Basic /);

    const dir = await scratch();
    const run = await runGit(['-c', 'credential.helper=', 'clone', '--quiet', `${host.url}/acme/app.git`, join(dir, 'app')]);
    expect(run.code).not.toBe(0);
    const attempts = host.control.requests('/acme/app.git/**');
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((r) => r.status === 401 && !r.auth_sent)).toBe(true);
  });

  it('refuses a revoked token and accepts one added at runtime', async () => {
    const dir = await scratch();
    host.tokens.add('second-token');
    host.tokens.revoke(DEFAULT_FAKE_TOKEN);
    const refused = await runGit([...withToken(DEFAULT_FAKE_TOKEN), 'ls-remote', `${host.url}/acme/app.git`]);
    expect(refused.code).not.toBe(0);
    expect(host.control.requests('/acme/app.git/info/refs').filter((r) => r.auth_sent)).toEqual([expect.objectContaining({ token: DEFAULT_FAKE_TOKEN, status: 401 })]);

    await git([...withToken('second-token'), 'clone', '--quiet', `${host.url}/acme/app.git`, join(dir, 'app')]);
    expect(await readFile(join(dir, 'app/README.md'), 'utf8')).toBe('# app\n');
  });

  it('serves a queued failure to the matching request only, then recovers', async () => {
    host.control.queueFailure({ path_glob: 'info/refs', status: 503, count: 1 });
    const auth = { authorization: `Basic ${Buffer.from(`x:${DEFAULT_FAKE_TOKEN}`).toString('base64')}` };
    const failed = await fetch(`${host.url}/acme/app.git/info/refs?service=git-upload-pack`, { headers: auth });
    expect(failed.status).toBe(503);
    const ok = await fetch(`${host.url}/acme/app.git/info/refs?service=git-upload-pack`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect(host.control.requests().map((r) => r.status)).toEqual([503, 200]);
  });

  it('answers 404 for a repository that does not exist, and creates nested GitLab-style paths', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`x:${DEFAULT_FAKE_TOKEN}`).toString('base64')}` };
    expect((await fetch(`${host.url}/acme/missing.git/info/refs?service=git-upload-pack`, { headers: auth })).status).toBe(404);
    const nested = await host.createRepo('group/sub', 'svc.api', { default_branch: 'trunk' });
    expect(nested.git_url).toBe(`${host.url}/group/sub/svc.api.git`);
    const refs = await git([...withToken(DEFAULT_FAKE_TOKEN), 'ls-remote', '--symref', nested.git_url, 'HEAD']);
    expect(refs).toContain('ref: refs/heads/trunk');
  });
});

describe('fake git host: bare handler', () => {
  it('answers Requests without a server (as a workerd outbound fetch would)', async () => {
    const core = await createFakeGitHost({ tokens: ['only-token'] });
    try {
      await core.createRepo('acme', 'lib', { default_branch: 'main' });
      const denied = await core.handler(new Request('http://127.0.0.1:9/acme/lib.git/info/refs?service=git-upload-pack'));
      expect(denied.status).toBe(401);
      const auth = `Basic ${Buffer.from('x:only-token').toString('base64')}`;
      const ok = await core.handler(new Request('http://127.0.0.1:9/acme/lib.git/info/refs?service=git-upload-pack', { headers: { authorization: auth } }));
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('refs/heads/main');
    } finally {
      await core.dispose();
    }
  });
});
