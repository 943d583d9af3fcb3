/**
 * The static git files of an agent home (`container.md` §6 items 2–3): `.gitconfig` (LFS filters
 * skipped, `core.hooksPath` → the co-author hook) and the `prepare-commit-msg` hook, which adds
 * the trailer named by `GASTOWN_COAUTHOR_TRAILER` so the decision stays in the (live) env.
 * The credential helper is the agent's own store file in `$GASTOWN_CRED_DIR` (`container.md` §9.3),
 * which the workspaces rewrite when the rig's token changes, so the agent's `git push` works.
 */
import { CRED_DIR_ENV } from './cli-wrappers.ts';
import { GIT_CREDENTIALS_FILE } from '../layout.ts';

/** The env var carrying the full `Co-authored-by:` trailer; absent = no trailer. */
export const COAUTHOR_TRAILER_ENV = 'GASTOWN_COAUTHOR_TRAILER';

/** `$HOME/.gitconfig` of an agent. `hooksDir` is absolute. */
export function gitconfigText(hooksDir: string): string {
  return [
    '# Written by the gastown control server; rewritten at every start.',
    '[filter "lfs"]',
    '\tclean = git-lfs clean -- %f',
    '\tsmudge = git-lfs smudge --skip -- %f',
    '\tprocess = git-lfs filter-process --skip',
    '\trequired = false',
    '[core]',
    `\thooksPath = ${hooksDir}`,
    '[credential]',
    // Empty first: no helper of a system config applies. git runs the helper through `sh`, which
    // expands the agent's credential dir (and fails, rather than guess, when it is unset).
    '\thelper =',
    `\thelper = store --file=\\"\${${CRED_DIR_ENV}:?}/${GIT_CREDENTIALS_FILE}\\"`,
    '[init]',
    '\tdefaultBranch = main',
    '[advice]',
    '\tdetachedHead = false',
    '',
  ].join('\n');
}

/**
 * The `prepare-commit-msg` hook: appends `$GASTOWN_COAUTHOR_TRAILER` once (never twice, never
 * on merge or squash messages), through `git interpret-trailers`.
 */
export function coauthorHookText(): string {
  return [
    '#!/bin/sh',
    '# gastown co-author trailer (container.md §6 item 3); no-op unless the agent env names one.',
    `trailer="$${COAUTHOR_TRAILER_ENV}"`,
    '[ -n "$trailer" ] || exit 0',
    'case "$2" in merge|squash) exit 0 ;; esac',
    'grep -qxF "$trailer" "$1" 2>/dev/null && exit 0',
    'exec git interpret-trailers --in-place --if-exists addIfDifferent --trailer "$trailer" "$1"',
    '',
  ].join('\n');
}
