/**
 * Argument schemas of the gastown plugin's `gt_*` tools (`tools.md` §4, §5) wherever a tool's
 * arguments differ from the body or query its route validates: path ids carried as arguments,
 * bodies minus what the plugin adds itself, subsets of list queries, JSON text parsed before any
 * call. Each is composed from the route schemas (`api.ts`, `agent.ts`), so a tool can never accept
 * what the worker refuses. Tools whose arguments equal a route body use that schema directly.
 */
import { z } from 'zod';
import { Checkpoint, Done } from './agent.ts';
import { AgentListQuery, BeadListQuery, BeadPatch, BeadReassign, ConvoyAddBead, ConvoyListQuery, ConvoyPatch, Sling } from './api.ts';
import { Uuid } from './common.ts';

// ---------------------------------------------------------------- rig tools

/** `gt_done`: P`/done` without `bead_id`, which the plugin adds from the last prime. */
export const GtDoneArgs = Done.omit({ bead_id: true });
export type GtDoneArgs = z.infer<typeof GtDoneArgs>;

/** Text that must parse as JSON; a parse failure is an issue, never a throw. */
const JsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be valid JSON (${err instanceof Error ? err.message : String(err)})` });
    return z.NEVER;
  }
});

/**
 * `gt_checkpoint`: `data` is JSON text, parsed and held to P`/checkpoint`'s own rule (an object of
 * at most 64 KB as JSON) during argument validation, so invalid JSON never reaches the worker.
 */
export const GtCheckpointArgs = z.strictObject({ data: JsonText.pipe(Checkpoint.shape.data) });
export type GtCheckpointArgs = z.infer<typeof GtCheckpointArgs>;

// ---------------------------------------------------------------- mayor tools: reads

/** `gt_list_beads`: the filters of GET M`/beads` the mayor uses. */
export const GtListBeadsArgs = BeadListQuery.pick({ rig_id: true, status: true, type: true, limit: true });
export type GtListBeadsArgs = z.infer<typeof GtListBeadsArgs>;

/** `gt_list_agents`: the filters of GET M`/agents` the mayor uses. */
export const GtListAgentsArgs = AgentListQuery.pick({ rig_id: true, role: true, status: true });
export type GtListAgentsArgs = z.infer<typeof GtListAgentsArgs>;

/** `gt_list_convoys`: the status filter of GET M`/convoys`. */
export const GtListConvoysArgs = ConvoyListQuery.pick({ status: true });
export type GtListConvoysArgs = z.infer<typeof GtListConvoysArgs>;

/** One bead by its path id: `gt_bead_status`. */
export const GtBeadIdArgs = z.strictObject({ bead_id: Uuid });
export type GtBeadIdArgs = z.infer<typeof GtBeadIdArgs>;

/** One convoy by its path id: `gt_convoy_status`, `gt_convoy_start`, `gt_convoy_close`. */
export const GtConvoyIdArgs = z.strictObject({ convoy_id: Uuid });
export type GtConvoyIdArgs = z.infer<typeof GtConvoyIdArgs>;

// ---------------------------------------------------------------- mayor tools: writes

/** `gt_sling`: the M`/sling` body as the mayor uses it (`pr_fixup` is the dashboard's). */
export const GtSlingArgs = Sling.omit({ pr_fixup: true });
export type GtSlingArgs = z.infer<typeof GtSlingArgs>;

/** `gt_convoy_update`: the convoy's path id plus the PATCH body, with at least one field to change. */
export const GtConvoyUpdateArgs = z
  .strictObject({ convoy_id: Uuid, ...ConvoyPatch.shape })
  .refine((a) => a.title !== undefined || a.merge_mode !== undefined, 'at least one of title, merge_mode is required');
export type GtConvoyUpdateArgs = z.infer<typeof GtConvoyUpdateArgs>;

/** `gt_convoy_add_bead`: the convoy's path id plus the POST M`/convoys/:convoyId/beads` body. */
export const GtConvoyAddBeadArgs = z.strictObject({ convoy_id: Uuid, ...ConvoyAddBead.shape });
export type GtConvoyAddBeadArgs = z.infer<typeof GtConvoyAddBeadArgs>;

/** `gt_convoy_remove_bead`: both path ids of DELETE M`/convoys/:convoyId/beads/:beadId`. */
export const GtConvoyRemoveBeadArgs = z.strictObject({ convoy_id: Uuid, bead_id: Uuid });
export type GtConvoyRemoveBeadArgs = z.infer<typeof GtConvoyRemoveBeadArgs>;

/** `gt_bead_update`: the bead's path id plus the PATCH body, with at least one field to change. */
export const GtBeadUpdateArgs = z
  .strictObject({ bead_id: Uuid, ...BeadPatch.shape })
  .refine(
    ({ bead_id: _beadId, ...patch }) => Object.values(patch).some((value) => value !== undefined),
    `at least one of ${Object.keys(BeadPatch.shape).join(', ')} is required`,
  );
export type GtBeadUpdateArgs = z.infer<typeof GtBeadUpdateArgs>;

/** `gt_bead_reassign`: the bead's path id plus the reassign body. */
export const GtBeadReassignArgs = z.strictObject({ bead_id: Uuid, ...BeadReassign.shape });
export type GtBeadReassignArgs = z.infer<typeof GtBeadReassignArgs>;

/** `gt_agent_reset`: the agent's path id of POST M`/agents/:agentId/reset`. */
export const GtAgentResetArgs = z.strictObject({ agent_id: Uuid });
export type GtAgentResetArgs = z.infer<typeof GtAgentResetArgs>;

/** `gt_escalation_acknowledge`: the escalation's path id. */
export const GtEscalationAcknowledgeArgs = z.strictObject({ escalation_id: Uuid });
export type GtEscalationAcknowledgeArgs = z.infer<typeof GtEscalationAcknowledgeArgs>;
