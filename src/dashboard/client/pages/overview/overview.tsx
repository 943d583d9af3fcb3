/**
 * The town overview: a summary, the bead board, agents, convoys, the merge queue, open
 * escalations, rigs and the activity timeline. The board's beads live here so agent hooks and the
 * timeline can show bead titles; `bead` frames update it in place.
 */
import { useState } from 'hono/jsx/dom';
import type { Bead } from '../../../../protocol/api.ts';
import { beadMatches, boardQuery, NO_FILTERS, removeById, upsertById, type BoardFilters } from '../../board.ts';
import { humanize } from '../../activity-text.ts';
import { useLiveResource } from '../../live/use-live-resource.ts';
import { usePageLabel } from '../../page-label.ts';
import { useTown } from '../../town-context.tsx';
import { ActivityPanel } from './activity-panel.tsx';
import { AgentsPanel } from './agents-panel.tsx';
import { BeadBoard } from './bead-board.tsx';
import { ConvoysPanel } from './convoys-panel.tsx';
import { EscalationsPanel } from './escalations-panel.tsx';
import { MergeQueuePanel } from './merge-queue-panel.tsx';
import { RigsPanel } from './rigs-panel.tsx';

function Summary() {
  const { town } = useTown();
  const t = town.data;
  if (t === null) return null;
  const counts = (record: Partial<Record<string, number>>): string =>
    Object.entries(record)
      .filter(([, n]) => n !== undefined && n > 0)
      .map(([k, n]) => `${n} ${humanize(k)}`)
      .join(', ') || 'none';
  return (
    <div class="summary" aria-label="Town summary">
      <span>
        <strong>{t.summary.rigs}</strong> {t.summary.rigs === 1 ? 'rig' : 'rigs'}
      </span>
      <span>Beads: {counts(t.summary.beads)}</span>
      <span>Agents: {counts(t.summary.agents)}</span>
      {t.summary.draining ? <span class="tag held">container restarting</span> : null}
    </div>
  );
}

export function OverviewPage() {
  const { townId, api, town } = useTown();
  usePageLabel(town.data === null ? 'Town overview' : `Overview of ${town.data.name}`);
  const [filters, setFilters] = useState<BoardFilters>(NO_FILTERS);
  const beads = useLiveResource(
    async () => (await api.beads(boardQuery(filters))).items,
    [townId, filters.rigId, filters.type, filters.label],
    (current: Bead[], frame) => {
      if (frame.type === 'bead') return beadMatches(frame.bead, filters) ? upsertById(current, frame.bead) : removeById(current, frame.bead.id);
      if (frame.type === 'activity' && frame.event.type === 'deleted' && frame.event.bead_id !== null) return removeById(current, frame.event.bead_id);
      return null;
    },
  );
  const beadTitles = new Map((beads.data ?? []).map((b) => [b.id, b.title]));
  return (
    <div class="overview">
      <h1>{town.data?.name ?? 'Town'}</h1>
      <Summary />
      <BeadBoard beads={beads} filters={filters} onFilters={setFilters} />
      <div class="overview-grid">
        <div class="col">
          <AgentsPanel beadTitles={beadTitles} />
          <ConvoysPanel />
          <MergeQueuePanel />
        </div>
        <div class="col">
          <EscalationsPanel />
          <RigsPanel />
          <ActivityPanel beadTitles={beadTitles} />
        </div>
      </div>
    </div>
  );
}
