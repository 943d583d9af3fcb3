/**
 * Faults on the whole town (issue #9 item 3), each in its own town on one stack, each ending with
 * the invariant checks (`support/invariants.ts`): no bead `in_progress` without a live agent, no
 * bead dispatched twice, no pushed commit lost.
 *
 * * The control server SIGKILLed (with its kilo servers) while a polecat works, after its first
 *   push: the town sees the session gone, re-dispatches the bead to a new control server, and it
 *   is merged; the pushed commit is on the default branch.
 * * A duplicate `/agents/start` (the same request, the same `dispatch_id`): the control server
 *   answers `duplicate: true` with the running session; one session, one dispatch.
 * * The TownDO aborted between a tick's commit and its effects (the development seam
 *   `D/seams {abort_after_commit}`): the dispatch committed but never sent is recovered by the
 *   reconciler with one start in all.
 * * A poison event injected through `D/events` is dead-lettered on its third failure while the
 *   bead behind it flows to a merge.
 *
 * Rigs here merge with `code_review: false` (the container's deterministic `/git/merge`), so a
 * fault scenario boots one kilo session at a time; the refinery path is `town-flow.test.ts`'s.
 */
import { describe, expect, it } from 'vitest';
import { AgentView } from '../../src/protocol/control.ts';
import { LivenessWatch, townViolations } from './support/invariants.ts';
import { useE2eSuite } from './support/file-suite.ts';
import { ControlAccess, townWithRig, waitClosed } from './support/suite.ts';

const FLOW_TIMEOUT_MS = 360_000;
const NO_REVIEW = { refinery: { code_review: false } };

const suite = useE2eSuite();

/** `data` of a control reply parsed as an `AgentView` (+ `duplicate`). */
function agentViewOf(body: unknown): ReturnType<typeof AgentView.parse> & { duplicate?: boolean } {
  const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
  const view = AgentView.parse(data);
  const duplicate = typeof data === 'object' && data !== null && 'duplicate' in data ? data.duplicate === true : undefined;
  return duplicate === undefined ? view : { ...view, duplicate };
}

