/**
 * The named errors of Gastown and their mapping to HTTP (`http-api.md` §1.2).
 * Recognised by their literal `name`, never by `instanceof`: Durable Object RPC crosses
 * isolates, so the TownDO returns errors as `SerializedError` values (see `rpc-result.ts`)
 * and the worker rebuilds them. `app.onError` maps them through `errorStatus` in one place.
 */

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_id'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'illegal_transition'
  | 'agent_already_hooked'
  | 'not_hooked'
  | 'name_taken'
  | 'nonce_mismatch'
  | 'no_git_credentials'
  | 'conflict'
  | 'payload_too_large'
  | 'dependency_cycle'
  | 'dependencies_required'
  | 'unknown_reference'
  | 'upgrade_required'
  | 'rate_limited'
  | 'internal_error'
  | 'container_draining'
  | 'container_unavailable'
  | 'unavailable';

export type ConflictCode =
  | 'agent_already_hooked'
  | 'not_hooked'
  | 'name_taken'
  | 'nonce_mismatch'
  | 'no_git_credentials'
  | 'conflict'
  | 'not_hookable';

export type UnprocessableCode = 'dependency_cycle' | 'dependencies_required' | 'unknown_reference';

export type UnauthorizedReason =
  | 'missing'
  | 'malformed'
  | 'bad_signature'
  | 'expired'
  | 'wrong_audience'
  | 'wrong_scope'
  | 'bad_ticket';

export type TransitionKind = 'bead' | 'agent' | 'convoy';

type Details = Record<string, unknown>;

/** Base of every named error; `code` and `details` go to the client verbatim. */
export abstract class GastownError extends Error {
  abstract override readonly name: ErrorName;
  abstract readonly code: ErrorCode;
  readonly details: Details | undefined;
  constructor(message: string, details?: Details) {
    super(message);
    this.details = details;
  }
}

/** A status change the state machine does not allow (`domain.md` §3). */
export class IllegalTransition extends GastownError {
  readonly name = 'IllegalTransition' as const;
  readonly code = 'illegal_transition' as const;
  constructor(
    readonly kind: TransitionKind,
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${kind} ${id}: illegal transition ${from} → ${to}`, { id, from, to, kind });
  }
}

export class NotFound extends GastownError {
  readonly name = 'NotFound' as const;
  readonly code = 'not_found' as const;
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} not found.` : `${what} ${id} not found.`);
  }
}

export class Conflict extends GastownError {
  readonly name = 'Conflict' as const;
  readonly code: 'agent_already_hooked' | 'not_hooked' | 'name_taken' | 'nonce_mismatch' | 'no_git_credentials' | 'conflict';
  constructor(
    readonly conflict: ConflictCode,
    message: string,
    details?: Details,
  ) {
    // `not_hookable` is a domain distinction; on the wire it is the generic `conflict`.
    super(message, conflict === 'not_hookable' ? { ...details, reason: 'not_hookable' } : details);
    this.code = conflict === 'not_hookable' ? 'conflict' : conflict;
  }
}

/** 422: well-formed but meaningless (a cycle, a missing ordering, a body id naming nothing). */
export class Unprocessable extends GastownError {
  readonly name = 'Unprocessable' as const;
  constructor(
    readonly code: UnprocessableCode,
    message: string,
    details?: Details,
  ) {
    super(message, details);
  }
}

/** 400 `validation_failed` raised by domain code (checks zod cannot express). */
export class ValidationFailed extends GastownError {
  readonly name = 'ValidationFailed' as const;
  readonly code = 'validation_failed' as const;
  constructor(message: string, issues: { path: (string | number)[]; code: string; message: string }[], location: 'body' | 'query' = 'body') {
    super(message, { location, issues });
  }
}

export class BadRequest extends GastownError {
  readonly name = 'BadRequest' as const;
  constructor(
    readonly code: 'invalid_json' | 'invalid_id',
    message: string,
    details?: Details,
  ) {
    super(message, details);
  }
}

