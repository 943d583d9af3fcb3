/**
 * The rig `git_push_flags` allow-list (`scm.md` §3, `domain.md` §8). Called by rig config
 * validation (a rejected flag is a 400) and listed to agents as `push_flags`; the container adds
 * the accepted flags to every push it makes.
 */

/** Every flag a rig may add to its pushes, exactly as written. */
export const ALLOWED_PUSH_FLAGS: readonly string[] = [
  '--atomic',
  '--follow-tags',
  '--signed',
  '--no-signed',
  '--progress',
  '--no-progress',
  '--verbose',
  '--quiet',
  '--tags',
  '--porcelain',
  '--ipv4',
  '--ipv6',
  '--recurse-submodules=check',
  '--recurse-submodules=on-demand',
  '--recurse-submodules=no',
];

/** Outcome of `validatePushFlags`: the first rejected flag's index and why it was rejected. */
export type PushFlagsCheck = { ok: true } | { ok: false; index: number; message: string };

// A flag is echoed in the message (flags are not secrets) but cut so a message stays one line.
const MAX_ECHO = 64;

/**
 * Accepts only flags in `ALLOWED_PUSH_FLAGS`. Force in any form (`-f`, a short cluster holding
 * `f`, `--force*`, `+refspec`), `--no-verify`, non-flags and anything unlisted are rejected.
 */
export function validatePushFlags(flags: readonly string[]): PushFlagsCheck {
  for (const [index, flag] of flags.entries()) {
    if (ALLOWED_PUSH_FLAGS.includes(flag)) continue;
    return { ok: false, index, message: rejection(flag) };
  }
  return { ok: true };
}

function rejection(flag: string): string {
  const shown = JSON.stringify(flag.length > MAX_ECHO ? `${flag.slice(0, MAX_ECHO)}…` : flag);
  if (flag === '') return 'An empty push flag is not allowed.';
  if (/^--force/.test(flag) || /^-[A-Za-z]*f[A-Za-z]*$/.test(flag)) {
    return `Push flag ${shown} forces the push; force pushes are not allowed.`;
  }
  if (flag.startsWith('+')) return `Push flag ${shown} is a force refspec; force pushes are not allowed.`;
  if (flag === '--no-verify') return `Push flag ${shown} skips the pre-push hook and is not allowed.`;
  if (flag.startsWith('--recurse-submodules')) {
    return `Push flag ${shown} is not allowed; use --recurse-submodules=check, =on-demand or =no.`;
  }
  if (!flag.startsWith('-')) {
    return `Push flag ${shown} is not a flag; the remote and refspecs are chosen by Gastown.`;
  }
  return `Push flag ${shown} is not in the allowed list (${ALLOWED_PUSH_FLAGS.join(', ')}).`;
}
