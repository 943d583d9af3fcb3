/**
 * Builds `StartAgentRequest` bodies (`container.md` §2) from dispatch facts: role prompts with
 * the assignment block (`src/prompts/`), the model chain (bead `model_override` → role model →
 * default), the rig checkout with its SCM coordinates and push flags, and the config. Pure;
 * the executor validates the result with the schema before sending.
 */
import type { AgentRole } from '../../protocol/common.ts';
import type { TownConfig } from '../../protocol/config.ts';
import type { ContainerConfig, RigCheckout, StartAgentRequest } from '../../protocol/control.ts';
import { polecatSystemPrompt } from '../../prompts/polecat.ts';
import { refinerySystemPrompt } from '../../prompts/refinery.ts';
import { mayorSystemPrompt } from '../../prompts/mayor.ts';
import { MAYOR_READY_PROMPT, rigFirstPrompt } from '../../prompts/first-prompt.ts';
import type { Assignment } from '../../prompts/assignment.ts';
import { parseRepoUrl } from '../scm/parse-repo-url.ts';
import type { MayorStartFacts, RigStartFacts } from './dispatch-facts.ts';

/** The model of a role: the bead's override, else the role model, else the town default. */
export function modelFor(config: TownConfig, role: AgentRole, override: string | null): { model: string; small_model: string } {
  return { model: override ?? config.role_models[role] ?? config.default_model, small_model: config.small_model };
}

/** The assignment block's fields for a rig start. */
export function assignmentOf(f: RigStartFacts): Assignment {
  const c = f.checkout;
  return {
    role: f.agent.role,
    agent_id: f.agent.id,
    agent_name: f.agent.name,
    rig_id: f.rig.id,
    bead_id: f.bead.id,
    bead_title: f.bead.title,
    labels: [...f.bead.labels],
    branch: c.branch,
    target_branch: c.target_branch,
    merge_strategy: c.merge_strategy,
    ...(f.agent.role === 'refinery' ? { review_mode: f.rig.config.refinery.review_mode } : {}),
    ...(c.pr_url === undefined ? {} : { pr_url: c.pr_url }),
    push_flags: [...f.rig.config.git_push_flags],
    gates: [...f.rig.config.refinery.gates],
  };
}

function rigCheckout(f: RigStartFacts, development: boolean): RigCheckout {
  const c = f.checkout;
  const cfg = f.town.config;
  const repo = parseRepoUrl(f.rig.git_url, { github_api_url: cfg.github_api_url, gitlab_instance_url: cfg.git_auth.gitlab_instance_url ?? null, development });
  return {
    git_url: f.rig.git_url,
    default_branch: f.rig.default_branch,
    branch: c.branch,
    ...(c.base_branch === undefined ? {} : { base_branch: c.base_branch }),
    ...(repo !== null && repo.provider !== 'none' ? { scm: { provider: repo.provider, api_url: repo.api_base, repo: repo.path } } : {}),
    ...(f.rig.config.git_push_flags.length === 0 ? {} : { git_push_flags: [...f.rig.config.git_push_flags] }),
  };
}

/** A polecat's or refinery's start request. */
export function rigStartRequest(f: RigStartFacts, dispatchId: string, agentToken: string, config: ContainerConfig, development: boolean): StartAgentRequest {
  const role = f.agent.role;
  const assignment = assignmentOf(f);
  const instructions = f.rig.config.custom_instructions[role];
  return {
    dispatch_id: dispatchId,
    agent_id: f.agent.id,
    town_id: f.town.id,
    rig_id: f.rig.id,
    role,
    name: f.agent.name,
    prompt: rigFirstPrompt(role, f.bead),
    system_prompt: role === 'polecat' ? polecatSystemPrompt(assignment, instructions) : refinerySystemPrompt(assignment, instructions),
    ...modelFor(f.town.config, role, f.model_override),
    agent_token: agentToken,
    rig: rigCheckout(f, development),
    config,
  };
}

/** The mayor's system prompt as a start sends it (also pushed on an instructions change). */
export function mayorPromptFor(f: Pick<MayorStartFacts, 'town' | 'rigs'>): string {
  return mayorSystemPrompt(
    f.rigs.map((r) => r.name),
    f.town.config.custom_instructions.mayor,
  );
}

/** The mayor's start request (`reconciler.md` §6b): every rig, the message or `Mayor ready.`. */
export function mayorStartRequest(
  f: MayorStartFacts,
  dispatchId: string,
  agentToken: string,
  config: ContainerConfig,
  opts: { prompt?: string | undefined; dashboard_context?: string | undefined },
): StartAgentRequest {
  return {
    dispatch_id: dispatchId,
    agent_id: f.agent.id,
    town_id: f.town.id,
    rig_id: f.town.id,
    role: 'mayor',
    name: f.agent.name,
    prompt: opts.prompt ?? MAYOR_READY_PROMPT,
    system_prompt: mayorPromptFor(f),
    ...modelFor(f.town.config, 'mayor', null),
    agent_token: agentToken,
    rigs: f.rigs.map((r) => ({ rig_id: r.id, name: r.name, git_url: r.git_url, default_branch: r.default_branch })),
    ...(opts.dashboard_context === undefined ? {} : { dashboard_context: opts.dashboard_context }),
    config,
  };
}
