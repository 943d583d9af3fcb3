/**
 * Relative times for the dashboard ("just now", "5 min ago", "in 2 h", "3 days ago"), from an
 * ISO time and an explicit `now` so it is pure and testable. Older than a week shows the date.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** `iso` relative to `now` (epoch ms); "never" for null, the raw text for an unparsable time. */
export function relativeTime(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const delta = now - at;
  const abs = Math.abs(delta);
  if (abs < 45_000) return 'just now';
  let text: string;
  if (abs < HOUR) text = `${Math.max(1, Math.round(abs / MINUTE))} min`;
  else if (abs < DAY) text = `${Math.round(abs / HOUR)} h`;
  else if (abs < WEEK) text = plural(Math.round(abs / DAY), 'day');
  else return new Date(at).toISOString().slice(0, 10);
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** The full timestamp as a tooltip: `2026-01-02 03:04:05 UTC`. */
export function absoluteTime(iso: string | null): string {
  if (iso === null) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The latest of several optional ISO times (an agent's last activity), or null. */
export function latestTime(...times: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const t of times) {
    if (t === null || t === undefined) continue;
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && ms > bestMs) {
      best = t;
      bestMs = ms;
    }
  }
  return best;
}
