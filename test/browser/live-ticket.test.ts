/**
 * The live socket's ticket flow (`http-api.md` §2 rule 7) against the real worker in local
 * mode: a WebSocket upgrade with no ticket, a made-up ticket, or a ticket already used is
 * answered 401 `bad_ticket` before any upgrade; a fresh ticket opens the socket once and its
 * first frame is the snapshot. Raw HTTP upgrades (node:http), so the refusal's status and body
 * are visible; and the same refusal seen from the browser, where the socket never opens.
 */
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';
import { ApiClient, DESKTOP, launchChromium, openPage } from './browser-support.ts';

let stack: LocalStack;
let api: ApiClient;
let townId = '';

type Upgrade = { kind: 'upgraded'; firstFrame: string } | { kind: 'refused'; status: number; body: unknown };

/** Sends a WebSocket upgrade to `path`; on 101 reads the first (unmasked text) frame. */
function upgrade(path: string): Promise<Upgrade> {
  const url = new URL(path, stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) }));
    });
    req.on('upgrade', (_res, socket, head: Buffer) => {
      // The first frame may arrive with the 101 response itself (`head`).
      let buffer = Buffer.from(head);
      const tryRead = (): void => {
        const frame = readTextFrame(buffer);
        if (frame === null) return;
        socket.destroy();
        resolve({ kind: 'upgraded', firstFrame: frame });
      };
      socket.on('data', (d: Buffer) => {
        buffer = Buffer.concat([buffer, d]);
        tryRead();
      });
      tryRead();
    });
    req.on('error', reject);
    req.end();
  });
}

/** The payload of the first complete server frame in `buf`, or null while it is incomplete. */
function readTextFrame(buf: Buffer): string | null {
  if (buf.length < 2) return null;
  const short = (buf[1] ?? 0) & 0x7f;
  let offset = 2;
  let length = short;
  if (short === 126) {
    if (buf.length < 4) return null;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (short === 127) {
    if (buf.length < 10) return null;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (buf.length < offset + length) return null;
  return buf.subarray(offset, offset + length).toString('utf8');
}

async function ticket(): Promise<string> {
  const issued = await api.data('POST', `/api/towns/${townId}/live/ticket`);
  expect(typeof issued.ticket).toBe('string');
  expect(issued.url).toBe(`ws://${new URL(stack.baseUrl).host}/api/towns/${townId}/live?ticket=${String(issued.ticket)}`);
  return String(issued.ticket);
}

const BAD_TICKET = { error: expect.objectContaining({ code: 'unauthorized', details: { reason: 'bad_ticket' } }) };

beforeAll(async () => {
  stack = await startLocalStack({ launcher: false });
  api = new ApiClient(stack.baseUrl, await stack.devToken());
  townId = String((await api.data('POST', '/api/towns', { name: 'Ticket town' })).id);
});

afterAll(async () => {
  await stack?.stop();
});

describe('live socket tickets', () => {
  it('refuses an upgrade without a ticket', async () => {
    const res = await upgrade(`/api/towns/${townId}/live`);
    expect(res).toEqual({ kind: 'refused', status: 401, body: BAD_TICKET });
  });

  it('refuses a ticket it never issued', async () => {
    const res = await upgrade(`/api/towns/${townId}/live?ticket=${'A'.repeat(43)}`);
    expect(res).toEqual({ kind: 'refused', status: 401, body: BAD_TICKET });
  });

  it('accepts a fresh ticket once, sending the snapshot, and refuses it when reused', async () => {
    const t = await ticket();
    const first = await upgrade(`/api/towns/${townId}/live?ticket=${t}`);
    expect(first.kind).toBe('upgraded');
    if (first.kind === 'upgraded') expect(JSON.parse(first.firstFrame)).toMatchObject({ type: 'snapshot', town: { id: townId, name: 'Ticket town' } });
    const again = await upgrade(`/api/towns/${townId}/live?ticket=${t}`);
    expect(again).toEqual({ kind: 'refused', status: 401, body: BAD_TICKET });
  });

  it('refuses a ticket issued for another town', async () => {
    const t = await ticket();
    const other = String((await api.data('POST', '/api/towns', { name: 'Other town' })).id);
    const res = await upgrade(`/api/towns/${other}/live?ticket=${t}`);
    expect(res).toEqual({ kind: 'refused', status: 401, body: BAD_TICKET });
  });

  it('in the browser, a reused ticket never opens a socket', async () => {
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const { page } = await openPage(browser, DESKTOP, null);
      await page.goto(`${stack.baseUrl}/sign-in`);
      const t = await ticket();
      const url = `ws://${new URL(stack.baseUrl).host}/api/towns/${townId}/live?ticket=${t}`;
      const script = (u: string) =>
        `new Promise((resolve) => { const ws = new WebSocket(${JSON.stringify(u)}); ws.onmessage = (e) => { resolve('open:' + JSON.parse(e.data).type); ws.close(); }; ws.onerror = () => resolve('refused'); })`;
      expect(await page.evaluate(script(url))).toBe('open:snapshot');
      expect(await page.evaluate(script(url))).toBe('refused');
      expect(await page.evaluate(script(url.replace(/\?ticket=.*/, '')))).toBe('refused');
    } finally {
      await browser?.close();
    }
  });
});
