/**
 * Mail reads (`domain.md` §7): a mail is a `message` bead whose assignee is the recipient and
 * whose `from:<sender>` label names the sender; delivered once closed.
 */
import type { Mail } from '../../protocol/api.ts';
import { str, strOrNull, type SqlHandle, type SqlRow, type SqlValue } from '../db/sql.ts';
import { parseStringArray } from '../beads/json-columns.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';

export function rowToMail(row: SqlRow): Mail {
  const labels = parseStringArray(strOrNull(row, 'labels'));
  const from = labels.find((l) => l.startsWith('from:'));
  return {
    id: str(row, 'bead_id'),
    from_agent_id: from === undefined ? null : from.slice('from:'.length),
    to_agent_id: strOrNull(row, 'assignee_agent_bead_id'),
    subject: str(row, 'title'),
    body: str(row, 'body'),
    delivered_at: str(row, 'status') === 'closed' ? strOrNull(row, 'closed_at') : null,
    created_at: str(row, 'created_at'),
  };
}

export function listMail(sql: SqlHandle, q: { agent_id?: string | undefined; limit: number; cursor?: string | undefined }): Page<Mail> {
  const where = [`type = 'message'`];
  const params: SqlValue[] = [];
  if (q.agent_id !== undefined) {
    where.push(`(assignee_agent_bead_id = ? OR EXISTS (SELECT 1 FROM json_each(beads.labels) WHERE json_each.value = ?))`);
    params.push(q.agent_id, `from:${q.agent_id}`);
  }
  return pageByCreated(sql, { table: 'beads', idColumn: 'bead_id', where, params }, q, rowToMail);
}
