/**
 * A list of activity events, newest first: relative time, what happened, who did it, and a link
 * to the bead it concerns (left out on that bead's own page).
 */
import type { ActivityEvent } from '../../../protocol/api.ts';
import { actorLabel, describeActivity } from '../activity-text.ts';
import { Link } from '../router.tsx';
import { RelTime } from './rel-time.tsx';

export function Timeline(props: { townId: string; events: readonly ActivityEvent[]; beadTitles?: ReadonlyMap<string, string>; hideBead?: boolean }) {
  const newestFirst = [...props.events].sort((a, b) => b.seq - a.seq);
  return (
    <ol class="timeline">
      {newestFirst.map((e) => (
        <li key={String(e.seq)} data-seq={String(e.seq)}>
          <span class="when">
            <RelTime iso={e.created_at} />
          </span>
          <span class="what">{describeActivity(e)}</span>
          {props.hideBead === true || e.bead_id === null ? null : (
            <Link to={{ page: 'bead', townId: props.townId, beadId: e.bead_id }} class="which">
              {props.beadTitles?.get(e.bead_id) ?? `bead ${e.bead_id.slice(0, 8)}`}
            </Link>
          )}
          <span class="who muted">{actorLabel(e.actor)}</span>
        </li>
      ))}
    </ol>
  );
}
