/**
 * One tool registry per role (`tools.md` §1, §4, §5): the mayor gets the mayor tools only, polecats
 * and refineries the rig tools their role allows. The plugin entry binds the chosen list to its
 * API client; nothing else decides which tools a session sees.
 */
import type { AgentRole } from '../../src/protocol/common.ts';
import type { GastownTool } from './define-tool.ts';
import { gtPrime } from './tools/gt-prime.ts';
import { gtSling } from './tools/gt-sling.ts';

/** A tool of any argument shape (`execute` is a method, so each tool's own shape still fits). */
type AnyTool = GastownTool;

const MAYOR_TOOLS: readonly AnyTool[] = [gtSling];
const POLECAT_TOOLS: readonly AnyTool[] = [gtPrime];
const REFINERY_TOOLS: readonly AnyTool[] = [gtPrime];

/** The tools `role` may use, in registration order. */
export function toolsForRole(role: AgentRole): readonly AnyTool[] {
  switch (role) {
    case 'mayor':
      return MAYOR_TOOLS;
    case 'polecat':
      return POLECAT_TOOLS;
    case 'refinery':
      return REFINERY_TOOLS;
  }
}
