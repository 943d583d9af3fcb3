/**
 * A relative time ("5 min ago") that stays current, with the exact UTC time as its tooltip.
 */
import { useNow } from '../hooks.ts';
import { absoluteTime, relativeTime } from '../relative-time.ts';

export function RelTime(props: { iso: string | null }) {
  const now = useNow();
  if (props.iso === null) return <span class="muted">never</span>;
  return (
    <time datetime={props.iso} title={absoluteTime(props.iso)}>
      {relativeTime(props.iso, now)}
    </time>
  );
}
