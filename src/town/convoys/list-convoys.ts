/**
 * GET T/convoys: convoys newest first, filtered by state, with progress.
 */
import type { Convoy } from '../../protocol/api.ts';
import { placeholders, type SqlHandle, type SqlValue } from '../db/sql.ts';
import { pageByCreated, type Page } from '../records/pagination.ts';
import { rowToConvoy } from './convoy-rows.ts';

export function listConvoys(sql: SqlHandle, q: { status?: string[] | undefined; limit: number; cursor?: string | undefined }): Page<Convoy> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.status !== undefined) {
    where.push(`c.state IN (${placeholders(q.status.length)})`);
    params.push(...q.status);
  }
  return pageByCreated(
    sql,
    {
      select: 'SELECT c.*, b.title AS title, b.created_by AS created_by, b.created_at AS created_at',
      table: 'convoy_metadata c JOIN beads b ON b.bead_id = c.bead_id',
      idColumn: 'c.bead_id',
      createdColumn: 'b.created_at',
      where,
      params,
    },
    q,
    (row) => rowToConvoy(sql, row),
  );
}
