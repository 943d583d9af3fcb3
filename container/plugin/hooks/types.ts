/**
 * The context hooks the plugin returns besides its tools (`tools.md` §2), typed with only the
 * inputs they read. kilo calls them with its own, wider inputs; the check below stops the build
 * if these signatures ever stop fitting kilo's `Hooks`.
 */
import type { Hooks } from '@kilocode/plugin';

/** `experimental.chat.system.transform`: before each LLM call, `output.system` may be edited. */
export type SystemTransformHook = (input: { sessionID?: string }, output: { system: string[] }) => Promise<void>;

/** `experimental.session.compacting`: before a compaction, `output.context` may be extended. */
export type CompactingHook = (input: { sessionID: string }, output: { context: string[] }) => Promise<void>;

/** The context hooks of one plugin instance (which ones depend on the role). */
export interface ContextHooks {
  'experimental.chat.system.transform'?: SystemTransformHook;
  'experimental.session.compacting'?: CompactingHook;
}

type FitsKilo = Required<ContextHooks> extends Required<Pick<Hooks, keyof ContextHooks>> ? true : false;
/** Compile-time proof that `ContextHooks` fits kilo's hook signatures. */
export const CONTEXT_HOOKS_FIT_KILO: FitsKilo = true;
