/**
 * `analyticsSink` (`reconciler.md` §8): one Analytics Engine point per event (index = name;
 * blobs = name, town, rig, bead, the data as JSON) and a log line; without a dataset only the
 * log line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyticsSink } from '../../../../src/town/reconciler/analytics-events.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('analyticsSink', () => {
  const event = { name: 'pr.poll_failed', data: { rig_id: 'rig-1', bead_id: 'mr-1', provider: 'github', failure_kind: 'no_token' } };

  it('writes one point: index = name; blobs = name, town, rig, bead, data JSON', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const writeDataPoint = vi.fn();
    analyticsSink({ writeDataPoint })('town-1', event);
    expect(writeDataPoint).toHaveBeenCalledWith({
      indexes: ['pr.poll_failed'],
      blobs: ['pr.poll_failed', 'town-1', 'rig-1', 'mr-1', JSON.stringify(event.data)],
      doubles: [1],
    });
  });

  it('always logs the event with the town id, also without a dataset', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    analyticsSink(undefined)('town-1', event);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ level: 'info', msg: 'pr.poll_failed', town_id: 'town-1', bead_id: 'mr-1', failure_kind: 'no_token' });
  });
});
