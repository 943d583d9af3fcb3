/**
 * `withRigLock(rigId, fn)` (`container.md` §9.3): serialises everything that touches one rig's
 * clone — clone, fetch, worktree changes, merges, WIP saves — while different rigs run in
 * parallel. A throw releases the lock; a waiter can give up through its `AbortSignal`.
 */
import { KeyedLock } from '../process/locks.ts';

/** One FIFO mutex per rig id. */
export class RigLocks {
  readonly #lock = new KeyedLock();

  /** Runs `fn` once every earlier holder of `rigId`'s lock has finished. */
  withRigLock<T>(rigId: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#lock.run(`rig:${rigId}`, fn, signal);
  }

  /** True while some call holds or waits for `rigId`'s lock. */
  isBusy(rigId: string): boolean {
    return this.#lock.isBusy(`rig:${rigId}`);
  }
}
