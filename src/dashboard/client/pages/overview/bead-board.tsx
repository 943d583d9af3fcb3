/**
 * The overview's bead board: one column per status, filters by rig, type and label (sent to
 * `GET T/beads`, and applied to beads arriving on the socket), and the new-bead form.
 */
import { useState } from 'hono/jsx/dom';
import type { Bead } from '../../../../protocol/api.ts';
import { BeadType } from '../../../../protocol/common.ts';
import { BOARD_COLUMNS, BOARD_TYPES, columnsOf, upsertById, type BoardFilters } from '../../board.ts';
import { humanize } from '../../activity-text.ts';
import { valueOf } from '../../forms.ts';
import type { Loaded } from '../../hooks.ts';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { RelTime } from '../../components/rel-time.tsx';
import { Link } from '../../router.tsx';
import { rigName, useTown } from '../../town-context.tsx';
import { NewBeadForm } from './new-bead-form.tsx';

function BeadCard(props: { bead: Bead }) {
  const { townId, rigs } = useTown();
  const b = props.bead;
  return (
    <li class={`card priority-${b.priority}`} data-bead-id={b.id}>
      <Link to={{ page: 'bead', townId, beadId: b.id }} class="card-title">
        {b.title}
      </Link>
      <div class="card-meta">
        <span class="tag">{humanize(b.type)}</span>
        <span class="tag">{b.priority}</span>
        {b.held ? <span class="tag held">held</span> : null}
        <span class="muted">{rigName(rigs.data, b.rig_id)}</span>
      </div>
      {b.labels.length === 0 ? null : (
        <div class="card-labels">
          {b.labels.map((l) => (
            <span class="label">{l}</span>
          ))}
        </div>
      )}
      <div class="muted small">
        updated <RelTime iso={b.updated_at} />
      </div>
    </li>
  );
}

function Filters(props: { filters: BoardFilters; onChange: (f: BoardFilters) => void }) {
  const { rigs } = useTown();
  const f = props.filters;
  const [label, setLabel] = useState(f.label);
  return (
    <form
      class="filters"
      aria-label="Filter beads"
      onSubmit={(e: Event) => {
        e.preventDefault();
        props.onChange({ ...f, label });
      }}
    >
      <label>
        Rig
        <select name="filter-rig" value={f.rigId} onChange={(e: Event) => props.onChange({ ...f, rigId: valueOf(e) })}>
          <option value="" selected={f.rigId === ''}>
            all rigs
          </option>
          {(rigs.data ?? []).map((r) => (
            <option value={r.id} selected={r.id === f.rigId}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Type
        <select
          name="filter-type"
          value={f.type}
          onChange={(e: Event) => {
            const t = BeadType.safeParse(valueOf(e));
            props.onChange({ ...f, type: t.success ? t.data : '' });
          }}
        >
          <option value="" selected={f.type === ''}>
            all work
          </option>
          {BOARD_TYPES.map((t) => (
            <option value={t} selected={t === f.type}>
              {humanize(t)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Label
        <input name="filter-label" value={label} placeholder="any" onInput={(e: Event) => setLabel(valueOf(e))} onBlur={() => props.onChange({ ...f, label })} />
      </label>
    </form>
  );
}

export function BeadBoard(props: { beads: Loaded<Bead[]>; filters: BoardFilters; onFilters: (f: BoardFilters) => void }) {
  const [creating, setCreating] = useState(false);
  const { beads } = props;
  const columns = columnsOf(beads.data ?? []);
  const filtered = props.filters.rigId !== '' || props.filters.type !== '' || props.filters.label.trim() !== '';
  return (
    <Panel
      id="beads"
      title="Beads"
      class="board-panel"
      actions={
        <button type="button" class="primary" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          {creating ? 'Close' : 'New bead'}
        </button>
      }
    >
      {creating ? (
        <NewBeadForm
          defaultRigId={props.filters.rigId}
          onCreated={(bead) => {
            beads.set((current) => upsertById(current, bead));
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      <Filters filters={props.filters} onChange={props.onFilters} />
      <ErrorBanner error={beads.error} onRetry={beads.reload} />
      {beads.loading && beads.data === null ? <Loading what="beads" /> : null}
      {beads.data !== null && beads.data.length === 0 ? (
        filtered ? (
          <EmptyState title="No beads match these filters">Clear a filter to see more.</EmptyState>
        ) : (
          <EmptyState title="No beads yet">Create one with “New bead”, or ask the mayor to plan some work.</EmptyState>
        )
      ) : null}
      <div class="board">
        {BOARD_COLUMNS.map((col) => (
          <section class="column" aria-label={col.label} data-status={col.status}>
            <h3>
              {col.label} <span class="count">{columns[col.status].length}</span>
            </h3>
            <ul class="cards">
              {columns[col.status].map((bead) => (
                <BeadCard key={bead.id} bead={bead} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </Panel>
  );
}
