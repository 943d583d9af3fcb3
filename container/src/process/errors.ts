/**
 * Errors of the process manager, each mapped to one control-protocol reply by the routes:
 * `StartupAborted` → 409 `superseded`, `StartFailed` → 500 `start_failed` with `{phase, …}`,
 * `AgentNotFound` → 404, `NotRunning` → 409 `not_running`, `NotMayor` → 409 `not_mayor`,
 * `QueueFull` → 409 `conflict`, `ModelSwapFailed` → 500 `model_swap_failed`.
 */
import type { StartFailedDetails, StartPhase } from '../../../src/protocol/control.ts';

/** A start aborted by a newer start or a stop; it left nothing behind. */
export class StartupAborted extends Error {
  constructor(agentId: string, why: string) {
    super(`start of ${agentId} aborted: ${why}`);
    this.name = 'StartupAborted';
  }
}

/** Why a start's controller was aborted: a newer start, or a stop with its reason. */
export class AbortReason extends Error {
  readonly kind: 'superseded' | 'stopped';
  readonly reason: string;
  constructor(kind: 'superseded' | 'stopped', reason: string) {
    super(kind === 'superseded' ? 'superseded by a newer start' : `stopped: ${reason}`);
    this.name = 'AbortReason';
    this.kind = kind;
    this.reason = reason;
  }
}

/** A start that failed in `phase`. */
export class StartFailed extends Error {
  readonly details: StartFailedDetails;
  constructor(message: string, details: StartFailedDetails) {
    super(message);
    this.name = 'StartFailed';
    this.details = details;
  }

  static at(phase: StartPhase, message: string, extra: Omit<StartFailedDetails, 'phase'> = {}): StartFailed {
    return new StartFailed(message, { phase, ...extra });
  }
}

export class AgentNotFound extends Error {
  constructor(agentId: string) {
    super(`No agent ${agentId} in this container.`);
    this.name = 'AgentNotFound';
  }
}

export class NotRunning extends Error {
  constructor(agentId: string, status: string) {
    super(`Agent ${agentId} is ${status}, not running.`);
    this.name = 'NotRunning';
  }
}

export class NotMayor extends Error {
  constructor(agentId: string) {
    super(`Agent ${agentId} is not the mayor.`);
    this.name = 'NotMayor';
  }
}

export class QueueFull extends Error {
  constructor(agentId: string, max: number) {
    super(`Agent ${agentId} already has ${max} queued messages.`);
    this.name = 'QueueFull';
  }
}

export class ModelSwapFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSwapFailed';
  }
}
