#!/usr/bin/env node
// A stand-in control server for the launcher tests: serves /health behind GASTOWN_CONTROL_SECRET,
// logs `control.listening {port}` like main.ts, ignores SIGTERM and SIGINT, and runs a grandchild
// in its own process group (pid in $GASTOWN_DATA_ROOT/grandchild.pid), as kilo servers do.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
writeFileSync(join(process.env.GASTOWN_DATA_ROOT ?? '.', 'grandchild.pid'), String(grandchild.pid));
const server = createServer((req, res) => {
  const ok = req.headers['x-gastown-control-secret'] === process.env.GASTOWN_CONTROL_SECRET;
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { data: { fake: true } } : { error: { code: 'unauthorized' } }));
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ level: 'info', msg: 'control.listening', port: server.address().port, grandchild: grandchild.pid }));
});
