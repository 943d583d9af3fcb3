/**
 * The local model's `pr` mode (`container.md` §10): one `curl` to the GitHub-style REST endpoint
 * `$GASTOWN_SCM_API_URL/repos/$GASTOWN_SCM_REPO/pulls` with the agent's `GH_TOKEN`, and reading the
 * PR's `html_url` back from the reply. Kept deliberately simple; real git hosting is a later issue.
 */
import { fieldOf, firstJsonObject } from '../json-scan.ts';
import { shellQuote, withOkMarker } from '../shell.ts';

/** What the PR is made of. */
export interface PullRequestSpec {
  title: string;
  head: string;
  base: string;
  body: string;
}

/** The `bash` command opening the PR; prints the reply JSON, then the marker on its own line. */
export function pullRequestCommand(spec: PullRequestSpec): string {
  const payload = JSON.stringify({ title: spec.title, head: spec.head, base: spec.base, body: spec.body });
  return withOkMarker(
    [
      'curl -sS --fail-with-body -X POST',
      `-H "Authorization: Bearer $GH_TOKEN"`,
      `-H 'Accept: application/vnd.github+json'`,
      `-H 'Content-Type: application/json'`,
      `--data ${shellQuote(payload)}`,
      `"$GASTOWN_SCM_API_URL/repos/$GASTOWN_SCM_REPO/pulls"`,
      '&& echo',
    ].join(' '),
  );
}

/** The PR's web URL in a curl output: the reply's `html_url`, else a `…/pull/<n>` link; undefined when neither. */
export function pullRequestUrl(output: string | null): string | undefined {
  const text = output ?? '';
  const url = fieldOf(firstJsonObject(text), 'html_url');
  if (typeof url === 'string' && /^https?:\/\//.test(url)) return url;
  return /https?:\/\/\S+\/pull\/\d+/.exec(text)?.[0];
}
