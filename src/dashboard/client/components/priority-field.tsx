/**
 * A bead's priority as a labelled select of the protocol's priorities (creating and editing a
 * bead); a value outside them is ignored.
 */
import { Priority } from '../../../protocol/common.ts';
import { valueOf } from '../forms.ts';

export function PriorityField(props: { name: string; value: Priority; onChange: (priority: Priority) => void }) {
  return (
    <label>
      Priority
      <select
        name={props.name}
        value={props.value}
        onChange={(e: Event) => {
          const parsed = Priority.safeParse(valueOf(e));
          if (parsed.success) props.onChange(parsed.data);
        }}
      >
        {Priority.options.map((p) => (
          <option value={p} selected={p === props.value}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );
}
