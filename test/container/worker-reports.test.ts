/**
 * Tests of the startup telemetry of `WorkerReports` (`container.md` §5.2) against the fake worker
 * API: one C/events POST in flight, points arriving meanwhile batched into the next (in order,
 * at most 100 per POST), a failed POST logged without losing later points, `stop()` dropping
 * unsent points.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { TELEMETRY_BATCH_MAX, WorkerReports } from '../../container/src/process/worker-reports.ts';
import { AGENT, MAYOR, TOWN } from './fixtures.ts';
import { captureLog, clientFor } from './helpers.ts';
import { deferred, settle } from './pm-harness.ts';

type Sent = { events: { event: string; agent_id?: string; label?: string; duration_ms?: number }[] };

let api: FakeWorkerApi;
let reports: WorkerReports | null = null;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN });
});
afterEach(async () => {
  reports?.stop();
  await api.stop();
});

function setup() {
  const cap = captureLog();
  const { client, timings } = clientFor(api, TOWN);
  reports = new WorkerReports(client, timings, cap.log);
  return { reports, cap };
}

const posts = (): Sent[] => api.matching('/api/towns/*/container/events', 'POST').map((r) => r.body as Sent);

/** Holds every C/events answer until the returned release is called. */
function holdEvents(): () => void {
  const gate = deferred();
  api.setResponse('/api/towns/*/container/events', async (req, c) => {
    await gate.promise;
    return c.json({ data: { accepted: (req.body as Sent).events.length } });
  });
  return () => gate.resolve();
}

describe('WorkerReports startup telemetry', () => {
  it('keeps one POST in flight and batches the points that arrive meanwhile, in order', async () => {
    const { reports } = setup();
    const release = holdEvents();
    const labels = ['git', 'db_hydrated', 'sdk_ready', 'tools_check', 'session_created', 'prompt_sent'];
    for (const label of labels) reports.startupPhase(AGENT, 'polecat', label, 5);
    reports.startupPhase(MAYOR, 'mayor', 'workspace', -1);
    await api.waitFor((r) => r.path.endsWith('/container/events'));
    await settle();
    expect(posts()).toHaveLength(1);
    release();
    await api.waitFor((r) => r.path.endsWith('/container/events') && JSON.stringify(r.body).includes('workspace'));
    const sent = posts();
    expect(sent).toHaveLength(2);
    expect(sent.map((p) => p.events.length)).toEqual([1, 6]);
    expect(sent.flatMap((p) => p.events.map((e) => e.label))).toEqual([...labels, 'workspace']);
    expect(sent[1]?.events.at(-1)).toMatchObject({ event: 'agent.startup_phase', agent_id: MAYOR, duration_ms: 0 });
  });

  it(`sends at most ${TELEMETRY_BATCH_MAX} points per POST`, async () => {
    const { reports } = setup();
    const release = holdEvents();
    for (let i = 0; i <= TELEMETRY_BATCH_MAX + 1; i++) reports.startupPhase(AGENT, 'polecat', `p${i}`, i);
    release();
    await api.waitFor((r) => r.path.endsWith('/container/events') && JSON.stringify(r.body).includes(`"p${TELEMETRY_BATCH_MAX + 1}"`));
    expect(posts().map((p) => p.events.length)).toEqual([1, TELEMETRY_BATCH_MAX, 1]);
  });

  it('logs a failed POST and still sends the points queued behind it', async () => {
    const { reports, cap } = setup();
    api.failNext('/api/towns/*/container/events', 500, 1);
    reports.startupPhase(AGENT, 'polecat', 'git', 1);
    reports.startupPhase(AGENT, 'polecat', 'db_hydrated', 1);
    await api.waitFor((r) => r.path.endsWith('/container/events') && JSON.stringify(r.body).includes('db_hydrated'));
    await settle();
    const failed = cap.lines.filter((l) => l.msg === 'telemetry.post_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ events: 1, agent_ids: [AGENT], labels: ['git'] });
  });

  it('drops unsent points on stop()', async () => {
    const { reports } = setup();
    const release = holdEvents();
    reports.startupPhase(AGENT, 'polecat', 'git', 1);
    reports.startupPhase(AGENT, 'polecat', 'db_hydrated', 1);
    await api.waitFor((r) => r.path.endsWith('/container/events'));
    reports.stop();
    // A point after stop() queues behind the held POST: once it arrives, the dropped one never went.
    reports.startupPhase(AGENT, 'polecat', 'later', 1);
    release();
    await api.waitFor((r) => r.path.endsWith('/container/events') && JSON.stringify(r.body).includes('later'));
    expect(posts().flatMap((p) => p.events.map((e) => e.label))).toEqual(['git', 'later']);
  });
});
