/**
 * Dispatch liveness through the real TownDO, its `ContainerExecutor` and the fake container:
 * the mayor's prompt is pushed on an instructions change; heartbeats keep a polecat alive and
 * their absence gets its bead reopened; a drain pauses dispatch until C/ready, a heartbeat from
 * a new instance, or its 7-minute cap ends it.
 */
import { describe, expect, it } from 'vitest';
import { call, data } from './helpers.ts';
import { containerHarness, type ContainerHarness } from './container-support.ts';
import { agentPath, agentToken, containerPath, containerToken, heartbeatBody } from './report-support.ts';

const S = 1000;
const MIN = 60 * S;

async function patchConfig(h: ContainerHarness, body: Record<string, unknown>): Promise<void> {
  expect((await call('PATCH', `/api/towns/${h.townId}/config`, { token: h.token, body })).status).toBe(200);
}

/** Slings and ticks: the dispatched polecat's identity. */
async function dispatched(h: ContainerHarness, title: string) {
  const beadId = await h.sling(title);
  await h.tick();
  const agent = await h.holder(beadId);
  if (agent === null) throw new Error('the tick dispatched nobody');
  expect(agent.status).toBe('working');
  const who = { townId: h.townId, rigId: h.rigId, agentId: String(agent.bead_id), role: 'polecat' as const, dispatchId: String(agent.current_dispatch_id) };
  return { beadId, who, token: await agentToken(who) };
}

describe('mayor system prompt push on PATCH T/config', () => {
  it('a running mayor gets PUT /agents/:id/system-prompt with the new instructions; not for other changes or an idle mayor', async () => {
    const h = await containerHarness();
    const started = await call('POST', `/api/towns/${h.townId}/mayor/message`, { token: h.token, body: { message: 'Hello mayor' } });
    expect(data(started)).toEqual({ delivery: 'starting' });
    const agentId = h.container.starts()[0]?.agent_id ?? '';
    const pushes = () => h.container.transport.of('system_prompt');

    await patchConfig(h, { max_polecats_per_rig: 3 });
    expect(pushes()).toHaveLength(0);

    await patchConfig(h, { custom_instructions: { mayor: 'Always answer in haiku.' } });
    expect(pushes()).toHaveLength(1);
    const push = pushes()[0];
    expect(push?.method).toBe('PUT');
    expect(push?.path).toBe(`/agents/${agentId}/system-prompt`);
    const prompt = (push?.body as { system_prompt: string }).system_prompt;
    expect(prompt).toContain('Always answer in haiku.');
    expect(prompt).toContain('Gastown mayor');

    await patchConfig(h, { custom_instructions: { mayor: 'Always answer in haiku.' } });
    expect(pushes()).toHaveLength(1);

    await h.sql(`UPDATE agent_metadata SET status = 'idle' WHERE bead_id = ?`, agentId);
    await patchConfig(h, { custom_instructions: { mayor: 'Answer in prose.' } });
    expect(pushes()).toHaveLength(1);
  });
});

describe('heartbeats keep an agent alive', () => {
  it('30 s heartbeats over 5 min keep it working; without them the bead is reopened within 5 min + a tick', async () => {
    const h = await containerHarness();
    const { beadId, who, token } = await dispatched(h, 'Long task');
    for (let i = 0; i < 10; i += 1) {
      await h.advance(30 * S);
      const r = await call('POST', `${agentPath(who)}/heartbeat`, { token, body: heartbeatBody('instance-a') });
      expect(r.status).toBe(200);
      await h.tick();
      expect((await h.holder(beadId))?.bead_id).toBe(who.agentId);
      expect((await h.holder(beadId))?.status).toBe('working');
      expect((await h.bead(beadId)).status).toBe('in_progress');
    }
    const lastBeat = h.now();
    let reopened = false;
    while (h.now() - lastBeat <= 5 * MIN + 30 * S) {
      await h.advance(30 * S);
      await h.tick();
      const bead = await h.bead(beadId);
      if (bead.status === 'open' || Number(bead.dispatch_attempts) >= 2) {
        reopened = true;
        break;
      }
    }
    expect(reopened, 'the bead should be reopened or re-dispatched').toBe(true);
  });
});

describe('a drain pauses dispatch', () => {
  /** A town with one polecat at work, then evicted (`inst-1`) and a bead slung that stays undispatched. */
  async function draining() {
    const h = await containerHarness();
    const live = await dispatched(h, 'Before the drain');
    const ctoken = await containerToken(h.townId);
    const ev = await call('POST', `${containerPath(h.townId)}/eviction`, { token: ctoken, body: { container_instance_id: 'inst-1' } });
    expect(ev.status).toBe(200);
    const nonce = data<{ drain_nonce: string }>(ev).drain_nonce;
    const beadId = await h.sling('While draining');
    for (let i = 0; i < 3; i += 1) {
      await h.advance(10 * S);
      await h.tick();
    }
    expect(h.container.transport.of('start')).toHaveLength(1);
    expect(await h.holder(beadId)).toBeNull();
    return { h, live, ctoken, nonce, beadId };
  }

  async function dispatchesNext(h: ContainerHarness, beadId: string): Promise<void> {
    await h.advance(5 * S);
    await h.tick();
    expect(h.container.transport.of('start')).toHaveLength(2);
    expect((await h.holder(beadId))?.status).toBe('working');
  }

  it('ends with C/ready carrying the nonce', async () => {
    const { h, ctoken, nonce, beadId } = await draining();
    const r = await call('POST', `${containerPath(h.townId)}/ready`, { token: ctoken, body: { nonce, container_instance_id: 'inst-2' } });
    expect(r.status).toBe(200);
    await dispatchesNext(h, beadId);
  });

  it('ends with a heartbeat from another container instance', async () => {
    const { h, live, beadId } = await draining();
    const same = await call('POST', `${agentPath(live.who)}/heartbeat`, { token: live.token, body: heartbeatBody('inst-1') });
    expect(same.status).toBe(200);
    await h.advance(10 * S);
    await h.tick();
    expect(h.container.transport.of('start')).toHaveLength(1);
    const other = await call('POST', `${agentPath(live.who)}/heartbeat`, { token: live.token, body: heartbeatBody('inst-2') });
    expect(other.status).toBe(200);
    await dispatchesNext(h, beadId);
  });

  it('ends 7 minutes after it started', async () => {
    const { h, beadId } = await draining();
    await h.advance(7 * MIN);
    await dispatchesNext(h, beadId);
  });
});
