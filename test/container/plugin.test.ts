/**
 * The gastown plugin's role gate and registry (`tools.md` §1, §4, §5): exactly the P tools for a
 * polecat, the R tools for a refinery, the mayor tools for the mayor, each role's context hooks,
 * and nothing at all (with `plugin.misconfigured {missing}`) for a missing variable or an unknown
 * role. Also kilo's v1 module shape and the 16 KB output cap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import plugin, { gastownHooks } from '../../container/plugin/index.ts';
import { readAgentContext } from '../../container/plugin/context.ts';
import { MAX_OUTPUT_CHARS, capOutput } from '../../container/plugin/define-tool.ts';
import { agentEnv, START_TOKEN } from './plugin-support/harness.ts';

const API = 'http://127.0.0.1:9';

const POLECAT_TOOLS = ['gt_prime', 'gt_done', 'gt_mail_send', 'gt_mail_check', 'gt_escalate', 'gt_checkpoint', 'gt_status', 'gt_nudge'];
const REFINERY_TOOLS = ['gt_prime', 'gt_done', 'gt_request_changes', 'gt_mail_send', 'gt_mail_check', 'gt_escalate', 'gt_checkpoint', 'gt_status', 'gt_nudge'];
const MAYOR_TOOLS = [
  'gt_list_rigs',
  'gt_list_beads',
  'gt_bead_status',
  'gt_list_agents',
  'gt_sling',
  'gt_sling_batch',
  'gt_list_convoys',
  'gt_convoy_status',
  'gt_convoy_start',
  'gt_convoy_close',
  'gt_convoy_update',
  'gt_convoy_add_bead',
  'gt_convoy_remove_bead',
  'gt_bead_update',
  'gt_bead_reassign',
  'gt_bead_delete',
  'gt_agent_reset',
  'gt_escalation_acknowledge',
  'gt_ui_action',
  'gt_mail_send',
  'gt_mail_check',
  'gt_nudge',
];

let stderr: string[];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function logLines(): { msg: string; missing?: string[]; tools?: string[] }[] {
  return stderr.map((l) => JSON.parse(l) as { msg: string; missing?: string[]; tools?: string[] });
}

describe('role gate and registry', () => {
  it('registers exactly the P tools for a polecat, the R tools for a refinery and the mayor tools for the mayor', () => {
    expect(Object.keys(gastownHooks(agentEnv('polecat', API)).tool ?? {})).toEqual(POLECAT_TOOLS);
    expect(Object.keys(gastownHooks(agentEnv('refinery', API)).tool ?? {})).toEqual(REFINERY_TOOLS);
    expect(Object.keys(gastownHooks(agentEnv('mayor', API)).tool ?? {})).toEqual(MAYOR_TOOLS);
    expect(logLines().map((l) => l.msg)).toEqual(['plugin.loaded', 'plugin.loaded', 'plugin.loaded']);
    expect(stderr.join('')).not.toContain(START_TOKEN);
  });

  it('gives rig roles prime injection and re-prime at compaction, and the mayor the dashboard block only when its file is set', () => {
    for (const role of ['polecat', 'refinery']) {
      const hooks = gastownHooks(agentEnv(role, API));
      expect(typeof hooks['experimental.chat.system.transform']).toBe('function');
      expect(typeof hooks['experimental.session.compacting']).toBe('function');
    }
    const mayor = gastownHooks(agentEnv('mayor', API, { GASTOWN_DASHBOARD_CONTEXT_FILE: '/tmp/none.json' }));
    expect(typeof mayor['experimental.chat.system.transform']).toBe('function');
    expect(mayor['experimental.session.compacting']).toBeUndefined();
    expect(Object.keys(gastownHooks(agentEnv('mayor', API)))).toEqual(['tool']);
  });

  it('registers nothing and logs plugin.misconfigured for a missing variable or an unknown role', () => {
    expect(gastownHooks(agentEnv('polecat', API, { GASTOWN_AGENT_TOKEN: undefined, GASTOWN_API_URL: ' ' }))).toEqual({});
    expect(gastownHooks(agentEnv('janitor', API))).toEqual({});
    expect(gastownHooks(agentEnv('', API))).toEqual({});
    const lines = logLines();
    expect(lines.map((l) => l.msg)).toEqual(['plugin.misconfigured', 'plugin.misconfigured', 'plugin.misconfigured']);
    expect(lines[0]?.missing).toEqual(['GASTOWN_API_URL', 'GASTOWN_AGENT_TOKEN']);
    expect(lines[1]?.missing).toEqual(['GASTOWN_AGENT_ROLE']);
    expect(lines[2]?.missing).toEqual(['GASTOWN_AGENT_ROLE']);
    expect(readAgentContext(agentEnv('polecat', API))).toMatchObject({ ok: true, context: { role: 'polecat', apiUrl: API } });
  });

  it("default-exports kilo's v1 path-plugin module: an id and server()", () => {
    expect(plugin.id).toBe('gastown');
    expect(typeof plugin.server).toBe('function');
  });

  it('caps output at 16 KB with a marker', () => {
    const long = 'x'.repeat(MAX_OUTPUT_CHARS + 10);
    expect(capOutput(long)).toBe(`${'x'.repeat(MAX_OUTPUT_CHARS)}\n[… output truncated: 10 more characters]`);
    expect(capOutput('short')).toBe('short');
  });
});
