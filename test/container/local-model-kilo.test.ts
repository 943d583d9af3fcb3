/**
 * The offline mode end to end (`container.md` §10): the REAL `kilo serve` with the FULL gastown
 * plugin, the lazily started local model as its provider (`provider: null`,
 * `GASTOWN_LOCAL_MODEL=allow`) and the fake worker API, all on loopback. A polecat session in a
 * clone of a bare repo writes the file its bead names, commits, pushes to the bare repo and calls
 * `gt_done`: the commit is on the branch in the bare repo and the fake worker recorded P/done
 * with that branch and the hooked bead (from prime). kilo needs no network: the agent config dir
 * is pre-provisioned by the env builder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, StartAgentRequest } from '../../src/protocol/control.ts';
import { buildAssignmentBlock } from '../../src/prompts/assignment.ts';
import type { Assignment } from '../../src/prompts/assignment.ts';
import { rigFirstPrompt } from '../../src/prompts/first-prompt.ts';
import { agentHome } from '../../container/src/layout.ts';
import { createTempGitWorkspaces } from '../../container/src/workspaces/workspaces.ts';
import type { Workspaces } from '../../container/src/workspaces/workspaces.ts';
import { fakeBead, fakeContainerConfig, fakePrime } from '../fakes/worker-api/index.ts';
import type { RecordedRequest } from '../fakes/worker-api/index.ts';
import { AGENT, RIG, TOWN, polecatRequest } from './fixtures.ts';
import { startControlStack } from './support/control-stack.ts';
import type { ControlStack, WorkspacesSetup } from './support/control-stack.ts';
import { git, makeOrigin } from './workspaces-git-support.ts';

/** A kilo boot takes 5–20 s on a loaded machine; the whole flow gets generous room. */
const TEST_TIMEOUT_MS = 180_000;
const AGENT_TOKEN = 'agent-token-polecat-local-0001';
const BEAD = 'b0b0b0b0-1234-4321-8abc-0123456789ab';
const BRANCH = 'gt/toast/b0b0b0b0';
const BEAD_TITLE = 'Add `docs/offline.md` with `Written by the local model`';

let stack: ControlStack;
let origin: string;

/** The temp workspaces, except that a polecat's workdir is a clone of the bare origin on its branch. */
function cloningWorkspaces({ root, log, timings, baseEnv }: WorkspacesSetup): Workspaces {
  const base = createTempGitWorkspaces(root, log, { timings, baseEnv });
  return {
    ...base,
    async prepare(req, signal) {
      if (req.role !== 'polecat' || req.rig === undefined) return await base.prepare(req, signal);
      const workdir = join(root, 'clones', req.agent_id);
      git(root, 'clone', '-q', req.rig.git_url, workdir);
      git(workdir, 'switch', '-q', '-c', req.rig.branch);
      return { workdir };
    },
  };
}

beforeAll(async () => {
  // Production timings except: a short idle timer (and the harness's room for a slow kilo boot).
  stack = await startControlStack({
    name: 'lm-kilo',
    timings: { idleMs: 300 },
    agentTokens: { [AGENT]: AGENT_TOKEN },
    localModelAllowed: true,
    workspaces: cloningWorkspaces,
  });
  stack.api.setPrime(AGENT, fakePrime(AGENT, RIG, { hooked_bead: fakeBead({ id: BEAD, rig_id: RIG, title: BEAD_TITLE, status: 'in_progress', assignee_agent_id: AGENT }) }));

  origin = makeOrigin(stack.root, { 'README.md': 'offline\n' });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await stack?.dispose();
}, TEST_TIMEOUT_MS);

function polecatStart(): StartAgentRequest {
  const assignment: Assignment = {
    role: 'polecat',
    agent_id: AGENT,
    agent_name: 'Toast',
    rig_id: RIG,
    bead_id: BEAD,
    bead_title: BEAD_TITLE,
    labels: [],
    branch: BRANCH,
    target_branch: 'main',
    merge_strategy: 'direct',
    push_flags: [],
    gates: [],
  };
  return polecatRequest({
    agent_token: AGENT_TOKEN,
    system_prompt: `${buildAssignmentBlock(assignment)}\n\nYou are Toast, a Gastown polecat. Direct mode: push your branch and call gt_done.`,
    prompt: rigFirstPrompt('polecat', { id: BEAD, title: BEAD_TITLE, body: 'Keep it short.' }),
    rig: { git_url: origin, default_branch: 'main', branch: BRANCH },
    // Offline: no provider, so the start resolves to the lazily started local model.
    config: fakeContainerConfig(TOWN, stack.api.url),
  });
}

const isAgentCall = (suffix: string) => (r: RecordedRequest) => r.path === `/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}${suffix}`;

describe('a polecat on the real kilo serve with the local model', () => {
  it(
    'writes the file, pushes its commit to the bare repo and calls gt_done with the branch',
    async () => {
      const { api, modelServers, root } = stack;
      const res = await stack.request('POST', '/agents/start', polecatStart());
      const body = (await res.json()) as { data?: AgentView; error?: unknown };
      expect(body.error, JSON.stringify(body.error)).toBeUndefined();
      expect(res.status).toBe(201);

      const done = await api.waitFor(isAgentCall('/done'));
      expect(done.auth).toBe(AGENT_TOKEN);
      expect(api.dones(AGENT)).toEqual([{ branch: BRANCH, bead_id: BEAD, summary: `Wrote docs/offline.md for bead ${BEAD}: ${BEAD_TITLE}` }]);

      // The commit is on the branch in the bare repo, with the file and the bead title.
      expect(git(origin, 'log', '-1', '--format=%s', BRANCH)).toBe(BEAD_TITLE);
      expect(git(origin, 'show', `${BRANCH}:docs/offline.md`)).toBe('Written by the local model');
      expect(git(origin, 'rev-parse', 'main')).not.toBe(git(origin, 'rev-parse', BRANCH));

      // The turn ended with the script's final text: the idle timer reports the session completed.
      const completed = await api.waitFor(isAgentCall('/completed'));
      expect(completed.body).toEqual({ status: 'completed' });

      // One local model served the session: the plugin's tools and kilo's bash were offered and the
      // script ran bash, gt_done, then its final text. The plugin primed (hence bead_id above).
      expect(modelServers).toHaveLength(1);
      const seen = modelServers[0]?.requests() ?? [];
      const scripted = seen.filter((r) => r.model === 'polecat' && r.tools.length > 0);
      expect(scripted[0]?.tools).toEqual(expect.arrayContaining(['bash', 'gt_prime', 'gt_done', 'gt_escalate']));
      expect(scripted.map((r) => (r.reply.kind === 'tool' ? r.reply.name : r.reply.kind))).toEqual(['bash', 'gt_done', 'text']);
      expect(scripted[1]?.last_tool_result).toContain('GT_OK');
      expect(api.matching(`/api/towns/${TOWN}/rigs/${RIG}/agents/${AGENT}/prime`, 'POST').length).toBeGreaterThanOrEqual(1);

      // Offline: kilo ran no package install in the pre-provisioned agent config dir.
      expect(existsSync(join(agentHome(root, AGENT), '.npm'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
