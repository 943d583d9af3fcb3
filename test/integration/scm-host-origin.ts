/**
 * Where the workerd git-hosting tests find the fake git host (`scm.md` §8): a loopback origin
 * nothing listens on. The workers pool's outbound fetch (`scm-outbound.ts`, wired in
 * `vitest.config.ts`) answers every request to it with the fake host's handler, so rig
 * `git_url`s, the town's `github_api_url` and PR URLs all name this origin.
 */

export const FAKE_GIT_HOST_ORIGIN = 'http://127.0.0.1:47911';

/** The setup routes the bridge adds in front of the fake host (repositories and commits). */
export const SCM_SETUP_PREFIX = '/__scm-setup';
