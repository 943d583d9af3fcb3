#!/usr/bin/env node
// A stand-in for `kilo serve` in the real-backend tests: checks Basic auth with
// KILO_SERVER_PASSWORD, serves tool ids, sessions and an SSE stream, and forks a grandchild
// (its pid in ./grandchild.pid) so the test can see the whole process group die.
// FAKE_KILO_MODE: normal | silent (never listens) | exit (dies at once) | stubborn (ignores TERM).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const mode = process.env.FAKE_KILO_MODE ?? 'normal';
if (mode === 'exit') {
  console.error('fake kilo: exiting on purpose');
  process.exit(3);
}
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync('grandchild.pid', String(grandchild.pid));
if (mode === 'stubborn') process.on('SIGTERM', () => undefined);
if (mode === 'silent') {
  setInterval(() => undefined, 1000);
} else {
  const auth = `Basic ${Buffer.from(`kilo:${process.env.KILO_SERVER_PASSWORD}`).toString('base64')}`;
  const sessions = [];
  const server = createServer((req, res) => {
    if (req.headers.authorization !== auth) {
      res.writeHead(401).end();
      return;
    }
    const json = (v) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (req.url?.startsWith('/experimental/tool/ids')) return json(['bash', 'gt_prime', `cwd:${process.cwd()}`, `env:${Object.keys(process.env).sort().join(',')}`]);
    if (req.url?.startsWith('/session') && req.method === 'POST') {
      const s = { id: `ses_${sessions.length + 1}`, time: { created: 1, updated: 2 } };
      sessions.push(s);
      return json(s);
    }
    if (req.url?.startsWith('/session')) return json(sessions);
    if (req.url?.startsWith('/event')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ type: 'server.connected', properties: {} })}\n\n`);
      res.write(`data: ${JSON.stringify({ type: 'session.idle', properties: { sessionID: 'ses_1' } })}\n\n`);
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`kilo server listening on http://127.0.0.1:${server.address().port}`);
  });
}
