/**
 * The live-connection badge in the town bar: live, connecting, or "reconnecting — updating
 * every 5 s" while pages poll, or closed with the reason (town deleted).
 */
import { POLL_INTERVAL_MS, useLiveStatus } from './live-context.tsx';

export function LiveIndicator() {
  const { status, detail } = useLiveStatus();
  const text =
    status === 'live'
      ? 'Live'
      : status === 'connecting'
        ? 'Connecting…'
        : status === 'polling'
          ? `Reconnecting · updating every ${POLL_INTERVAL_MS / 1000} s`
          : (detail ?? 'Offline');
  return (
    <span class={`live live-${status}`} role="status" title={detail ?? text} data-live-status={status}>
      <span class="dot" aria-hidden="true"></span>
      {text}
    </span>
  );
}
