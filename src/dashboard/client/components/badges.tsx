/**
 * Small visual markers: a status badge coloured by status, and a convoy progress bar
 * (closed and failed out of total, with an accessible label).
 */
import { humanize } from '../activity-text.ts';

/** A status word (`in_progress` → "in progress") styled by its value. */
export function StatusBadge(props: { status: string | null; title?: string }) {
  if (props.status === null) return <span class="badge">—</span>;
  return (
    <span class={`badge status-${props.status}`} title={props.title}>
      {humanize(props.status)}
    </span>
  );
}

/** Done (closed + failed) of total, as a bar with the failed share in its own colour. */
export function ProgressBar(props: { total: number; closed: number; failed: number }) {
  const total = Math.max(0, props.total);
  const pct = (n: number): number => (total === 0 ? 0 : Math.round((n / total) * 100));
  const done = props.closed + props.failed;
  const label = total === 0 ? 'no members' : `${done} of ${total} done${props.failed > 0 ? `, ${props.failed} failed` : ''}`;
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={label} title={label}>
      <span class="progress-closed" style={{ width: `${pct(props.closed)}%` }}></span>
      <span class="progress-failed" style={{ width: `${pct(props.failed)}%` }}></span>
      <span class="progress-text">{label}</span>
    </div>
  );
}
