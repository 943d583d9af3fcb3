/**
 * P`/db-snapshot` (`http-api.md` §4.3, `container.md`): an agent's local kilo.db, stored by the
 * worker in the `AGENT_DB_SNAPSHOTS` KV namespace under the town and agent id, so a new agent
 * (another id) never sees an old one's history. PUT takes `application/octet-stream` up to 10 MB
 * (413 above) and answers `{bytes, sha256}`; GET answers the stored bytes (404 when absent);
 * DELETE forgets them (404 when absent).
 */
import { DB_SNAPSHOT_MAX_BYTES } from '../../protocol/agent.ts';
import { NotFound } from '../../errors.ts';
import { pathId, type RouteTable } from '../route.ts';
import { deleted, ok } from '../respond.ts';

const P = '/api/towns/:townId/rigs/:rigId/agents/:agentId';


/** The KV key of an agent's snapshot (ids lowercase, as the guard checked them). */
export function dbSnapshotKey(townId: string, agentId: string): string {
  return `db-snapshot/${townId.toLowerCase()}/${agentId.toLowerCase()}`;
}

/** Lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function dbSnapshotRoutes(r: RouteTable): void {
  r.route('GET', `${P}/db-snapshot`, { auth: 'agent' }, async (c) => {
    const stored = await c.env.AGENT_DB_SNAPSHOTS.get(dbSnapshotKey(pathId(c, 'townId'), pathId(c, 'agentId')), 'arrayBuffer');
    if (stored === null) throw new NotFound('db snapshot');
    return c.body(stored, 200, { 'Content-Type': 'application/octet-stream' });
  });

  r.route('PUT', `${P}/db-snapshot`, { auth: 'agent', bodyKind: 'bytes', bodyLimit: DB_SNAPSHOT_MAX_BYTES }, async (c) => {
    const bytes = c.get('rawBytes') ?? new Uint8Array();
    const sha256 = await sha256Hex(bytes);
    await c.env.AGENT_DB_SNAPSHOTS.put(dbSnapshotKey(pathId(c, 'townId'), pathId(c, 'agentId')), bytes, { metadata: { bytes: bytes.byteLength, sha256 } });
    return ok(c, { bytes: bytes.byteLength, sha256 });
  });

  r.route('DELETE', `${P}/db-snapshot`, { auth: 'agent' }, async (c) => {
    const key = dbSnapshotKey(pathId(c, 'townId'), pathId(c, 'agentId'));
    // Existence without reading up to 10 MB: open the value as a stream and drop it.
    const stored = await c.env.AGENT_DB_SNAPSHOTS.get(key, 'stream');
    if (stored === null) throw new NotFound('db snapshot');
    await stored.cancel();
    await c.env.AGENT_DB_SNAPSHOTS.delete(key);
    return deleted(c);
  });
}
