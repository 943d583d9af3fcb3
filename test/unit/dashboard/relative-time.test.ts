/**
 * Relative times on the dashboard: past and future buckets, the week cut-over to a date, and the
 * latest of an agent's activity times.
 */
import { describe, expect, it } from 'vitest';
import { absoluteTime, latestTime, relativeTime } from '../../../src/dashboard/client/relative-time.ts';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [44_000, 'just now'],
    [46_000, '1 min ago'],
    [5 * 60_000, '5 min ago'],
    [59 * 60_000, '59 min ago'],
    [2 * 3_600_000, '2 h ago'],
    [23 * 3_600_000, '23 h ago'],
    [24 * 3_600_000, '1 day ago'],
    [3 * 86_400_000, '3 days ago'],
  ])('%i ms ago reads %s', (ms, text) => {
    expect(relativeTime(ago(ms), NOW)).toBe(text);
  });

  it('reads future times as "in …"', () => {
    expect(relativeTime(ago(-10 * 60_000), NOW)).toBe('in 10 min');
    expect(relativeTime(ago(-2 * 86_400_000), NOW)).toBe('in 2 days');
  });

  it('shows the date once a time is a week or more away', () => {
    expect(relativeTime('2026-02-01T08:00:00.000Z', NOW)).toBe('2026-02-01');
  });

  it('says never for null and keeps unparsable text as it is', () => {
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime('not a time', NOW)).toBe('not a time');
  });
});

describe('absoluteTime', () => {
  it('formats UTC to the second', () => {
    expect(absoluteTime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02 03:04:05 UTC');
    expect(absoluteTime(null)).toBe('');
  });
});

describe('latestTime', () => {
  it('picks the latest present time', () => {
    expect(latestTime(null, '2026-01-01T00:00:00.000Z', undefined, '2026-01-02T00:00:00.000Z')).toBe('2026-01-02T00:00:00.000Z');
    expect(latestTime(null, undefined)).toBeNull();
  });
});
