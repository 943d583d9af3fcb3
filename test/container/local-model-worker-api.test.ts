/**
 * The rig-tool routes the fake worker API gained for local-model sessions (`tools.md` §4): P/prime
 * answers the configured PrimeResult (a valid default otherwise), P/done records bodies valid under
 * `Done` and refuses others, P/escalations and P/request-changes answer like the worker after
 * validating, P/mail/check is empty. Tokens are checked per agent like every P route.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrimeResult, RequestChangesResult } from '../../src/protocol/agent.ts';
import { Escalation } from '../../src/protocol/api.ts';
import { fakeBead, fakePrime, startFakeWorkerApi } from '../fakes/worker-api/index.ts';
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN } from './fixtures.ts';

const TOKEN = 'agent-token-lm-0001';
const BEAD = '99999999-9999-4999-8999-999999999999';
let api: FakeWorkerApi;
beforeEach(async () => {
  api = await startFakeWorkerApi({ townId: TOWN, agentTokens: { [AGENT]: TOKEN } });
});
afterEach(async () => {
  await api.stop();
});

async function call(suffix: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: { data?: unknown; error?: { code: string; details?: unknown } } }> {
  const res = await fetch(`${api.url}/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as { data?: unknown; error?: { code: string } } };
}

describe('fake worker API rig-tool routes', () => {
  it('P/prime answers a valid default, then the configured prime with its hooked bead', async () => {
    const fallback = await call('/prime');
    expect(fallback.status).toBe(200);
    expect(PrimeResult.parse(fallback.json.data)).toMatchObject({ agent: { id: AGENT, rig_id: RIG }, hooked_bead: null });

    api.setPrime(AGENT, fakePrime(AGENT, RIG, { hooked_bead: fakeBead({ id: BEAD, rig_id: RIG, title: 'Add `a.txt`' }) }));
    const primed = await call('/prime');
    expect(PrimeResult.parse(primed.json.data)).toMatchObject({ agent: { hooked_bead_id: BEAD }, hooked_bead: { id: BEAD, title: 'Add `a.txt`' } });
  });

  it('setPrime refuses a value that is no PrimeResult', () => {
    expect(() => api.setPrime(AGENT, { agent: { id: AGENT } } as unknown as PrimeResult)).toThrow();
  });

  it('P/done records a valid body and refuses an invalid one with 400 validation_failed', async () => {
    expect((await call('/done', { branch: 'gt/toast/1', summary: 'ok', bead_id: BEAD })).json).toEqual({ data: { accepted: true } });
    const bad = await call('/done', { branch: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe('validation_failed');
    expect(api.dones(AGENT)).toEqual([{ branch: 'gt/toast/1', summary: 'ok', bead_id: BEAD }]);
  });

  it('P/escalations answers 201 with an agent_request Escalation', async () => {
    const res = await call('/escalations', { title: 'Stuck', body: 'tail', severity: 'medium' });
    expect(res.status).toBe(201);
    expect(Escalation.parse(res.json.data)).toMatchObject({ title: 'Stuck', body: 'tail', severity: 'medium', category: 'agent_request', source_agent_id: AGENT });
    expect((await call('/escalations', { severity: 'medium' })).status).toBe(400);
  });

  it('P/request-changes answers 201 with a gt:rework bead carrying the feedback', async () => {
    const res = await call('/request-changes', { feedback: 'Conflicts in a.txt', files: ['a.txt'] });
    expect(res.status).toBe(201);
    expect(RequestChangesResult.parse(res.json.data).rework_bead).toMatchObject({ body: 'Conflicts in a.txt', labels: ['gt:rework'], rig_id: RIG });
    expect((await call('/request-changes', { feedback: '' })).status).toBe(400);
  });

  it('P/mail/check answers an empty list, and every route wants the agent token', async () => {
    expect((await call('/mail/check')).json).toEqual({ data: [] });
    expect((await call('/done', { branch: 'b' }, 'wrong-token')).status).toBe(401);
    expect(api.dones(AGENT)).toEqual([]);
  });
});
