/**
 * The `pr` merge strategy end to end against the fake git host (`scm.md` §3, §8; issue #9
 * item 3): the town's `github_api_url` and token point at the host, the rig's repository lives
 * there. A slung bead → the polecat pushes its branch over smart HTTP and opens a pull request
 * → `gt_done {pr_url}` → the refinery reviews the existing PR → the worker polls it and, all
 * green after the (zero) grace period, auto-merges it → the MR and the bead are closed, the PR
 * is merged and the repository's default branch has the polecat's work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_TOKEN, startFakeGitHost, type FakeGitHost } from '../fakes/git-host/index.ts';
import { BareRepo } from './support/git-repo.ts';
import { townViolations } from './support/invariants.ts';
import { useE2eSuite } from './support/file-suite.ts';
import { newTown, waitClosed } from './support/suite.ts';

const FLOW_TIMEOUT_MS = 360_000;

const suite = useE2eSuite();
let host: FakeGitHost;

beforeAll(async () => {
  host = await startFakeGitHost();
});

afterAll(async () => {
  await host?.stop();
});

describe('the pr strategy', () => {
  it('opens a pull request on the git host and auto-merges it into the default branch', async () => {
    const hosted = await host.createRepo('acme', 'app', { default_branch: 'main' });
    const repo = new BareRepo(hosted.dir, 'main');
    const town = await newTown(suite(), 'e2e pr');
    await town.patchConfig({
      github_api_url: host.api_url,
      git_auth: { github_token: DEFAULT_FAKE_TOKEN },
      refinery: { auto_merge: true, auto_merge_delay_minutes: 0 },
    });
    const rig = await town.createRig({ name: 'app', git_url: hosted.git_url, default_branch: 'main', config: { merge_strategy: 'pr' } });

    const bead = await town.sling({ rig_id: rig.id, title: 'Add `src/feature.txt` with `made through a pull request`' });
    const closed = await waitClosed(town, bead.id, FLOW_TIMEOUT_MS);
    expect(closed.dispatch_attempts).toBe(1);

    const mrs = (await town.beads('&type=merge_request')).filter((m) => m.review?.source_bead_id === bead.id);
    expect(mrs.map((m) => m.status)).toEqual(['closed']);
    const prUrl = mrs[0]?.review?.pr_url ?? '';
    expect(prUrl).toMatch(new RegExp(`^${host.url}/acme/app/pull/\\d+$`));

    // One PR, opened by the polecat from its branch, merged on the host by the worker.
    const pulls = host.control.pulls('acme/app');
    expect(pulls).toHaveLength(1);
    const pull = pulls[0];
    if (pull === undefined) throw new Error('no pull request');
    expect(prUrl.endsWith(`/pull/${pull.number}`)).toBe(true);
    expect([pull.head_ref, pull.base_ref, pull.merged]).toEqual([mrs[0]?.review?.branch, 'main', true]);
    const merges = host.control.requests('api/v3/repos/acme/app/pulls/*/merge', 'PUT');
    expect(merges.filter((r) => r.status === 200)).toHaveLength(1);
    expect(merges.every((r) => r.auth_sent)).toBe(true);

    // The polecat's commit heads its branch; the host's merge of it (squash first, `scm.md` §7) is
    // on the default branch with the polecat's file.
    const branch = pull.head_ref;
    const polecatCommit = (await repo.log(branch))[0];
    expect(polecatCommit?.subject).toBe(bead.title);
    expect(pull.merge_commit_sha).not.toBeNull();
    expect(await repo.isAncestor(pull.merge_commit_sha ?? '', 'main')).toBe(true);
    expect(await repo.readFile('main', 'src/feature.txt')).toBe('made through a pull request');

    expect(await townViolations(town, { repo, pushed: [polecatCommit?.sha ?? ''] })).toEqual([]);
  });
});
