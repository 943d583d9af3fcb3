/**
 * The whole town on one machine (issue #9 item 3): the worker in local mode, the launcher, real
 * control servers and `kilo serve` sessions on the local model, real git against local bare
 * repositories, `GASTOWN_TIMING=test`. One stack for the file, one town per scenario.
 *
 * 1. A user message to the mayor → a slung bead → a polecat commits and pushes in its worktree →
 *    `gt_done` → an MR → the refinery merges it (`direct`) → the bead is closed, and the bare
 *    repository's default branch has the polecat's commit.
 * 2. A three-task convoy with `depends_on` in `review-then-land` mode → the members merged into the
 *    feature branch in dependency order → the landing MR merged into the default branch → the
 *    convoy `landed`.
 */
import { describe, expect, it } from 'vitest';
import { townViolations } from './support/invariants.ts';
import { useE2eSuite } from './support/file-suite.ts';
import { townWithRig, waitClosed } from './support/suite.ts';

/** A cold town: control server, mayor prewarm, kilo boots on a shared 2-core machine. */
const FLOW_TIMEOUT_MS = 360_000;
/** Three members (a polecat and a refinery each, one after the other) and the landing review. */
const CONVOY_TIMEOUT_MS = 840_000;

const suite = useE2eSuite();

describe('a town from message to merge', () => {
  it('turns a user message into a merged commit on the default branch', async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'message');
    const initial = await repo.branchSha('main');

    expect((await town.messageMayor('Add `docs/greeting.txt` with `hello from the polecat`')).delivery).toBe('starting');
    const issue = await town.waitFor('the mayor to sling a bead', async () => (await town.beads('&type=issue')).find((b) => b.rig_id === rig.id), { timeoutMs: FLOW_TIMEOUT_MS });
    // The mayor's tool call made it, from the message's first line.
    expect(issue.created_by).toMatch(/^agent:/);
    expect(issue.title).toBe('Add `docs/greeting.txt` with `hello from the polecat`');

    const closed = await waitClosed(town, issue.id, FLOW_TIMEOUT_MS);
    expect(closed.dispatch_attempts).toBe(1);
    const mrs = (await town.beads('&type=merge_request')).filter((b) => b.review?.source_bead_id === issue.id);
    expect(mrs.map((m) => [m.status, m.review?.target_branch, m.review?.pr_url])).toEqual([['closed', 'main', null]]);
    const branch = mrs[0]?.review?.branch ?? '';
    expect(branch).toMatch(/^gt\/[a-z0-9-]+\/[0-9a-f]{8}$/);

    // The polecat's commit (subject = the bead title) is on main, below the refinery's merge.
    const history = await repo.log('main');
    const polecatCommit = history.find((c) => c.subject === issue.title);
    if (polecatCommit === undefined) throw new Error(`no commit "${issue.title}" on main: ${JSON.stringify(history)}`);
    expect(await repo.isAncestor(polecatCommit.sha, 'main')).toBe(true);
    expect(await repo.branchSha(branch)).toBe(polecatCommit.sha);
    expect(history[0]?.subject).toBe(`Merge ${branch}: ${mrs[0]?.title ?? ''}`);
    expect(history.at(-1)?.sha).toBe(initial);
    expect(await repo.readFile('main', 'docs/greeting.txt')).toBe('hello from the polecat');

    expect(await townViolations(town, { repo, pushed: [polecatCommit.sha] })).toEqual([]);
  });
});

describe('a review-then-land convoy', () => {
  it('merges three dependent members into the feature branch in order, then lands it on the default branch', { timeout: CONVOY_TIMEOUT_MS + 60_000 }, async () => {
    const { town, rig, repo } = await townWithRig(suite(), 'convoy');
    const files = ['one', 'two', 'three'];
    const { convoyId, beadIds } = await town.slingBatch({
      rig_id: rig.id,
      title: 'Numbers',
      merge_mode: 'review-then-land',
      tasks: files.map((n, i) => ({ title: `Add \`numbers/${n}.txt\` with \`${n}\``, ...(i === 0 ? {} : { depends_on: [i - 1] }) })),
    });
    expect(beadIds).toHaveLength(3);

    const landed = await town.waitFor(
      'the convoy to land',
      async () => {
        const c = await town.convoy(convoyId);
        if (c.status === 'failed') throw new Error(`convoy failed: ${JSON.stringify(c)}`);
        return c.status === 'landed' ? c : undefined;
      },
      { timeoutMs: CONVOY_TIMEOUT_MS },
    );
    expect(landed.progress).toMatchObject({ total: 3, closed: 3, failed: 0 });
    expect(landed.landed_at).not.toBeNull();
    const feature = landed.feature_branch ?? '';
    expect(feature).toMatch(/^convoy\/.+\/head$/);

    const members = await Promise.all(beadIds.map((id) => town.bead(id)));
    expect(members.map((m) => m.status)).toEqual(['closed', 'closed', 'closed']);
    // Dependency order: each member closed after the one it depends on.
    const closedAt = members.map((m) => Date.parse(m.closed_at ?? ''));
    expect(closedAt[0]).toBeLessThan(closedAt[1] ?? 0);
    expect(closedAt[1]).toBeLessThan(closedAt[2] ?? 0);

    // Each member's MR targeted the feature branch; the landing MR took it to main.
    const mrs = await town.beads('&type=merge_request');
    const memberMrs = beadIds.map((id) => mrs.find((m) => m.review?.source_bead_id === id && m.status === 'closed'));
    for (const mr of memberMrs) expect(mr?.review?.target_branch).toBe(feature);
    const landing = mrs.filter((m) => m.review?.branch === feature && m.review.target_branch === 'main');
    expect(landing.map((m) => m.status)).toEqual(['closed']);

    // On the feature branch the members were merged one after the other, in dependency order,
    // and each member's work was built on top of the previous member's.
    const firstParent = (await repo.firstParentLog(feature)).reverse();
    const mergeIndex = memberMrs.map((mr) => firstParent.findIndex((c) => c.subject.startsWith(`Merge ${mr?.review?.branch ?? '?'}`)));
    expect(mergeIndex.every((i) => i >= 0)).toBe(true);
    expect([...mergeIndex].sort((a, b) => a - b)).toEqual(mergeIndex);
    const memberHeads = await Promise.all(memberMrs.map((mr) => repo.branchSha(mr?.review?.branch ?? '')));
    expect(await repo.isAncestor(memberHeads[0] ?? '', memberMrs[1]?.review?.branch ?? '')).toBe(true);
    expect(await repo.isAncestor(memberHeads[1] ?? '', memberMrs[2]?.review?.branch ?? '')).toBe(true);

    // The default branch has all of it.
    const featureHead = await repo.branchSha(feature);
    expect(await repo.isAncestor(featureHead ?? '', 'main')).toBe(true);
    for (const n of files) expect(await repo.readFile('main', `numbers/${n}.txt`)).toBe(n);

    const pushed = memberHeads.filter((s): s is string => s !== null);
    expect(await townViolations(town, { repo, pushed })).toEqual([]);
  });
});
