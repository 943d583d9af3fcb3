/**
 * The form that creates a bead (`POST T/beads`, BeadCreate): rig, title, description, priority,
 * labels, and "hold" (a held bead is not dispatched until un-held).
 */
import { useState } from 'hono/jsx/dom';
import type { Bead } from '../../../../protocol/api.ts';
import type { Priority } from '../../../../protocol/common.ts';
import { parseLabels } from '../../board.ts';
import { useSubmission } from '../../form-submission.ts';
import { checkedOf, valueOf } from '../../forms.ts';
import { PriorityField } from '../../components/priority-field.tsx';
import { SubmitOrCancel } from '../../components/submit-or-cancel.tsx';
import { useTown } from '../../town-context.tsx';

export function NewBeadForm(props: { defaultRigId: string; onCreated: (bead: Bead) => void; onCancel: () => void }) {
  const { api, rigs } = useTown();
  const rigList = rigs.data ?? [];
  const [chosenRigId, setRigId] = useState('');
  // The rigs may arrive after the form opens: fall back to the filter's rig, then the first.
  const rigId = [chosenRigId, props.defaultRigId, rigList[0]?.id ?? ''].find((id) => id !== '' && rigList.some((r) => r.id === id)) ?? '';
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const [labels, setLabels] = useState('');
  const [held, setHeld] = useState(false);
  const submission = useSubmission();
  if (rigList.length === 0) {
    return <p class="notice">Add a rig first (see Rigs below): every bead belongs to a rig.</p>;
  }
  return (
    <form
      class="stack-form new-bead"
      aria-label="New bead"
      onSubmit={(e: Event) => {
        e.preventDefault();
        void submission.run(async () => {
          const bead = await api.createBead({ rig_id: rigId, title: title.trim(), body: body === '' ? undefined : body, priority, labels: parseLabels(labels), held });
          setTitle('');
          setBody('');
          setLabels('');
          props.onCreated(bead);
        });
      }}
    >
      <div class="field-row">
        <label>
          Rig
          <select name="bead-rig" value={rigId} onChange={(e: Event) => setRigId(valueOf(e))}>
            {rigList.map((r) => (
              <option value={r.id} selected={r.id === rigId}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <PriorityField name="bead-priority" value={priority} onChange={setPriority} />
      </div>
      <label>
        Title
        <input name="bead-title" required maxlength={200} value={title} placeholder="What should be done?" onInput={(e: Event) => setTitle(valueOf(e))} />
      </label>
      <label>
        Description
        <textarea name="bead-body" rows={3} value={body} onInput={(e: Event) => setBody(valueOf(e))}></textarea>
      </label>
      <label>
        Labels
        <input name="bead-labels" value={labels} placeholder="frontend, bug" onInput={(e: Event) => setLabels(valueOf(e))} />
      </label>
      <label class="check">
        <input type="checkbox" name="bead-held" checked={held} onChange={(e: Event) => setHeld(checkedOf(e))} />
        Hold (do not dispatch until un-held)
      </label>
      <SubmitOrCancel submitLabel="Create bead" submission={submission} onCancel={props.onCancel} />
    </form>
  );
}
