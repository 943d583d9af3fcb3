/**
 * The rig tools (`tools.md` §4) against the stub worker: each calls the right method and path of
 * its own agent (P) with the agent token and a body the worker's schema accepts, answers with a
 * sentence or pretty JSON, refuses bad arguments with a readable message before any call, and
 * `gt_done` reports the bead hooked at the last prime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT, RIG, TOWN } from './fixtures.ts';
import { CALL, START_TOKEN, startPlugin } from './plugin-support/harness.ts';
import type { PluginHarness } from './plugin-support/harness.ts';
import { STUB_RECORD_ID } from './plugin-support/stub-api.ts';

const OTHER_AGENT = '66666666-6666-4666-8666-666666666666';
const BEAD = '77777777-7777-4777-8777-777777777777';
const P = `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}`;

let h: PluginHarness;
afterEach(async () => {
  await h.close();
});

/** The one request of the test: its route, validity against the worker schema and bearer. */
function onlyRequest() {
  expect(h.stub.requests).toHaveLength(1);
  const [req] = h.stub.requests;
  expect(req?.valid).toBe(true);
  expect(req?.auth).toBe(START_TOKEN);
  return req;
}

describe('rig tools', () => {
  it('gt_prime posts P/prime and returns the data as pretty JSON', async () => {
    h = await startPlugin('polecat');
    const prime = { agent: { id: AGENT }, hooked_bead: { id: BEAD, title: 'Fix it' }, mail: [], open_beads: [], context: { checkpoint: { step: 2 } } };
    h.stub.on('POST', 'P/prime', () => ({ status: 200, body: { data: prime } }));
    const out = await h.tool('gt_prime').execute({}, CALL);
    expect(JSON.parse(out)).toEqual(prime);
    expect(out).toContain('\n  "hooked_bead"');
    expect(onlyRequest()).toMatchObject({ method: 'POST', path: `${P}/prime`, body: undefined });
  });

  it('gt_done posts P/done without bead_id before any prime, and with the bead hooked at the last prime after one', async () => {
    h = await startPlugin('polecat');
    const out = await h.tool('gt_done').execute({ branch: 'gt/polecat/fix-it', summary: 'Fixed.' }, CALL);
    expect(out).toBe('Done reported for branch gt/polecat/fix-it. Gastown takes it from here; end your turn.');
    expect(onlyRequest()).toMatchObject({ method: 'POST', path: `${P}/done`, body: { branch: 'gt/polecat/fix-it', summary: 'Fixed.' } });

    h.stub.on('POST', 'P/prime', () => ({ status: 200, body: { data: { agent: {}, hooked_bead: { id: BEAD.toUpperCase() }, mail: [], open_beads: [], context: {} } } }));
    await h.tool('gt_prime').execute({}, CALL);
    const out2 = await h.tool('gt_done').execute({ branch: 'gt/polecat/fix-it', pr_url: 'https://github.com/o/r/pull/7' }, CALL);
    expect(out2).toContain(`(bead ${BEAD})`);
    const [, done] = h.stub.matching('P/done');
    expect(done).toMatchObject({ valid: true, body: { branch: 'gt/polecat/fix-it', pr_url: 'https://github.com/o/r/pull/7', bead_id: BEAD } });
  });

  it('gt_done refuses a bad merge_commit and an empty branch before any call', async () => {
    h = await startPlugin('refinery');
    await expect(h.tool('gt_done').execute({ branch: '', merge_commit: 'not-hex' }, CALL)).rejects.toThrow(/^Invalid arguments for gt_done: branch: .*; merge_commit: must be 7–64 hex chars$/);
    expect(h.stub.requests).toHaveLength(0);
  });

  it('gt_request_changes (refinery) posts P/request-changes and names the rework bead', async () => {
    h = await startPlugin('refinery');
    const out = await h.tool('gt_request_changes').execute({ feedback: 'src/a.ts:12 throws on empty input', files: ['src/a.ts'] }, CALL);
    expect(out).toBe(`Changes requested: rework bead ${STUB_RECORD_ID} created. Now call gt_done with the branch.`);
    expect(onlyRequest()).toMatchObject({ method: 'POST', path: `${P}/request-changes`, body: { feedback: 'src/a.ts:12 throws on empty input', files: ['src/a.ts'] } });
  });

  it('gt_mail_send posts P/mail with a lowercased recipient id', async () => {
    h = await startPlugin('polecat');
    const out = await h.tool('gt_mail_send').execute({ to_agent_id: OTHER_AGENT.toUpperCase(), subject: 'Schema', body: 'The column is renamed.' }, CALL);
    expect(out).toBe(`Mail sent to agent ${OTHER_AGENT} (mail ${STUB_RECORD_ID}).`);
    expect(onlyRequest()).toMatchObject({ method: 'POST', path: `${P}/mail`, body: { to_agent_id: OTHER_AGENT, subject: 'Schema', body: 'The column is renamed.' } });
  });

  it('gt_mail_check posts P/mail/check: a sentence when empty, the mail as JSON otherwise', async () => {
    h = await startPlugin('polecat');
    expect(await h.tool('gt_mail_check').execute({}, CALL)).toBe('No new mail.');
    const mail = [{ id: STUB_RECORD_ID, subject: 'Hi', body: 'There' }];
    h.stub.on('POST', 'P/mail/check', () => ({ status: 200, body: { data: mail } }));
    expect(JSON.parse(await h.tool('gt_mail_check').execute({}, CALL))).toEqual(mail);
    expect(h.stub.matching('P/mail/check', 'POST').map((r) => r.valid)).toEqual([true, true]);
  });

  it('gt_escalate posts P/escalations (severity defaults to medium at the worker)', async () => {
    h = await startPlugin('polecat');
    const out = await h.tool('gt_escalate').execute({ title: 'Gates fail after 3 attempts', body: 'npm test: 2 failures' }, CALL);
    expect(out).toBe(`Escalation ${STUB_RECORD_ID} raised (severity medium).`);
    expect(onlyRequest()).toMatchObject({ path: `${P}/escalations`, body: { title: 'Gates fail after 3 attempts', body: 'npm test: 2 failures' } });
    await expect(h.tool('gt_escalate').execute({ title: 'x', severity: 'urgent' }, CALL)).rejects.toThrow(/^Invalid arguments for gt_escalate: severity: /);
    expect(h.stub.requests).toHaveLength(1);
  });

  it('gt_checkpoint parses its JSON text and posts the object to P/checkpoint', async () => {
    h = await startPlugin('polecat');
    expect(await h.tool('gt_checkpoint').execute({ data: '{"done": ["parser"], "next": "tests"}' }, CALL)).toBe('Checkpoint saved.');
    expect(onlyRequest()).toMatchObject({ path: `${P}/checkpoint`, body: { data: { done: ['parser'], next: 'tests' } } });
  });

  it('gt_checkpoint makes no HTTP call for invalid JSON, a non-object or more than 64 KB', async () => {
    h = await startPlugin('refinery');
    const checkpoint = h.tool('gt_checkpoint');
    await expect(checkpoint.execute({ data: '{"done": [' }, CALL)).rejects.toThrow(/^Invalid arguments for gt_checkpoint: data: must be valid JSON \(/);
    await expect(checkpoint.execute({ data: '[1, 2]' }, CALL)).rejects.toThrow(/^Invalid arguments for gt_checkpoint: data: .*expected record/);
    await expect(checkpoint.execute({ data: JSON.stringify({ log: 'x'.repeat(70_000) }) }, CALL)).rejects.toThrow('data: checkpoint data must be at most 64 KB as JSON');
    await expect(checkpoint.execute({ data: { already: 'an object' } }, CALL)).rejects.toThrow(/data: .*expected string/);
    expect(h.stub.requests).toHaveLength(0);
  });

  it('gt_status posts P/status-message', async () => {
    h = await startPlugin('polecat');
    expect(await h.tool('gt_status').execute({ message: 'Running the test suite' }, CALL)).toBe('Status set: Running the test suite');
    expect(onlyRequest()).toMatchObject({ path: `${P}/status-message`, body: { message: 'Running the test suite' } });
    await expect(h.tool('gt_status').execute({ message: 'x'.repeat(281) }, CALL)).rejects.toThrow(/^Invalid arguments for gt_status: message: /);
    expect(h.stub.requests).toHaveLength(1);
  });

  it('gt_nudge posts P/nudges', async () => {
    h = await startPlugin('refinery');
    const out = await h.tool('gt_nudge').execute({ target_agent_id: OTHER_AGENT, message: 'Rebase please', mode: 'queue', priority: 'urgent' }, CALL);
    expect(out).toBe(`Nudge ${STUB_RECORD_ID} queued for agent ${OTHER_AGENT} (queue).`);
    expect(onlyRequest()).toMatchObject({ path: `${P}/nudges`, body: { target_agent_id: OTHER_AGENT, message: 'Rebase please', mode: 'queue', priority: 'urgent' } });
  });

  it('drops unknown top-level keys instead of sending them (the worker refuses unknown keys)', async () => {
    h = await startPlugin('polecat');
    await h.tool('gt_status').execute({ message: 'Reviewing', mood: 'great' }, CALL);
    expect(onlyRequest()).toMatchObject({ body: { message: 'Reviewing' } });
  });

  it('refuses missing or mistyped arguments with one readable line, no stack trace', async () => {
    h = await startPlugin('polecat');
    const err = await h
      .tool('gt_mail_send')
      .execute({ to_agent_id: 'bob', subject: 7 }, CALL)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    const message = err instanceof Error ? err.message : '';
    expect(message).toMatch(/^Invalid arguments for gt_mail_send: to_agent_id: must be a UUID; subject: .*; body: .*$/);
    expect(message).not.toMatch(/\n\s+at /);
    expect(h.stub.requests).toHaveLength(0);
  });
});
