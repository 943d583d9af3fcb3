/**
 * A fake effect executor for reconciler tests: records every intent and observe call and
 * answers as told — dispatches succeed, fail, throw or time out; observe reports per-agent
 * container statuses. Plugged into a TownDO with `runInDurableObject` (`instance.executor = …`).
 */
import type { EffectIntent } from '../../src/town/context.ts';
import type { EffectExecutor, ObservedStatus } from '../../src/town/reconciler/effects.ts';
import type { NewTownEvent } from '../../src/town/events/town-events.ts';

export type DispatchBehaviour = 'ok' | 'fail' | 'throw' | 'already_running';

export class FakeExecutor implements EffectExecutor {
  readonly intents: EffectIntent[] = [];
  readonly observeCalls: string[][] = [];
  dispatch: DispatchBehaviour = 'ok';
  /** What observe reports per agent (default: `running`). */
  readonly observed = new Map<string, ObservedStatus>();
  mergeOk = true;

  get dispatches(): Extract<EffectIntent, { kind: 'dispatch' }>[] {
    return this.intents.filter((i): i is Extract<EffectIntent, { kind: 'dispatch' }> => i.kind === 'dispatch');
  }

  count(kind: EffectIntent['kind']): number {
    return this.intents.filter((i) => i.kind === kind).length;
  }

  async run(intent: EffectIntent): Promise<NewTownEvent[]> {
    this.intents.push(intent);
    switch (intent.kind) {
      case 'dispatch':
        if (this.dispatch === 'throw') throw new Error('container unreachable');
        return [
          {
            event_type: 'dispatch_result',
            agent_id: intent.agent_id,
            bead_id: intent.bead_id,
            payload: this.dispatch === 'fail' ? { dispatch_id: intent.dispatch_id, ok: false, error: { phase: 'sdk_ready', message: 'start failed' } } : { dispatch_id: intent.dispatch_id, ok: true },
          },
        ];
      case 'deliver_mail':
        return [{ event_type: 'mail_delivered', agent_id: intent.agent_id, payload: { message_ids: intent.message_ids, ok: true } }];
      case 'deliver_nudge':
        return [{ event_type: 'nudge_sent', agent_id: intent.agent_id, payload: { nudge_id: intent.nudge_id, ok: true } }];
      case 'merge_pr':
        return [{ event_type: 'pr_merge_attempted', bead_id: intent.bead_id, payload: this.mergeOk ? { ok: true, merge_commit: 'abcdef1' } : { ok: false, error: 'not green' } }];
      case 'stop_agent':
      case 'poll_pr':
      case 'git_merge':
        return [];
    }
  }

  async observe(agentIds: readonly string[]): Promise<Map<string, { status: ObservedStatus }>> {
    this.observeCalls.push([...agentIds]);
    return new Map(agentIds.map((id) => [id, { status: this.observed.get(id) ?? 'running' }]));
  }
}
