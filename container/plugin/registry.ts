/**
 * One tool registry per role (`tools.md` §1, §4, §5): the mayor gets the mayor tools only (with
 * mail and nudges on its own path), polecats and refineries the rig tools their role allows
 * (`gt_request_changes` is the refinery's). The plugin entry binds the chosen list to its API
 * client; nothing else decides which tools a session sees.
 */
import type { AgentRole } from '../../src/protocol/common.ts';
import type { GastownTool } from './define-tool.ts';
import { gtAgentReset } from './tools/gt-agent-reset.ts';
import { gtBeadDelete } from './tools/gt-bead-delete.ts';
import { gtBeadReassign } from './tools/gt-bead-reassign.ts';
import { gtBeadStatus } from './tools/gt-bead-status.ts';
import { gtBeadUpdate } from './tools/gt-bead-update.ts';
import { gtCheckpoint } from './tools/gt-checkpoint.ts';
import { gtConvoyAddBead } from './tools/gt-convoy-add-bead.ts';
import { gtConvoyClose } from './tools/gt-convoy-close.ts';
import { gtConvoyRemoveBead } from './tools/gt-convoy-remove-bead.ts';
import { gtConvoyStart } from './tools/gt-convoy-start.ts';
import { gtConvoyStatus } from './tools/gt-convoy-status.ts';
import { gtConvoyUpdate } from './tools/gt-convoy-update.ts';
import { gtDone } from './tools/gt-done.ts';
import { gtEscalate } from './tools/gt-escalate.ts';
import { gtEscalationAcknowledge } from './tools/gt-escalation-acknowledge.ts';
import { gtListAgents } from './tools/gt-list-agents.ts';
import { gtListBeads } from './tools/gt-list-beads.ts';
import { gtListConvoys } from './tools/gt-list-convoys.ts';
import { gtListRigs } from './tools/gt-list-rigs.ts';
import { gtMailCheck } from './tools/gt-mail-check.ts';
import { gtMailSend } from './tools/gt-mail-send.ts';
import { gtNudge } from './tools/gt-nudge.ts';
import { gtPrime } from './tools/gt-prime.ts';
import { gtRequestChanges } from './tools/gt-request-changes.ts';
import { gtSling } from './tools/gt-sling.ts';
import { gtSlingBatch } from './tools/gt-sling-batch.ts';
import { gtStatus } from './tools/gt-status.ts';
import { gtUiAction } from './tools/gt-ui-action.ts';

/** `tools.md` §4, role P. */
const POLECAT_TOOLS: readonly GastownTool[] = [gtPrime, gtDone, gtMailSend, gtMailCheck, gtEscalate, gtCheckpoint, gtStatus, gtNudge];

/** `tools.md` §4, role R: the polecat's tools plus `gt_request_changes`. */
const REFINERY_TOOLS: readonly GastownTool[] = [gtPrime, gtDone, gtRequestChanges, gtMailSend, gtMailCheck, gtEscalate, gtCheckpoint, gtStatus, gtNudge];

/** `tools.md` §5. */
const MAYOR_TOOLS: readonly GastownTool[] = [
  gtListRigs,
  gtListBeads,
  gtBeadStatus,
  gtListAgents,
  gtSling,
  gtSlingBatch,
  gtListConvoys,
  gtConvoyStatus,
  gtConvoyStart,
  gtConvoyClose,
  gtConvoyUpdate,
  gtConvoyAddBead,
  gtConvoyRemoveBead,
  gtBeadUpdate,
  gtBeadReassign,
  gtBeadDelete,
  gtAgentReset,
  gtEscalationAcknowledge,
  gtUiAction,
  gtMailSend,
  gtMailCheck,
  gtNudge,
];

/** The tools `role` may use, in registration order. */
export function toolsForRole(role: AgentRole): readonly GastownTool[] {
  switch (role) {
    case 'mayor':
      return MAYOR_TOOLS;
    case 'polecat':
      return POLECAT_TOOLS;
    case 'refinery':
      return REFINERY_TOOLS;
  }
}
