/**
 * Editing a bead's title, description, priority and labels (`PATCH T/beads/:beadId` with only
 * the changed fields).
 */
import { useState } from 'hono/jsx/dom';
import type { Bead, BeadPatch } from '../../../protocol/api.ts';
import type { Priority } from '../../../protocol/common.ts';
import { parseLabels } from '../board.ts';
import { useSubmission } from '../form-submission.ts';
import { valueOf } from '../forms.ts';
import { PriorityField } from '../components/priority-field.tsx';
import { SubmitOrCancel } from '../components/submit-or-cancel.tsx';
import { useTown } from '../town-context.tsx';

export function BeadEditForm(props: { bead: Bead; onSaved: (bead: Bead) => void; onCancel: () => void }) {
  const { api } = useTown();
  const b = props.bead;
  const [title, setTitle] = useState(b.title);
  const [body, setBody] = useState(b.body);
  const [priority, setPriority] = useState<Priority>(b.priority);
  const [labels, setLabels] = useState(b.labels.join(', '));
  const submission = useSubmission();
  return (
    <form
      class="stack-form"
      aria-label="Edit bead"
      onSubmit={(e: Event) => {
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
        void submission.run(async () => props.onSaved(await api.patchBead(b.id, patch)));
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
        <PriorityField name="edit-priority" value={priority} onChange={setPriority} />
        <label>
          Labels
          <input name="edit-labels" value={labels} onInput={(e: Event) => setLabels(valueOf(e))} />
        </label>
      </div>
      <SubmitOrCancel submitLabel="Save" submission={submission} onCancel={props.onCancel} />
    </form>
  );
}
