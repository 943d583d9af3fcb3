/**
 * Editing a bead's title, description, priority and labels (`PATCH T/beads/:beadId` with only
 * the changed fields).
 */
import { useState } from 'hono/jsx/dom';
import type { Bead, BeadPatch } from '../../../protocol/api.ts';
import { Priority } from '../../../protocol/common.ts';
import { parseLabels } from '../board.ts';
import { valueOf } from '../forms.ts';
import { ErrorBanner } from '../components/feedback.tsx';
import { useTown } from '../town-context.tsx';

export function BeadEditForm(props: { bead: Bead; onSaved: (bead: Bead) => void; onCancel: () => void }) {
  const { api } = useTown();
  const b = props.bead;
  const [title, setTitle] = useState(b.title);
  const [body, setBody] = useState(b.body);
  const [priority, setPriority] = useState<Priority>(b.priority);
  const [labels, setLabels] = useState(b.labels.join(', '));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="stack-form"
      aria-label="Edit bead"
      onSubmit={async (e: Event) => {
        e.preventDefault();
        const patch: BeadPatch = {};
        if (title.trim() !== b.title) patch.title = title.trim();
        if (body !== b.body) patch.body = body;
        if (priority !== b.priority) patch.priority = priority;
        const nextLabels = parseLabels(labels);
        if (nextLabels.join(',') !== b.labels.join(',')) patch.labels = nextLabels;
        if (Object.keys(patch).length === 0) {
          props.onCancel();
          return;
        }
        setBusy(true);
        setError(null);
        try {
          props.onSaved(await api.patchBead(b.id, patch));
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Title
        <input name="edit-title" required maxlength={200} value={title} onInput={(e: Event) => setTitle(valueOf(e))} />
      </label>
      <label>
        Description
        <textarea name="edit-body" rows={6} value={body} onInput={(e: Event) => setBody(valueOf(e))}></textarea>
      </label>
      <div class="field-row">
        <label>
          Priority
          <select
            name="edit-priority"
            value={priority}
            onChange={(e: Event) => {
              const p = Priority.safeParse(valueOf(e));
              if (p.success) setPriority(p.data);
            }}
          >
            {Priority.options.map((p) => (
              <option value={p} selected={p === priority}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Labels
          <input name="edit-labels" value={labels} onInput={(e: Event) => setLabels(valueOf(e))} />
        </label>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
