/**
 * Tests for `matchPrToRig` (`scm.md` §1): host, port, provider and owner/repo rules.
 */
import { describe, expect, it } from 'vitest';
import { matchPrToRig } from '../../../../src/town/scm/match-pr-to-rig.ts';
import { parsePrUrl } from '../../../../src/town/scm/parse-pr-url.ts';
import type { PrRef } from '../../../../src/town/scm/parse-pr-url.ts';
import { parseRepoUrl } from '../../../../src/town/scm/parse-repo-url.ts';
import type { RepoRef, ScmHostConfig } from '../../../../src/town/scm/repo-ref.ts';

const CFG: ScmHostConfig = {
  development: true,
  github_api_url: 'http://127.0.0.1:8123/api/v3',
  gitlab_instance_url: 'https://git.corp.example',
};

function rig(url: string): RepoRef {
  const ref = parseRepoUrl(url, CFG);
  if (ref === null) throw new Error(`test rig URL did not parse: ${url}`);
  return ref;
}

function pr(url: string): PrRef {
  const r = parsePrUrl(url, true);
  if (!r.ok) throw new Error(`test PR URL did not parse: ${url}`);
  return r.pr;
}

describe('matchPrToRig', () => {
  const matches: { rigUrl: string; prUrl: string }[] = [
    { rigUrl: 'https://github.com/acme/widgets.git', prUrl: 'https://github.com/acme/widgets/pull/1' },
    { rigUrl: 'https://github.com/acme/widgets.git', prUrl: 'https://GITHUB.com/ACME/Widgets/pull/1' },
    { rigUrl: 'http://127.0.0.1:8123/acme/app.git', prUrl: 'http://127.0.0.1:8123/acme/app/pull/3' },
    { rigUrl: 'https://gitlab.com/a/b/c/repo.git', prUrl: 'https://gitlab.com/a/b/c/repo/-/merge_requests/4' },
    { rigUrl: 'https://git.corp.example/grp/proj.git', prUrl: 'https://git.corp.example/grp/proj/-/merge_requests/5' },
    { rigUrl: 'https://gitlab.com/my.org/sub.team/app.v2.git', prUrl: 'https://gitlab.com/my.org/sub.team/app.v2/-/merge_requests/6' },
    { rigUrl: 'https://github.com/acme/my.repo.git', prUrl: 'https://github.com/Acme/My.Repo/pull/2' },
  ];
  it.each(matches)('$prUrl belongs to $rigUrl', ({ rigUrl, prUrl }) => {
    expect(matchPrToRig(pr(prUrl), rig(rigUrl))).toEqual({ ok: true });
  });

  const mismatches: { name: string; rigUrl: string; prUrl: string; pr_host: string; rig_host: string }[] = [
    {
      name: 'port differs',
      rigUrl: 'http://127.0.0.1:8123/acme/app.git',
      prUrl: 'http://127.0.0.1:8124/acme/app/pull/3',
      pr_host: '127.0.0.1:8124',
      rig_host: '127.0.0.1:8123',
    },
    {
      name: 'another host',
      rigUrl: 'https://github.com/acme/widgets.git',
      prUrl: 'https://evil.example/acme/widgets/pull/1',
      pr_host: 'evil.example',
      rig_host: 'github.com',
    },
    {
      name: 'another GitHub repo',
      rigUrl: 'https://github.com/acme/widgets.git',
      prUrl: 'https://github.com/acme/gadgets/pull/1',
      pr_host: 'github.com',
      rig_host: 'github.com',
    },
    {
      name: 'another GitHub owner',
      rigUrl: 'https://github.com/acme/widgets.git',
      prUrl: 'https://github.com/evil/widgets/pull/1',
      pr_host: 'github.com',
      rig_host: 'github.com',
    },
    {
      name: 'GitLab path differs only in case (exact on GitLab)',
      rigUrl: 'https://gitlab.com/a/b/c/repo.git',
      prUrl: 'https://gitlab.com/a/B/c/repo/-/merge_requests/4',
      pr_host: 'gitlab.com',
      rig_host: 'gitlab.com',
    },
    {
      name: 'GitLab group depth differs',
      rigUrl: 'https://gitlab.com/a/b/c/repo.git',
      prUrl: 'https://gitlab.com/b/c/repo/-/merge_requests/4',
      pr_host: 'gitlab.com',
      rig_host: 'gitlab.com',
    },
    {
      name: 'GitHub-shaped URL on a GitLab rig',
      rigUrl: 'https://git.corp.example/grp/proj.git',
      prUrl: 'https://git.corp.example/grp/proj/pull/5',
      pr_host: 'git.corp.example',
      rig_host: 'git.corp.example',
    },
    {
      name: 'rig with provider none',
      rigUrl: 'https://git.example.org/o/r.git',
      prUrl: 'https://git.example.org/o/r/pull/1',
      pr_host: 'git.example.org',
      rig_host: 'git.example.org',
    },
  ];
  it.each(mismatches)('$name → host_mismatch', ({ rigUrl, prUrl, pr_host, rig_host }) => {
    expect(matchPrToRig(pr(prUrl), rig(rigUrl))).toEqual({ ok: false, kind: 'host_mismatch', pr_host, rig_host });
  });
});
