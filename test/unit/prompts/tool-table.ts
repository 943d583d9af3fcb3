/**
 * The spec table of agent tools (`tools.md` §4 rig tools with their roles, §5 mayor tools),
 * hard-coded here on purpose: a prompt may only name tools its role really has.
 */
const RIG_TOOLS_BOTH = ['gt_prime', 'gt_done', 'gt_mail_send', 'gt_mail_check', 'gt_escalate', 'gt_checkpoint', 'gt_status', 'gt_nudge'] as const;

export const SPEC_TOOLS: Record<'polecat' | 'refinery' | 'mayor', readonly string[]> = {
  polecat: RIG_TOOLS_BOTH,
  refinery: [...RIG_TOOLS_BOTH, 'gt_request_changes'],
  mayor: [
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
  ],
};

/** Every distinct `gt_*` tool name in a text, in order of first appearance. */
export function toolNamesIn(text: string): string[] {
  return [...new Set(text.match(/\bgt_[a-z_]+\b/g) ?? [])];
}
