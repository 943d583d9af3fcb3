/**
 * The mayor tools (`tools.md` §5, `http-api.md` §4.4) against the stub worker: each calls the
 * right method and M path (ids from its arguments) with the mayor's token and a body or query the
 * worker's schema accepts; `gt_bead_delete` picks DELETE for one id and bulk-delete for more;
 * whole-object rules are checked before any call; the worker's 422 text for an unordered
 * `gt_sling_batch` reaches the model; mail and nudges go to the mayor's own P path.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAYOR, TOWN } from './fixtures.ts';
import { CALL, START_TOKEN, startPlugin } from './plugin-support/harness.ts';
import type { PluginHarness } from './plugin-support/harness.ts';
import { STUB_RECORD_ID } from './plugin-support/stub-api.ts';

const RIG_ID = '22222222-2222-4222-8222-222222222222';
const BEAD_A = '77777777-7777-4777-8777-777777777777';
const BEAD_B = '88888888-8888-4888-8888-888888888888';
const CONVOY = '99999999-9999-4999-8999-999999999999';
const AGENT_X = '66666666-6666-4666-8666-666666666666';
const ESCALATION = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const M = `/api/towns/${TOWN}/mayor/tools`;

let h: PluginHarness;
beforeEach(async () => {
  h = await startPlugin('mayor');
});
afterEach(async () => {
  await h.close();
});

/** The last request: it passed the worker's validation and carried the mayor's token. */
function lastRequest() {
  const req = h.stub.requests.at(-1);
  expect(req?.valid, JSON.stringify(req)).toBe(true);
  expect(req?.auth).toBe(START_TOKEN);
  return req;
}

interface Case {
  tool: string;
  args: Record<string, unknown>;
  method: string;
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** The exact result, when it is a sentence. */
  says?: string;
}

const CASES: Case[] = [
  { tool: 'gt_list_rigs', args: {}, method: 'GET', path: `${M}/rigs`, query: {} },
  {
    tool: 'gt_list_beads',
    args: { rig_id: RIG_ID, status: 'open,in_progress', type: 'issue', limit: 20 },
    method: 'GET',
    path: `${M}/beads`,
    query: { rig_id: RIG_ID, status: 'open,in_progress', type: 'issue', limit: '20' },
  },
  { tool: 'gt_bead_status', args: { bead_id: BEAD_A }, method: 'GET', path: `${M}/beads/${BEAD_A}` },
  { tool: 'gt_list_agents', args: { role: 'polecat', status: 'working,stalled' }, method: 'GET', path: `${M}/agents`, query: { role: 'polecat', status: 'working,stalled' } },
  {
    tool: 'gt_sling',
    args: { rig_id: RIG_ID, title: 'Add a README', body: 'Explain setup.', priority: 'high', labels: ['docs'] },
    method: 'POST',
    path: `${M}/sling`,
    body: { rig_id: RIG_ID, title: 'Add a README', body: 'Explain setup.', priority: 'high', labels: ['docs'] },
  },
  {
    tool: 'gt_sling_batch',
    args: { rig_id: RIG_ID, title: 'Auth', tasks: [{ title: 'API' }, { title: 'UI', depends_on: [0] }], merge_mode: 'review-then-land', staged: true },
    method: 'POST',
    path: `${M}/sling-batch`,
    body: { rig_id: RIG_ID, title: 'Auth', tasks: [{ title: 'API' }, { title: 'UI', depends_on: [0] }], merge_mode: 'review-then-land', staged: true },
  },
  { tool: 'gt_list_convoys', args: { status: 'open' }, method: 'GET', path: `${M}/convoys`, query: { status: 'open' } },
  { tool: 'gt_convoy_status', args: { convoy_id: CONVOY }, method: 'GET', path: `${M}/convoys/${CONVOY}` },
  { tool: 'gt_convoy_start', args: { convoy_id: CONVOY }, method: 'POST', path: `${M}/convoys/${CONVOY}/start`, body: undefined },
  { tool: 'gt_convoy_close', args: { convoy_id: CONVOY }, method: 'POST', path: `${M}/convoys/${CONVOY}/close`, body: undefined },
  { tool: 'gt_convoy_update', args: { convoy_id: CONVOY, merge_mode: 'review-and-merge' }, method: 'PATCH', path: `${M}/convoys/${CONVOY}`, body: { merge_mode: 'review-and-merge' } },
  {
    tool: 'gt_convoy_add_bead',
    args: { convoy_id: CONVOY, bead_id: BEAD_A, depends_on: [BEAD_B] },
    method: 'POST',
    path: `${M}/convoys/${CONVOY}/beads`,
    body: { bead_id: BEAD_A, depends_on: [BEAD_B] },
  },
  { tool: 'gt_convoy_remove_bead', args: { convoy_id: CONVOY, bead_id: BEAD_A }, method: 'DELETE', path: `${M}/convoys/${CONVOY}/beads/${BEAD_A}` },
  { tool: 'gt_bead_update', args: { bead_id: BEAD_A, held: false, status: 'closed' }, method: 'PATCH', path: `${M}/beads/${BEAD_A}`, body: { held: false, status: 'closed' } },
  { tool: 'gt_bead_reassign', args: { bead_id: BEAD_A, agent_id: AGENT_X }, method: 'POST', path: `${M}/beads/${BEAD_A}/reassign`, body: { agent_id: AGENT_X } },
  { tool: 'gt_agent_reset', args: { agent_id: AGENT_X }, method: 'POST', path: `${M}/agents/${AGENT_X}/reset` },
  {
    tool: 'gt_escalation_acknowledge',
    args: { escalation_id: ESCALATION },
    method: 'POST',
    path: `${M}/escalations/${ESCALATION}/acknowledge`,
    says: `Escalation ${ESCALATION} acknowledged.`,
  },
  {
    tool: 'gt_ui_action',
    args: { action: { type: 'navigate', page: 'rig', rig_id: RIG_ID } },
    method: 'POST',
    path: `${M}/ui-action`,
    body: { action: { type: 'navigate', page: 'rig', rig_id: RIG_ID } },
    says: 'Shown on 2 open dashboards.',
  },
];

