/**
 * One readable line per timeline event (`ActivityEvent`, `domain.md` §9) for the activity
 * timeline, the bead page and the merge queue: "status open → in progress (dispatched)". Pure.
 */
import type { ActivityEvent } from '../../protocol/api.ts';
import { obj, str } from './json-read.ts';

const LABELS: Readonly<Record<string, string>> = {
  created: 'created',
  status_changed: 'status',
  hooked: 'hooked to an agent',
  unhooked: 'unhooked',
  dispatched: 'dispatched',
  dispatch_failed: 'dispatch failed',
  agent_exited: 'agent exited',
  eviction_context: 'eviction context saved',
  review_submitted: 'submitted for review',
  pr_created: 'pull request created',
  pr_creation_failed: 'pull request creation failed',
  review_completed: 'review completed',
  rework_requested: 'rework requested',
  followup_created: 'follow-up created',
  pr_poll_failed: 'pull request poll failed',
  awaiting_approval: 'awaiting approval',
  approval_resolved: 'approval resolved',
  escalated: 'escalated',
  acknowledged: 'escalation acknowledged',
  mail_sent: 'mail sent',
  nudged: 'nudged',
  agent_status: 'agent status',
  fields_updated: 'fields updated',
  dependency_added: 'dependency added',
  dependency_removed: 'dependency removed',
  convoy_progress: 'convoy progress',
  convoy_landed: 'convoy landed',
  deleted: 'deleted',
};

/** `in_progress` → `in progress`. */
export function humanize(value: string): string {
  return value.replace(/_/g, ' ');
}

/** Who did it: `user:dev` → `dev`, `agent:<id>` → `agent 1a2b3c4d`, `system` → `system`. */
export function actorLabel(actor: string): string {
  if (actor.startsWith('user:')) return actor.slice(5);
  if (actor.startsWith('admin:')) return `admin ${actor.slice(6)}`;
  if (actor.startsWith('agent:')) return `agent ${actor.slice(6, 14)}`;
  return actor;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value as shown: a bead or agent id shortened to its first 8 characters. */
function shown(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return UUID.test(value) ? `bead ${value.slice(0, 8)}` : value;
}

/** The event as one line, without the time or actor. */
export function describeActivity(event: ActivityEvent): string {
  const label = LABELS[event.type] ?? humanize(event.type);
  const from = shown(event.data.old_value);
  const to = shown(event.data.new_value);
  const reason = str(obj(event.data.reason), 'message') ?? str(obj(event.data.reason), 'code') ?? (typeof event.data.reason === 'string' ? event.data.reason : undefined);
  const keys = Array.isArray(event.data.keys) ? event.data.keys.filter((k): k is string => typeof k === 'string') : [];
  let text = label;
  if (event.type === 'agent_status' && to !== undefined) text = `${label}: “${to}”`;
  else if (keys.length > 0) text = `${label}: ${keys.map(humanize).join(', ')}`;
  else if (from !== undefined && to !== undefined) text = `${label} ${humanize(from)} → ${humanize(to)}`;
  else if (to !== undefined) text = `${label}: ${humanize(to)}`;
  if (reason !== undefined && reason !== '') text += ` (${reason})`;
  return text;
}
