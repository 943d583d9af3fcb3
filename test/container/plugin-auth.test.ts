/**
 * The plugin's transport (`tools.md` §3) against the stub worker: a 401 renews the agent token
 * once (`P/refresh-token` with the old token) and retries once with the new one, which is kept in
 * memory and in the child's env; a second 401 or a failed refresh is a tool error with no third
 * attempt; concurrent 401s share one refresh; an unreachable or silent worker is status 0; no
 * token ever reaches the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CALL, START_TOKEN, startPlugin } from './plugin-support/harness.ts';
import type { PluginHarness } from './plugin-support/harness.ts';

let h: PluginHarness;
afterEach(async () => {
  await h.close();
});

describe('401 and token renewal', () => {
  it('refreshes once with the old token, retries once with the new one, and keeps it in memory and the env', async () => {
    h = await startPlugin('polecat');
    h.stub.revokeToken();
    await h.tool('gt_status').execute({ message: 'Working' }, CALL);
    const refreshes = h.stub.matching('P/refresh-token', 'POST');
    expect(refreshes.map((r) => r.auth)).toEqual([START_TOKEN]);
    expect(h.stub.matching('P/status-message').map((r) => [r.status, r.auth])).toEqual([
      [401, START_TOKEN],
      [200, 'renewed-token-1'],
    ]);
    expect(h.env.GASTOWN_AGENT_TOKEN).toBe('renewed-token-1');

    // The next call goes straight out with the renewed token.
    await h.tool('gt_mail_check').execute({}, CALL);
    expect(h.stub.requests.at(-1)).toMatchObject({ route: 'P/mail/check', status: 200, auth: 'renewed-token-1' });
    expect(h.stub.matching('P/refresh-token')).toHaveLength(1);

    expect(h.logs().some((l) => l.msg === 'token.renewed')).toBe(true);
    expect(h.stderr()).not.toContain(START_TOKEN);
    expect(h.stderr()).not.toContain('renewed-token-1');
  });

  it('a second 401 is a tool error: two attempts, one refresh, never a third', async () => {
    h = await startPlugin('polecat');
    h.stub.rejectNext(2);
    await expect(h.tool('gt_status').execute({ message: 'Working' }, CALL)).rejects.toThrow('Gastown API error (401 unauthorized): The token has expired. Details: {"reason":"expired"}');
    expect(h.stub.matching('P/status-message').map((r) => r.status)).toEqual([401, 401]);
    expect(h.stub.matching('P/refresh-token')).toHaveLength(1);
  });

  it('a failed refresh is a tool error and the call is not retried', async () => {
    h = await startPlugin('refinery');
    h.stub.revokeToken();
    h.stub.failRefresh(404);
    await expect(h.tool('gt_prime').execute({}, CALL)).rejects.toThrow('Gastown API error (404 internal_error): Refresh refused.');
    expect(h.stub.matching('P/prime')).toHaveLength(1);
    expect(h.stub.matching('P/refresh-token')).toHaveLength(1);
    expect(h.env.GASTOWN_AGENT_TOKEN).toBe(START_TOKEN);
  });

  it('concurrent 401s share one refresh, and each call is retried once', async () => {
    h = await startPlugin('polecat');
    h.stub.revokeToken();
    const release = h.stub.holdRefresh();
    const calls = [
      h.tool('gt_status').execute({ message: 'One' }, CALL),
      h.tool('gt_mail_check').execute({}, CALL),
      h.tool('gt_checkpoint').execute({ data: '{"n": 3}' }, CALL),
    ];
    // All three have been refused before the (held) refresh answers.
    await h.stub.until((reqs) => reqs.filter((r) => r.status === 401).length === 3);
    release();
    await Promise.all(calls);
    expect(h.stub.matching('P/refresh-token')).toHaveLength(1);
    const retries = h.stub.requests.filter((r) => r.route !== 'P/refresh-token' && r.status !== 401);
    expect(retries.map((r) => r.auth)).toEqual(['renewed-token-1', 'renewed-token-1', 'renewed-token-1']);
    expect(retries.map((r) => r.route).sort()).toEqual(['P/checkpoint', 'P/mail/check', 'P/status-message']);
  });

  it('mayor tools renew through the mayor’s own P/refresh-token', async () => {
    h = await startPlugin('mayor');
    h.stub.revokeToken();
    await h.tool('gt_list_rigs').execute({}, CALL);
    expect(h.stub.matching('P/refresh-token')[0]?.path).toBe(`${h.stub.P}/refresh-token`);
    expect(h.stub.matching('M/rigs').map((r) => r.status)).toEqual([401, 200]);
  });
});

describe('network failures', () => {
  it('an unreachable worker is status 0', async () => {
    h = await startPlugin('polecat', { env: { GASTOWN_API_URL: 'http://127.0.0.1:1' } });
    await expect(h.tool('gt_prime').execute({}, CALL)).rejects.toThrow(/^Gastown API error \(0 network_error\): /);
  });

  it('a worker that never answers is status 0 once the call timeout passes', async () => {
    h = await startPlugin('polecat', { overrides: { settings: { callTimeoutMs: 50 } } });
    h.stub.on('POST', 'P/status-message', () => new Promise(() => undefined));
    await expect(h.tool('gt_status').execute({ message: 'Hello' }, CALL)).rejects.toThrow(/^Gastown API error \(0 timeout\): /);
  });

  it("the tool call's abort signal cancels the request (status 0)", async () => {
    h = await startPlugin('polecat');
    h.stub.on('POST', 'P/status-message', () => new Promise(() => undefined));
    const aborter = new AbortController();
    const pending = h.tool('gt_status').execute({ message: 'Hello' }, { abort: aborter.signal });
    aborter.abort();
    await expect(pending).rejects.toThrow(/^Gastown API error \(0 aborted\): /);
  });

  it('logs a failed tool call as tool.failed, without the token', async () => {
    h = await startPlugin('polecat');
    h.stub.on('POST', 'P/mail', () => ({ status: 422, body: { error: { code: 'unknown_reference', message: 'No such recipient.', details: { field: 'to_agent_id' } } } }));
    await expect(h.tool('gt_mail_send').execute({ to_agent_id: '66666666-6666-4666-8666-666666666666', subject: 's', body: 'b' }, CALL)).rejects.toThrow(
      'Gastown API error (422 unknown_reference): No such recipient. Details: {"field":"to_agent_id"}',
    );
    expect(h.logs().find((l) => l.msg === 'tool.failed')).toMatchObject({ level: 'warn', service: 'gastown-plugin', tool: 'gt_mail_send' });
    expect(h.stderr()).not.toContain(START_TOKEN);
  });
});