describe('mayor tools: method, path, body and query', () => {
  it.each(CASES)('$tool → $method $path', async (c) => {
    const out = await h.tool(c.tool).execute(c.args, CALL);
    const req = lastRequest();
    expect(h.stub.requests).toHaveLength(1);
    expect(req?.method).toBe(c.method);
    expect(req?.path).toBe(c.path);
    if ('body' in c) expect(req?.body).toEqual(c.body);
    if (c.query !== undefined) expect(req?.query).toEqual(c.query);
    if (c.says !== undefined) expect(out).toBe(c.says);
    else expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it('gt_list_beads sends the default limit the query schema fills in', async () => {
    await h.tool('gt_list_beads').execute({}, CALL);
    expect(lastRequest()?.query).toEqual({ limit: '100' });
  });

  it('gt_sling returns the created bead as JSON', async () => {
    const out = await h.tool('gt_sling').execute({ rig_id: RIG_ID, title: 'Add a README' }, CALL);
    expect(JSON.parse(out)).toEqual({ bead: { id: STUB_RECORD_ID, title: 'Add a README' } });
  });
});

describe('mayor tools: routing and rules', () => {
  it('gt_bead_delete: one id is DELETE M/beads/:id, several are POST M/beads/bulk-delete, repeats count once', async () => {
    expect(await h.tool('gt_bead_delete').execute({ bead_ids: [BEAD_A] }, CALL)).toBe(`Deleted bead ${BEAD_A}.`);
    expect(lastRequest()).toMatchObject({ method: 'DELETE', path: `${M}/beads/${BEAD_A}` });
    expect(await h.tool('gt_bead_delete').execute({ bead_ids: [BEAD_A, BEAD_A.toUpperCase()] }, CALL)).toBe(`Deleted bead ${BEAD_A}.`);
    expect(lastRequest()).toMatchObject({ method: 'DELETE', path: `${M}/beads/${BEAD_A}` });
    expect(await h.tool('gt_bead_delete').execute({ bead_ids: [BEAD_A, BEAD_B] }, CALL)).toBe('Deleted 2 of 2 beads.');
    expect(lastRequest()).toMatchObject({ method: 'POST', path: `${M}/beads/bulk-delete`, body: { bead_ids: [BEAD_A, BEAD_B] } });
    await expect(h.tool('gt_bead_delete').execute({ bead_ids: [] }, CALL)).rejects.toThrow(/^Invalid arguments for gt_bead_delete: bead_ids: /);
    expect(h.stub.requests).toHaveLength(3);
  });

  it("gt_sling_batch surfaces the worker's 422 for two tasks without depends_on and parallel false", async () => {
    const batch = { rig_id: RIG_ID, title: 'Two things', tasks: [{ title: 'One' }, { title: 'Two' }], parallel: false };
    await expect(h.tool('gt_sling_batch').execute(batch, CALL)).rejects.toThrow(
      'Gastown API error (422 dependencies_required): A batch of two or more tasks needs depends_on on its tasks unless parallel is true.',
    );
    expect(lastRequest()?.path).toBe(`${M}/sling-batch`);
    const parallel = await h.tool('gt_sling_batch').execute({ ...batch, parallel: true }, CALL);
    expect(JSON.parse(parallel)).toMatchObject({ convoy: { id: STUB_RECORD_ID } });
  });

  it('gt_sling_batch refuses a self or out-of-range depends_on before any call', async () => {
    const batch = { rig_id: RIG_ID, title: 'Bad', tasks: [{ title: 'One', depends_on: [0] }, { title: 'Two', depends_on: [5] }] };
    await expect(h.tool('gt_sling_batch').execute(batch, CALL)).rejects.toThrow(
      'Invalid arguments for gt_sling_batch: tasks.0.depends_on.0: a task cannot depend on itself; tasks.1.depends_on.0: index 5 is outside 0..1',
    );
    expect(h.stub.requests).toHaveLength(0);
  });

  it('gt_bead_update and gt_convoy_update need at least one field to change; gt_ui_action needs rig_id for the rig page', async () => {
    await expect(h.tool('gt_bead_update').execute({ bead_id: BEAD_A }, CALL)).rejects.toThrow(/^Invalid arguments for gt_bead_update: \(arguments\): at least one of title, body, .* is required$/);
    await expect(h.tool('gt_convoy_update').execute({ convoy_id: CONVOY }, CALL)).rejects.toThrow('Invalid arguments for gt_convoy_update: (arguments): at least one of title, merge_mode is required');
    await expect(h.tool('gt_ui_action').execute({ action: { type: 'navigate', page: 'rig' } }, CALL)).rejects.toThrow(
      'Invalid arguments for gt_ui_action: action.rig_id: rig_id is required to navigate to a rig',
    );
    await expect(h.tool('gt_sling').execute({ rig_id: RIG_ID, title: 'x', labels: ['gt:mine'] }, CALL)).rejects.toThrow('labels.0: the gt: prefix is reserved for the server');
    expect(h.stub.requests).toHaveLength(0);
  });

  it("mail and nudges go to the mayor's own P path (rig id = town id)", async () => {
    const P = `/api/towns/${TOWN}/rigs/${TOWN}/agents/${MAYOR}`;
    await h.tool('gt_mail_send').execute({ to_agent_id: AGENT_X, subject: 'Status?', body: '' }, CALL);
    expect(lastRequest()).toMatchObject({ method: 'POST', path: `${P}/mail` });
    await h.tool('gt_mail_check').execute({}, CALL);
    expect(lastRequest()).toMatchObject({ method: 'POST', path: `${P}/mail/check` });
    await h.tool('gt_nudge').execute({ target_agent_id: AGENT_X, message: 'Wrap up' }, CALL);
    expect(lastRequest()).toMatchObject({ method: 'POST', path: `${P}/nudges`, body: { target_agent_id: AGENT_X, message: 'Wrap up' } });
  });

  it('a worker validation error lists its issues under the error line', async () => {
    h.stub.on('GET', 'M/beads/:beadId', () => ({
      status: 400,
      body: { error: { code: 'validation_failed', message: 'The query is invalid.', details: { location: 'query', issues: [{ path: ['status', 0], code: 'invalid_value', message: 'Invalid option' }] } } },
    }));
    await expect(h.tool('gt_bead_status').execute({ bead_id: BEAD_A }, CALL)).rejects.toThrow('Gastown API error (400 validation_failed): The query is invalid.\n- status.0: Invalid option');
  });
});
