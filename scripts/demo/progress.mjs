/**
 * What the demo prints, as pure functions of API data: one "fact" line per bead, agent and mayor
 * state (printed when it changes), a line per notable activity event, where the demo stands
 * (the slung issue and its merge request), and the summary of /debug status on a timeout.
 */

/** Activity types worth a line of their own (status changes come from the bead facts). */
const NOTABLE_ACTIVITY = new Set([
  'dispatched',
  'dispatch_failed',
  'agent_exited',
  'review_submitted',
  'review_completed',
  'rework_requested',
  'followup_created',
  'pr_created',
  'pr_creation_failed',
  'escalated',
]);
const MAX_LINE = 220;

/** The first 8 characters of an id, as the system writes `<id8>`. */
export const short = (id) => (typeof id === 'string' ? id.slice(0, 8) : '-');

/** One line per bead, agent or mayor fact, keyed so a change prints once. */
export function progressFacts({ mayor, beads, agents }) {
  const facts = new Map();
  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  if (mayor) {
    facts.set('mayor', `mayor: ${mayor.status ?? 'absent'}${mayor.session ? `, session ${mayor.session}` : ''}`);
    if (mayor.status_message) facts.set('mayor.says', `mayor says: ${mayor.status_message}`);
  }
  for (const b of beads) {
    if (b.type === 'agent') continue;
    const who = b.assignee_agent_id ? ` (${agentName.get(b.assignee_agent_id) ?? short(b.assignee_agent_id)})` : '';
    let line;
    if (b.type === 'merge_request') {
      const r = b.review ?? {};
      line = `merge request ${short(b.id)} for ${short(r.source_bead_id)} (${r.branch ?? '?'} → ${r.target_branch ?? '?'}): ${b.status === 'closed' ? 'merged' : b.status}${who}`;
    } else if (b.type === 'escalation') {
      line = `escalation ${short(b.id)} "${b.title}": ${b.status}`;
    } else if (b.type === 'message') {
      line = `mail ${short(b.id)} "${b.title}": ${b.status === 'closed' ? 'delivered' : b.status}`;
    } else {
      line = `${b.type} ${short(b.id)} "${b.title}": ${b.status}${who}`;
    }
    facts.set(`bead.${b.id}`, line);
  }
  for (const a of agents) {
    if (a.role === 'mayor') continue;
    const hook = a.hooked_bead_id ? `, hooked to ${short(a.hooked_bead_id)}` : '';
    facts.set(`agent.${a.id}`, `${a.role} ${a.name}: ${a.status}${hook}`);
    if (a.status_message) facts.set(`agent.${a.id}.says`, `${a.role} ${a.name} says: ${a.status_message}`);
  }
  return facts;
}

/** The fact lines that are new or changed since `before`. */
export function changedFacts(before, after) {
  const lines = [];
  for (const [key, line] of after) if (before.get(key) !== line) lines.push(line);
  return lines;
}

/** A line for an activity event worth showing, else null. */
export function activityLine(event) {
  if (!NOTABLE_ACTIVITY.has(event.type)) return null;
  const data = event.data && Object.keys(event.data).length > 0 ? ` ${JSON.stringify(event.data)}` : '';
  const text = `${event.type} on ${short(event.bead_id)}${data}`;
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 3)}...` : text;
}

/**
 * Where the demo stands: the slung issue (the first issue an agent — the mayor — created), its
 * merge request, and the state: `done` (issue closed and an MR merged), `failed` (the issue
 * failed: terminal) or `waiting`. A failed MR alone is not the end: the issue is worked again.
 */
export function demoOutcome(beads) {
  const issues = beads.filter((b) => b.type === 'issue' && b.created_by.startsWith('agent:')).sort((a, b) => a.created_at.localeCompare(b.created_at));
  const slung = issues[0] ?? null;
  if (slung === null) return { slung: null, mr: null, state: 'waiting' };
  const mrs = beads.filter((b) => b.type === 'merge_request' && b.review?.source_bead_id === slung.id);
  const mr = mrs.find((b) => b.status === 'closed') ?? mrs.find((b) => b.status !== 'failed') ?? mrs[0] ?? null;
  if (slung.status === 'failed') return { slung, mr, state: 'failed' };
  if (slung.status === 'closed' && mr?.status === 'closed') return { slung, mr, state: 'done' };
  return { slung, mr, state: 'waiting' };
}

/**
 * The "still waiting" line: the slung issue and MR states, and who holds the bead being worked
 * (its agent's status and how long since its last session event), so a stalled session shows.
 */
export function waitingLine(outcome, agents, now) {
  const s = outcome.slung;
  if (s === null) return 'still waiting for the mayor to sling';
  const mr = outcome.mr;
  const held = mr !== null && mr.status === 'in_progress' ? mr : s;
  const holder = agents.find((a) => a.hooked_bead_id === held.id);
  let who = '';
  if (holder !== undefined) {
    const since = holder.last_event_at === null ? 'no session event yet' : `last event ${holder.last_event_type} ${Math.round((now - Date.parse(holder.last_event_at)) / 1000)} s ago`;
    who = `; ${holder.role} ${holder.name} ${holder.status}, ${since}`;
  }
  return `still waiting on ${short(s.id)} (${s.status})${mr ? `, MR ${short(mr.id)} ${mr.status}` : ''}${who}`;
}

/** The human summary of `D/status` and the inbox (`D/events`), printed when the demo gives up. */
export function stuckReport(status, inbox) {
  const lines = [];
  const alarm = status.alarm ?? {};
  const next = alarm.next_fire_at ?? 'none (a tick is running, or no alarm is set)';
  lines.push(`alarm: next ${next}, cadence ${alarm.cadence ?? '?'}; container ${status.container?.state ?? '?'}${status.draining ? ', draining' : ''}`);
  for (const a of status.agents ?? []) {
    const hook = a.hooked_bead_id ? ` hooked ${short(a.hooked_bead_id)}` : '';
    const says = a.status_message ? `, "${a.status_message}"` : '';
    lines.push(`agent ${a.role} ${a.name}: ${a.status}${hook}, heartbeat ${a.last_heartbeat_at ?? 'never'}, last event ${a.last_event_type ?? '-'} at ${a.last_event_at ?? '-'}${says}`);
  }
  for (const b of status.beads?.non_terminal ?? []) lines.push(`not finished: ${b.type} ${short(b.id)} "${b.title}" ${b.status}`);
  const t = status.last_tick;
  if (t) {
    const violations = Object.entries(t.violations ?? {}).map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
    lines.push(`last tick ${t.at}: ${t.events_drained} events drained, ${t.events_failed} failed, ${t.pending_events} pending, violations ${violations}, next alarm in ${t.next_alarm_ms} ms`);
  } else {
    lines.push('no tick recorded by this instance yet');
  }
  const pending = inbox.filter((e) => !e.processed_at);
  if (pending.length > 0) lines.push(`${pending.length} pending town event(s)`);
  for (const e of inbox.filter((x) => x.dead_lettered_at)) lines.push(`dead letter ${e.type} ${short(e.id)}: ${e.last_error ?? ''}`);
  return lines;
}
