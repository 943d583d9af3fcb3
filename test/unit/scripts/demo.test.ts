/**
 * scripts/demo.mjs (`npm start -- --demo`) run as a process against a fake town API on loopback:
 * it sets the town up (dev token, town, a real bare repository as a file:// rig, mayor ensure and
 * the request), follows the story with progress lines — from the live socket when the worker has
 * one, else by polling — exits 0 only when the slung issue is closed, its MR merged and the file on
 * `main` holds the asked text; exits 1 with the debug status on a timeout or a failed bead, and on
 * a refused setup call. Also its pure helpers (scripts/demo/progress.mjs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ISSUE, MR, TOKEN, startFakeTownApi, type FakeTownApi, type Story } from './fake-town-api.ts';

const DEMO = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url));
const PROGRESS = fileURLToPath(new URL('../../../scripts/demo/progress.mjs', import.meta.url));

interface DemoModule {
  demoTimeoutMs(argv: string[], env: Record<string, string | undefined>): number;
  demoTownName(now: number): string;
}
interface ProgressModule {
  demoOutcome(beads: unknown[]): { state: string; slung: { id: string } | null; mr: { id: string } | null };
  changedFacts(before: Map<string, string>, after: Map<string, string>): string[];
  waitingLine(outcome: { slung: unknown; mr: unknown }, agents: unknown[], now: number): string;
}
// Plain ESM scripts: typed here by what the tests use.
const demo = (await import(pathToFileURL(DEMO).href)) as DemoModule;
const progress = (await import(pathToFileURL(PROGRESS).href)) as ProgressModule;

let dir = '';
let api: FakeTownApi | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
});
afterEach(async () => {
  await api?.close();
  api = null;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the demo against a fake town playing `story`; its exit code and output. */
async function runDemo(story: Story, timeoutSeconds: number, opts: { live?: boolean } = {}): Promise<{ code: number | null; out: string }> {
  api = await startFakeTownApi(story, opts);
  const child = spawn(process.execPath, [DEMO, '--base', api.url, '--timeout', String(timeoutSeconds)], {
    env: { ...process.env, GASTOWN_DEMO_DIR: dir, GASTOWN_DEMO_POLL_MS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out };
}

const git = (gitDir: string, ...args: string[]): string => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });

describe('demo.mjs against a town that merges the change', () => {
  it('sets the town up, follows the story and exits 0 once the file is on main', async () => {
    const { code, out } = await runDemo('merge', 60);
    expect(code, out).toBe(0);
    const fake = api;
    if (fake === null) throw new Error('no fake');

    // Setup: a dev token first, then every town call with it.
    const paths = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths.slice(0, 5)).toEqual([
      'POST /api/dev/token',
      'POST /api/towns',
      'POST /api/towns/11111111-1111-4111-8111-111111111111/rigs',
      'POST /api/towns/11111111-1111-4111-8111-111111111111/mayor/ensure',
      'POST /api/towns/11111111-1111-4111-8111-111111111111/mayor/message',
    ]);
    expect(fake.requests.slice(1).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(fake.requests[1]?.body).toEqual({ name: expect.stringMatching(/^demo-\d{8}-\d{6}$/) });
    expect(fake.requests[4]?.body).toEqual({ message: 'Add a greeting file `hello.txt` with `Hello from Gastown`' });

    // The rig is a file:// URL of a bare repository under the demo dir, born with one README commit.
    const rigBody = fake.requests[2]?.body as { name: string; git_url: string; default_branch: string };
    expect(rigBody.git_url.startsWith('file:///')).toBe(true);
    expect(rigBody.default_branch).toBe('main');
    const gitDir = fake.gitDir();
    if (gitDir === null) throw new Error('no rig registered');
    expect(gitDir.startsWith(dir)).toBe(true);
    expect(gitDir.endsWith('/origin.git')).toBe(true);
    expect(git(gitDir, 'rev-parse', '--is-bare-repository').trim()).toBe('true');
    const log = git(gitDir, 'log', '--format=%s', 'main').trim().split('\n');
    expect(log).toEqual(['Add hello.txt', 'Initial commit']);
    expect(git(gitDir, 'show', 'main~1:README.md')).toContain('Gastown demo');

    // Progress lines as things changed, then the summary.
    expect(out).toContain('issue 66666666 "Add a greeting file `hello.txt` with `Hello from Gastown`": open');
    expect(out).toContain(': in_progress (Toast)');
    expect(out).toContain('polecat Toast: working, hooked to 66666666');
    expect(out).toContain('merge request 77777777 for 66666666 (gt/toast/66666666 → main): open');
    expect(out).toContain('refinery refinery: working, hooked to 77777777');
    expect(out).toContain('merge request 77777777 for 66666666 (gt/toast/66666666 → main): merged');
    expect(out).toMatch(/review_completed on 77777777 \{"outcome":"merged","merge_commit":"[0-9a-f]{40}"\}/);
    expect(out).toContain('Demo passed in');
    expect(out).toContain('main:hello.txt = "Hello from Gastown"');
    expect(out).toContain(`${fake.url}/towns/11111111-1111-4111-8111-111111111111`);
    // A change prints once: the merged line appears a single time although the demo kept polling until done.
    expect(out.split('): merged').length - 1).toBe(1);
    // This worker has no live route: the demo said so and polled.
    expect(out).toContain('live updates unavailable (POST /api/towns/11111111-1111-4111-8111-111111111111/live/ticket → 404 not_found');
    expect(fake.requests.some((r) => r.method === 'UPGRADE')).toBe(false);
  });

  it('follows the live socket when the worker has one, reading the bead list only around the connect', async () => {
    const { code, out } = await runDemo('merge', 60, { live: true });
    expect(code, out).toBe(0);
    const fake = api;
    if (fake === null) throw new Error('no fake');
    expect(out).toContain('live updates on');
    const upgrades = fake.requests.filter((r) => r.method === 'UPGRADE');
    expect(upgrades.map((r) => r.path)).toEqual(['/api/towns/11111111-1111-4111-8111-111111111111/live']);
    // The whole story came as frames: one read before connecting and one right after, no polling.
    const beadReads = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/beads'));
    expect(beadReads.length).toBeLessThanOrEqual(2);
    // Frames are printed once they settle, so fast steps may merge; the end state is always shown.
    expect(out).toContain('merge request 77777777 for 66666666 (gt/toast/66666666 → main): merged');
    expect(out).toMatch(/review_completed on 77777777 \{"outcome":"merged","merge_commit":"[0-9a-f]{40}"\}/);
    expect(out.split('review_completed on').length - 1).toBe(1);
    expect(out).toContain('Demo passed in');
  });

  it('exits 1 when the merged file does not hold the asked text', async () => {
    const { code, out } = await runDemo('wrong-content', 60);
    expect(code).toBe(1);
    expect(out).toContain('merged, but main:hello.txt is "Goodbye\\n" (expected "Hello from Gastown")');
    expect(out).not.toContain('Demo passed');
  });
});

describe('demo.mjs when the town does not get there', () => {
  it('times out, prints what is stuck from /debug (without a token) and saves the raw status', async () => {
    const { code, out } = await runDemo('stuck', 1);
    expect(code).toBe(1);
    expect(out).toContain('timed out after 1 s');
    expect(out).toContain('what is stuck (GET /debug/towns/:id/status):');
    expect(out).toContain('alarm: next 2026-01-02T03:04:05.000Z, cadence active; container running');
    expect(out).toContain('agent polecat Toast: working hooked 66666666');
    expect(out).toContain('not finished: issue 66666666');
    expect(out).toContain('dead letter agent_done 88888888: boom in applyEvent');
    const debugCalls = (api?.requests ?? []).filter((r) => r.path.startsWith('/debug/'));
    expect(debugCalls.map((r) => r.path)).toEqual(['/debug/towns/11111111-1111-4111-8111-111111111111/status', '/debug/towns/11111111-1111-4111-8111-111111111111/events']);
    expect(debugCalls.every((r) => r.authorization === undefined)).toBe(true);
    const [townDir] = readdirSync(dir);
    if (townDir === undefined) throw new Error('no town dir');
    const saved = JSON.parse(readFileSync(join(dir, townDir, 'stuck.json'), 'utf8')) as { status: { container: { state: string } }; inbox: unknown[] };
    expect(saved.status.container.state).toBe('running');
    expect(saved.inbox).toHaveLength(1);
  });

  it('stops at once when the slung bead fails', async () => {
    const { code, out } = await runDemo('fail', 60);
    expect(code).toBe(1);
    expect(out).toContain('the slung bead 66666666 failed');
    expect(out).not.toContain('timed out');
  });

  it('exits 1 naming the refused call and its error code when setup fails', async () => {
    const { code, out } = await runDemo('bad-rig', 60);
    expect(code).toBe(1);
    expect(out).toContain('failed: POST /api/towns/11111111-1111-4111-8111-111111111111/rigs → 400 validation_failed');
    expect(api?.requests.some((r) => r.path.endsWith('/mayor/message'))).toBe(false);
  });
});