describe('faults', () => {
  it('a control server SIGKILLed while a polecat works: the bead is re-dispatched and merged, the pushed commit survives', async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'sigkill', { rigConfig: NO_REVIEW });
    const control = await ControlAccess.of(suite(), town.id);
    const watch = new LivenessWatch(town);

    // Every model answer waits 5 s: the polecat pushes, then sits 5 s before its gt_done.
    const bead = await town.sling({ rig_id: rig.id, title: 'Add `fault/kill.txt` with `survives the kill`', body: 'gt-local: delay_ms=5000' });
    const pushed = await town.waitFor(
      'the polecat’s first push',
      async () => {
        const heads = await repo.branches();
        const branch = Object.keys(heads).find((b) => b.startsWith('gt/'));
        return branch === undefined ? undefined : { branch, sha: heads[branch] ?? '' };
      },
      { timeoutMs: FLOW_TIMEOUT_MS, intervalMs: 100 },
    );
    expect((await town.bead(bead.id)).status).toBe('in_progress');
    expect(await control.controlPid()).not.toBeNull();
    // Every head on the repository at the moment of the kill must survive it.
    const headsAtKill = Object.values(await repo.branches());

    await control.kill();
    await town.waitFor('the control server to be gone', async () => (await control.controlPid()) === null, { timeoutMs: 30_000 });

    const closed = await waitClosed(town, bead.id, FLOW_TIMEOUT_MS);
    // A new control server took over and the bead was dispatched again.
    expect(suite().client.log.lines(town.id, 'town.started').length).toBeGreaterThanOrEqual(2);
    expect(closed.dispatch_attempts).toBeGreaterThanOrEqual(2);
    const activity = (await town.debugBead(bead.id)).activity;
    expect(activity.filter((a) => a.type === 'dispatched').length).toBeGreaterThanOrEqual(2);

    // The commit pushed before the kill is on the default branch, with the polecat's file.
    expect(await repo.isAncestor(pushed.sha, 'main')).toBe(true);
    expect(await repo.readFile('main', 'fault/kill.txt')).toBe('survives the kill');
    expect(await townViolations(town, { repo, pushed: [pushed.sha, ...headsAtKill], watch })).toEqual([]);
  });

  it('a duplicate /agents/start gets the running session back (duplicate: true): one session, one dispatch', async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'duplicate', { rigConfig: NO_REVIEW });
    const control = await ControlAccess.of(suite(), town.id);
    const watch = new LivenessWatch(town);

    const bead = await town.sling({ rig_id: rig.id, title: 'Add `fault/twice.txt` with `started once`', body: 'gt-local: delay_ms=4000' });
    // The start the worker sent, as the control server stored it in its registry.
    const entry = await town.waitFor(
      'the polecat in the container registry',
      async () => (await control.registry()).agents.find((a) => a.role === 'polecat'),
      { timeoutMs: FLOW_TIMEOUT_MS },
    );
    const running = await town.waitFor(
      'the polecat session to run',
      async () => {
        const res = await control.call('GET', `/agents/${entry.agent_id}/status`);
        const view = res.status === 200 ? agentViewOf(res.body) : null;
        return view !== null && view.status === 'running' && view.session_id !== null ? view : undefined;
      },
      { timeoutMs: FLOW_TIMEOUT_MS },
    );
    expect(running.dispatch_id).toBe(entry.request.dispatch_id);

    const again = await control.call('POST', '/agents/start', entry.request);
    expect(again.status).toBe(200);
    const view = agentViewOf(again.body);
    expect(view).toMatchObject({ agent_id: entry.agent_id, dispatch_id: running.dispatch_id, session_id: running.session_id, duplicate: true });
    const after = agentViewOf((await control.call('GET', `/agents/${entry.agent_id}/status`)).body);
    expect([after.session_id, after.dispatch_id]).toEqual([running.session_id, running.dispatch_id]);

    const closed = await waitClosed(town, bead.id, FLOW_TIMEOUT_MS);
    expect(closed.dispatch_attempts).toBe(1);
    const started = suite().client.log.lines(town.id, 'agent.started').filter((l) => l.fields.agent_id === entry.agent_id);
    expect(started).toHaveLength(1);
    expect(await repo.readFile('main', 'fault/twice.txt')).toBe('started once');
    const head = await repo.branchSha('main');
    expect(await townViolations(town, { repo, pushed: head === null ? [] : [head], watch })).toEqual([]);
  });

  it('the TownDO aborted between a tick’s commit and its effects: the dispatch is recovered with one start in all', async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'abort', { rigConfig: NO_REVIEW });
    const watch = new LivenessWatch(town);
    const armed = await suite().client.call('POST', `${town.debugPath}/seams`, { abort_after_commit: 1 }, 'none');
    expect(armed).toEqual({ status: 200, body: { data: { abort_after_commit: 1 } } });

    // The first tick with effects is the bead's dispatch: committed, then the object aborts.
    const bead = await town.sling({ rig_id: rig.id, title: 'Add `fault/abort.txt` with `after the abort`' });
    const closed = await waitClosed(town, bead.id, FLOW_TIMEOUT_MS);

    // Attempt 1 was committed but its start never left the object: no outcome of any kind.
    // Attempt 2 (after the stale agent was reaped) is the one start the container got.
    expect(closed.dispatch_attempts).toBe(2);
    const { activity, inbox_events: events } = await town.debugBead(bead.id);
    const dispatchedTransitions = activity.filter((a) => a.type === 'status_changed' && a.data.new_value === 'in_progress');
    expect(dispatchedTransitions).toHaveLength(2);
    expect(activity.filter((a) => a.type === 'dispatched').map((a) => a.data.attempt)).toEqual([2]);
    expect(activity.filter((a) => a.type === 'dispatch_failed')).toEqual([]);
    expect(events.filter((e) => e.type === 'dispatch_result')).toHaveLength(1);
    expect(suite().client.log.lines(town.id, 'agent.started').filter((l) => l.fields.role === 'polecat')).toHaveLength(1);
    // The seam lived in memory only: the abort disarmed it.
    const state = await suite().client.call('POST', `${town.debugPath}/seams`, { abort_after_commit: 0 }, 'none');
    expect(state.body).toEqual({ data: { abort_after_commit: 0 } });

    expect(await repo.readFile('main', 'fault/abort.txt')).toBe('after the abort');
    const head = await repo.branchSha('main');
    expect(await townViolations(town, { repo, pushed: head === null ? [] : [head], watch })).toEqual([]);
  });

  it('a poison event injected through the debug route is dead-lettered while the town keeps flowing', async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'poison', { rigConfig: NO_REVIEW });
    const watch = new LivenessWatch(town);
    const bead = await town.sling({ rig_id: rig.id, title: 'Add `fault/poison.txt` with `flows past the poison`' });
    // An `agent_done` without its required `branch`: every attempt to apply it throws.
    const poison = await town.injectEvent({ event_type: 'agent_done', bead_id: bead.id, payload: { dispatch_id: null } });
    expect(poison.processed_at).toBeNull();

    const dead = await town.waitFor('the poison to be dead-lettered', async () => (await town.inbox('dead_lettered')).find((e) => e.id === poison.id), { timeoutMs: 60_000 });
    expect(dead.retry_count).toBe(3);
    expect(dead.last_error ?? '').not.toBe('');
    expect((await town.bead(bead.id)).status).not.toBe('failed');

    const closed = await waitClosed(town, bead.id, FLOW_TIMEOUT_MS);
    expect(closed.dispatch_attempts).toBe(1);
    expect(await repo.readFile('main', 'fault/poison.txt')).toBe('flows past the poison');
    // Nothing else is stuck behind it, and it stays dead.
    await town.waitFor('the inbox to drain', async () => (await town.inbox('pending')).length === 0, { timeoutMs: 30_000 });
    expect((await town.inbox('dead_lettered')).map((e) => e.id)).toEqual([poison.id]);
    const head = await repo.branchSha('main');
    expect(await townViolations(town, { repo, pushed: head === null ? [] : [head], watch })).toEqual([]);
  });
});
