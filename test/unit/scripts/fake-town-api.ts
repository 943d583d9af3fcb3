/**
 * A fake Gastown API on loopback for scripts/demo.mjs: the dev token, town, rig and mayor routes,
 * the town views the demo polls and the two /debug routes it reads when stuck. After the mayor
 * message, each poll of the bead list moves the town one step along a scripted story (mayor
 * slings an issue, a polecat works it, its merge request is reviewed and merged into the rig's
 * bare repository with real git), so the demo's progress, success and failure paths run for real.
 * With `live: true` it also serves the live socket (a minimal RFC 6455 server: handshake and text
 * frames out), and once the demo has connected the story moves on a timer and reaches it as
 * snapshot, bead, agent and activity frames instead; without it the ticket route is a 404, as on
 * a worker without one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How the story goes: merged with the right text, merged with another text, stuck, failed, or a rig refused. */
export type Story = 'merge' | 'wrong-content' | 'stuck' | 'fail' | 'bad-rig';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeTownApi {
  url: string;
  requests: RecordedRequest[];
  /** The bare repository the demo registered as its rig (from the rig's file:// URL). */
  gitDir(): string | null;
  close(): Promise<void>;
}

export const TOKEN = 'dev-token-for-the-demo-test';
const TOWN = '11111111-1111-4111-8111-111111111111';
const RIG = '22222222-2222-4222-8222-222222222222';
const MAYOR = '33333333-3333-4333-8333-333333333333';
const POLECAT = '44444444-4444-4444-8444-444444444444';
const REFINERY = '55555555-5555-4555-8555-555555555555';
export const ISSUE = '66666666-6666-4666-8666-666666666666';
export const MR = '77777777-7777-4777-8777-777777777777';
const AT = '2026-01-02T03:04:05.000Z';
const BRANCH = 'gt/toast/66666666';

type Json = Record<string, unknown>;

function bead(id: string, type: string, status: string, title: string, extra: Json = {}): Json {
  return { id, type, status, rig_id: RIG, title, body: '', priority: 'medium', labels: [], held: false, assignee_agent_id: null, parent_bead_id: null, convoy_id: null, dispatch_attempts: 0, review: null, metadata: {}, created_by: `agent:${MAYOR}`, created_at: AT, updated_at: AT, closed_at: null, ...extra };
}

function agent(id: string, role: string, name: string, status: string, hooked: string | null): Json {
  return { id, rig_id: role === 'mayor' ? null : RIG, role, name, status, hooked_bead_id: hooked, status_message: null, status_message_at: null, last_heartbeat_at: AT, last_event_type: 'message.updated', last_event_at: AT, active_tools: [], created_at: AT };
}