export class Unauthorized extends GastownError {
  readonly name = 'Unauthorized' as const;
  readonly code = 'unauthorized' as const;
  constructor(
    readonly reason: UnauthorizedReason,
    message = unauthorizedMessage(reason),
  ) {
    super(message, { reason });
  }
}

export class Forbidden extends GastownError {
  readonly name = 'Forbidden' as const;
  readonly code = 'forbidden' as const;
}

export class PayloadTooLarge extends GastownError {
  readonly name = 'PayloadTooLarge' as const;
  readonly code = 'payload_too_large' as const;
  constructor(limitBytes: number) {
    super(`The request body is larger than the ${formatBytes(limitBytes)} this route accepts.`, { limit_bytes: limitBytes });
  }
}

export class RateLimited extends GastownError {
  readonly name = 'RateLimited' as const;
  readonly code = 'rate_limited' as const;
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; retry later.',
  ) {
    super(message, { retry_after_seconds: retryAfterSeconds });
  }
}

export class Unavailable extends GastownError {
  readonly name = 'Unavailable' as const;
  constructor(
    readonly code: 'container_draining' | 'container_unavailable' | 'unavailable',
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message, { retry_after_seconds: retryAfterSeconds });
  }
}

export type ErrorName =
  | 'IllegalTransition'
  | 'NotFound'
  | 'Conflict'
  | 'Unprocessable'
  | 'ValidationFailed'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'PayloadTooLarge'
  | 'RateLimited'
  | 'Unavailable';

const STATUS_BY_NAME: Record<ErrorName, number> = {
  IllegalTransition: 409,
  NotFound: 404,
  Conflict: 409,
  Unprocessable: 422,
  ValidationFailed: 400,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  PayloadTooLarge: 413,
  RateLimited: 429,
  Unavailable: 503,
};

/** A named error as it crosses an RPC boundary. */
export interface SerializedError {
  name: ErrorName;
  code: ErrorCode;
  message: string;
  details?: Details;
  retry_after_seconds?: number;
}

export function isGastownError(e: unknown): e is GastownError {
  return (
    typeof e === 'object' &&
    e !== null &&
    'name' in e &&
    typeof e.name === 'string' &&
    e.name in STATUS_BY_NAME &&
    'code' in e
  );
}

export function errorStatus(name: ErrorName): number {
  return STATUS_BY_NAME[name];
}

export function serializeError(e: GastownError): SerializedError {
  const out: SerializedError = { name: e.name, code: e.code, message: e.message };
  if (e.details !== undefined) out.details = e.details;
  if (e instanceof RateLimited || e instanceof Unavailable) out.retry_after_seconds = e.retryAfterSeconds;
  return out;
}

/** An error rebuilt on the worker side from a `SerializedError`; it carries everything `onError` needs. */
export class RemoteError extends GastownError {
  readonly name: ErrorName;
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;
  constructor(s: SerializedError) {
    super(s.message, s.details);
    this.name = s.name;
    this.code = s.code;
    this.retryAfterSeconds = s.retry_after_seconds;
  }
}

export function retryAfterOf(e: GastownError): number | undefined {
  if (e instanceof RateLimited || e instanceof Unavailable) return e.retryAfterSeconds;
  if (e instanceof RemoteError) return e.retryAfterSeconds;
  return undefined;
}

function unauthorizedMessage(reason: UnauthorizedReason): string {
  switch (reason) {
    case 'missing':
      return 'Authentication is required: send Authorization: Bearer <token>.';
    case 'malformed':
      return 'The credential is malformed; send Authorization: Bearer <jwt>.';
    case 'bad_signature':
      return 'The token signature does not verify.';
    case 'expired':
      return 'The token has expired.';
    case 'wrong_audience':
      return 'The token was not issued for Gastown.';
    case 'wrong_scope':
      return 'This token cannot be used on this route.';
    case 'bad_ticket':
      return 'The live-update ticket is missing, used, expired or for another town.';
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${n / (1024 * 1024)} MB`;
  return `${n / 1024} KB`;
}
