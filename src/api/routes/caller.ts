/**
 * Accessors for the authenticated caller inside handlers (the guard has already checked it).
 */
import type { Caller } from '../app-env.ts';

/** The user id of a user caller; routes with `auth: 'user'` guarantee one. */
export function userSub(caller: Caller): string {
  if (caller.kind !== 'user') throw new Error('route declared for users reached without a user caller');
  return caller.sub;
}