/** Commits `file` with `text` onto `main` of the bare repository, as the refinery's merge would. */
function mergeInto(gitDir: string, file: string, text: string): string {
  const work = mkdtempSync(join(tmpdir(), 'fake-refinery-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'refinery', GIT_AUTHOR_EMAIL: 'r@test.invalid', GIT_COMMITTER_NAME: 'refinery', GIT_COMMITTER_EMAIL: 'r@test.invalid' };
  try {
    execFileSync('git', ['clone', '--quiet', gitDir, work], { env, stdio: 'ignore' });
    writeFileSync(join(work, file), `${text}\n`);
    execFileSync('git', ['-C', work, 'add', file], { env });
    execFileSync('git', ['-C', work, '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', `Add ${file}`], { env });
    execFileSync('git', ['-C', work, 'push', '--quiet', 'origin', 'HEAD:main'], { env, stdio: 'ignore' });
    return execFileSync('git', ['-C', work, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const LIVE_TICKET = 'fake-live-ticket';
/** How often the story moves in live mode. */
const LIVE_STEP_MS = 50;

/** One unmasked server-to-client text frame. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  if (payload.length < 65_536) {
    const header = Buffer.from([0x81, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

export async function startFakeTownApi(story: Story, opts: { live?: boolean } = {}): Promise<FakeTownApi> {
  const live = opts.live === true;
  const sockets = new Set<Socket>();
  let liveTimer: NodeJS.Timeout | null = null;
  const requests: RecordedRequest[] = [];
  let gitDir: string | null = null;
  let title = '';
  let step = -1; // -1: no message yet
  let mergeCommit = '';
  let port = 0; // known once listening; the live ticket's url names it

  /** Moves the story one step; false when it is over (or has not begun). */
  function advance(): boolean {
    if (step < 0) return false;
    const last = story === 'stuck' || story === 'fail' ? 2 : 5;
    if (step >= last) return false;
    step += 1;
    if (step === 5 && gitDir !== null) mergeInto(gitDir, 'hello.txt', story === 'wrong-content' ? 'Goodbye' : 'Hello from Gastown');
    if (step === 5 && gitDir !== null) mergeCommit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
    return true;
  }

  function broadcast(frame: unknown): void {
    for (const socket of sockets) socket.write(textFrame(JSON.stringify(frame)));
  }

  /** Live mode: once a socket is open, the story moves on a timer and every step goes out as frames. */
  function startLiveStory(): void {
    if (liveTimer !== null) return;
    liveTimer = setInterval(() => {
      if (!advance()) return;
      for (const b of beads()) broadcast({ type: 'bead', bead: b });
      for (const a of agents()) broadcast({ type: 'agent', agent: a });
      for (const event of activity(null)) broadcast({ type: 'activity', event });
    }, LIVE_STEP_MS);
  }

  function beads(): Json[] {
    if (step < 1) return [];
    const review = { source_bead_id: ISSUE, branch: BRANCH, target_branch: 'main', pr_url: null, awaiting_approval: false, review_decision: null };
    if (step === 1) return [bead(ISSUE, 'issue', 'open', title)];
    if (step === 2) return [bead(ISSUE, 'issue', story === 'fail' ? 'failed' : 'in_progress', title, { assignee_agent_id: POLECAT })];
    if (step === 3) return [bead(ISSUE, 'issue', 'in_review', title), bead(MR, 'merge_request', 'open', title, { review, created_by: `agent:${POLECAT}` })];
    if (step === 4) return [bead(ISSUE, 'issue', 'in_review', title), bead(MR, 'merge_request', 'in_progress', title, { review, assignee_agent_id: REFINERY })];
    return [bead(ISSUE, 'issue', 'closed', title, { closed_at: AT }), bead(MR, 'merge_request', 'closed', title, { review, closed_at: AT })];
  }

  function agents(): Json[] {
    const list = [agent(MAYOR, 'mayor', 'mayor', 'waiting', null)];
    if (step >= 2) list.push(agent(POLECAT, 'polecat', 'Toast', step === 2 ? 'working' : 'idle', step === 2 ? ISSUE : null));
    if (step >= 4) list.push(agent(REFINERY, 'refinery', 'refinery', step === 4 ? 'working' : 'idle', step === 4 ? MR : null));
    return list;
  }

  function activity(cursor: string | null): Json[] {
    if (step < 5 || cursor === '1') return [];
    return [{ seq: 1, type: 'review_completed', rig_id: RIG, bead_id: MR, agent_id: REFINERY, actor: `agent:${REFINERY}`, data: { outcome: 'merged', merge_commit: mergeCommit }, created_at: AT }];
  }

  function route(method: string, path: string, query: URLSearchParams, body: unknown): [number, unknown] {
    const T = `/api/towns/${TOWN}`;
    if (method === 'POST' && path === '/api/dev/token') return [201, { token: TOKEN, user_id: 'dev', admin: false, expires_at: AT }];
    if (method === 'POST' && path === '/api/towns') return [201, { id: TOWN, name: (body as Json).name, owner_type: 'user', owner_id: 'dev', created_at: AT, updated_at: AT }];
    if (method === 'POST' && path === `${T}/rigs`) {
      if (story === 'bad-rig') return [400, { error: { code: 'validation_failed', message: 'git_url: file:// git URLs are accepted only in development.' } }];
      const b = body as Json;
      gitDir = fileURLToPath(String(b.git_url));
      return [201, { id: RIG, town_id: TOWN, name: b.name, git_url: b.git_url, default_branch: b.default_branch, config: {}, created_at: AT, updated_at: AT }];
    }
    const mayorStatus = { agent_id: MAYOR, status: step < 0 ? 'idle' : 'working', session: step < 0 ? 'none' : 'running', model: 'local/mayor', small_model: 'local/mayor', status_message: null, last_activity_at: AT };
    if (method === 'POST' && path === `${T}/mayor/ensure`) return [200, mayorStatus];
    if (method === 'POST' && path === `${T}/mayor/message`) {
      title = String((body as Json).message).slice(0, 80);
      step = 0;
      return [200, { delivery: 'sent' }];
    }
    if (method === 'GET' && path === `${T}/mayor`) return [200, mayorStatus];
    if (method === 'GET' && path === `${T}/beads`) {
      if (!live) advance();
      return [200, beads()];
    }
    if (method === 'POST' && path === `${T}/live/ticket` && live) {
      return [201, { ticket: LIVE_TICKET, expires_at: AT, url: `ws://127.0.0.1:${port}${T}/live?ticket=${LIVE_TICKET}` }];
    }
    if (method === 'GET' && path === `${T}/agents`) return [200, agents()];
    if (method === 'GET' && path === `${T}/activity`) return [200, activity(query.get('cursor'))];
    if (method === 'GET' && path === `/debug/towns/${TOWN}/status`) {
      return [200, { alarm: { next_fire_at: AT, interval_ms: 5000, cadence: 'active' }, agents: agents(), beads: { counts: {}, non_terminal: beads() }, last_tick: null, draining: false, container: { state: 'running' } }];
    }
    if (method === 'GET' && path === `/debug/towns/${TOWN}/events`) {
      return [200, [{ id: '88888888-8888-4888-8888-888888888888', type: 'agent_done', agent_id: POLECAT, bead_id: ISSUE, payload: {}, retry_count: 3, last_error: 'boom in applyEvent', created_at: AT, processed_at: AT, dead_lettered_at: AT }]];
    }
    return [404, { error: { code: 'not_found', message: `No route ${method} ${path}.` } }];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    requests.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, body });
    const [status, payload] = route(req.method ?? '', url.pathname, url.searchParams, body);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(status < 400 ? { data: payload } : payload));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: String(e) } }));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: 'UPGRADE', path: url.pathname, authorization: req.headers.authorization, body: undefined });
    const key = req.headers['sec-websocket-key'];
    if (!live || url.searchParams.get('ticket') !== LIVE_TICKET || typeof key !== 'string') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    // The client's frames are ignored, except its close: answer it and hang up.
    socket.on('data', (data: Buffer) => {
      if (((data[0] ?? 0) & 0x0f) === 0x8) socket.end(Buffer.from([0x88, 0x00]));
    });
    socket.write(textFrame(JSON.stringify({ type: 'snapshot', town: {}, agents: agents() })));
    startLiveStory();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    gitDir: () => gitDir,
    close: () =>
      new Promise<void>((resolve) => {
        if (liveTimer !== null) clearInterval(liveTimer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
