/**
 * The machine-readable `<gastown-assignment>` block every rig-role prompt starts with
 * (`tools.md` §6): one `key: value` per line, values on a single line, one `gate:` line per gate
 * in order. The local model reads it; `parseAssignmentBlock` turns it back into its inputs.
 */

/** What a rig agent is assigned; the fields are the contract, in this order. */
export interface Assignment {
  role: 'polecat' | 'refinery';
  agent_id: string;
  agent_name: string;
  rig_id: string;
  bead_id: string;
  bead_title: string;
  labels: string[];
  branch: string;
  target_branch: string;
  merge_strategy: 'direct' | 'pr';
  /** Refinery only. */
  review_mode?: 'rework' | 'comments';
  /** When known. */
  pr_url?: string;
  push_flags: string[];
  gates: string[];
}

export const ASSIGNMENT_OPEN = '<gastown-assignment>';
export const ASSIGNMENT_CLOSE = '</gastown-assignment>';

/** Newlines and other control characters become spaces: every value stays on one line. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Renders the block (no trailing newline). */
export function buildAssignmentBlock(a: Assignment): string {
  const lines: string[] = [
    `role: ${a.role}`,
    `agent_id: ${oneLine(a.agent_id)}`,
    `agent_name: ${oneLine(a.agent_name)}`,
    `rig_id: ${oneLine(a.rig_id)}`,
    `bead_id: ${oneLine(a.bead_id)}`,
    `bead_title: ${oneLine(a.bead_title)}`,
    `labels: ${a.labels.map(oneLine).join(', ')}`,
    `branch: ${oneLine(a.branch)}`,
    `target_branch: ${oneLine(a.target_branch)}`,
    `merge_strategy: ${a.merge_strategy}`,
  ];
  if (a.review_mode !== undefined) lines.push(`review_mode: ${a.review_mode}`);
  if (a.pr_url !== undefined) lines.push(`pr_url: ${oneLine(a.pr_url)}`);
  lines.push(`push_flags: ${a.push_flags.map(oneLine).join(' ')}`);
  for (const gate of a.gates) lines.push(`gate: ${oneLine(gate)}`);
  return [ASSIGNMENT_OPEN, ...lines, ASSIGNMENT_CLOSE].join('\n');
}

function list(value: string | undefined, separator: RegExp): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(separator).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Reads the first block in `text` back into an `Assignment`; null when absent or incomplete. */
export function parseAssignmentBlock(text: string): Assignment | null {
  const start = text.indexOf(ASSIGNMENT_OPEN);
  const end = text.indexOf(ASSIGNMENT_CLOSE, start + ASSIGNMENT_OPEN.length);
  if (start < 0 || end < 0) return null;
  const fields = new Map<string, string>();
  const gates: string[] = [];
  for (const line of text.slice(start + ASSIGNMENT_OPEN.length, end).split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'gate') gates.push(value);
    else fields.set(key, value);
  }
  const role = fields.get('role');
  const strategy = fields.get('merge_strategy');
  const reviewMode = fields.get('review_mode');
  if ((role !== 'polecat' && role !== 'refinery') || (strategy !== 'direct' && strategy !== 'pr')) return null;
  const required = ['agent_id', 'agent_name', 'rig_id', 'bead_id', 'bead_title', 'branch', 'target_branch'] as const;
  const values: Record<(typeof required)[number], string> = { agent_id: '', agent_name: '', rig_id: '', bead_id: '', bead_title: '', branch: '', target_branch: '' };
  for (const key of required) {
    const v = fields.get(key);
    if (v === undefined) return null;
    values[key] = v;
  }
  const prUrl = fields.get('pr_url');
  return {
    role,
    ...values,
    labels: list(fields.get('labels'), /,/),
    merge_strategy: strategy,
    ...(reviewMode === 'rework' || reviewMode === 'comments' ? { review_mode: reviewMode } : {}),
    ...(prUrl === undefined || prUrl === '' ? {} : { pr_url: prUrl }),
    push_flags: list(fields.get('push_flags'), /\s+/),
    gates,
  };
}
