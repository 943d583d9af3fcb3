/**
 * A failed git-host call as a `PrStatusOutcome` failure (`scm.md` §4): `http_error` keeps the
 * status and its transient flag, `invalid_response` its reason. Shared by the GitHub and GitLab
 * status reads.
 */
import type { PrStatusFailure } from '../../protocol/scm.ts';
import type { HttpFailure, InvalidResponse } from './http-json.ts';

export function toStatusFailure(failure: HttpFailure | InvalidResponse): PrStatusFailure {
  if (failure.kind === 'invalid_response') return { ok: false, kind: 'invalid_response', reason: failure.reason };
  return { ok: false, kind: 'http_error', status: failure.status, transient: failure.transient };
}