describe('demo.mjs helpers', () => {
  it('reads the timeout from --demo-timeout, --timeout or GASTOWN_DEMO_TIMEOUT, else 10 min', () => {
    expect(demo.demoTimeoutMs([], {})).toBe(600_000);
    expect(demo.demoTimeoutMs(['--demo', '--demo-timeout=90'], {})).toBe(90_000);
    expect(demo.demoTimeoutMs(['--timeout', '30'], { GASTOWN_DEMO_TIMEOUT: '90' })).toBe(30_000);
    expect(demo.demoTimeoutMs([], { GASTOWN_DEMO_TIMEOUT: '45' })).toBe(45_000);
    expect(demo.demoTimeoutMs([], { GASTOWN_DEMO_TIMEOUT: 'soon' })).toBe(600_000);
    expect(demo.demoTimeoutMs([], { GASTOWN_DEMO_TIMEOUT: '0' })).toBe(600_000);
  });

  it('names towns by time', () => {
    expect(demo.demoTownName(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('demo-20260102-030405');
  });

  it('waits while the only MR failed and the issue is back open; done needs the issue closed and an MR merged', () => {
    const issue = (status: string) => ({ id: ISSUE, type: 'issue', status, created_by: 'agent:m', created_at: '2026-01-02T03:04:05.000Z' });
    const mr = (id: string, status: string) => ({ id, type: 'merge_request', status, created_by: 'agent:p', created_at: '2026-01-02T03:04:06.000Z', review: { source_bead_id: ISSUE } });
    expect(progress.demoOutcome([]).state).toBe('waiting');
    expect(progress.demoOutcome([{ ...issue('open'), created_by: 'user:dev' }]).slung).toBeNull();
    expect(progress.demoOutcome([issue('open'), mr(MR, 'failed')]).state).toBe('waiting');
    const done = progress.demoOutcome([issue('closed'), mr('99999999-0000-4000-8000-000000000000', 'failed'), mr(MR, 'closed')]);
    expect(done.state).toBe('done');
    expect(done.mr?.id).toBe(MR);
    expect(progress.demoOutcome([issue('failed')]).state).toBe('failed');
  });

  it('says who holds the bead being worked, and how long its session has been quiet', () => {
    const slung = { id: ISSUE, status: 'in_review' };
    const mr = { id: MR, status: 'in_progress' };
    const refinery = { role: 'refinery', name: 'refinery', status: 'working', hooked_bead_id: MR, last_event_type: 'session.status', last_event_at: '2026-01-02T03:04:05.000Z' };
    const now = Date.parse('2026-01-02T03:05:35.000Z');
    expect(progress.waitingLine({ slung, mr }, [refinery], now)).toBe('still waiting on 66666666 (in_review), MR 77777777 in_progress; refinery refinery working, last event session.status 90 s ago');
    const polecat = { role: 'polecat', name: 'Toast', status: 'working', hooked_bead_id: ISSUE, last_event_type: null, last_event_at: null };
    expect(progress.waitingLine({ slung: { id: ISSUE, status: 'in_progress' }, mr: null }, [polecat], now)).toBe('still waiting on 66666666 (in_progress); polecat Toast working, no session event yet');
    expect(progress.waitingLine({ slung: null, mr: null }, [], now)).toBe('still waiting for the mayor to sling');
  });

  it('reports only new or changed facts', () => {
    const before = new Map([['a', 'x: open'], ['b', 'y: open']]);
    const after = new Map([['a', 'x: open'], ['b', 'y: closed'], ['c', 'z: open']]);
    expect(progress.changedFacts(before, after)).toEqual(['y: closed', 'z: open']);
  });
});
