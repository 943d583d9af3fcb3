/**
 * The fake host's GitHub GraphQL endpoint (`/api/graphql`): it answers exactly Gastown's feedback
 * query (`FEEDBACK_QUERY` of `src/town/scm/github-feedback.ts`, compared whitespace-insensitively)
 * with the PR's review decision, merge state, draft flag and the first 100 review threads plus
 * `hasNextPage`; any other query is a 400.
 */
import { z } from 'zod';
import { FEEDBACK_QUERY } from '../../../src/town/scm/github-feedback.ts';
import { apiError } from './api-support.ts';
import type { MountedApp } from './handler.ts';
import type { FakeHostState } from './host-state.ts';
import { derivedMergeStateStatus, pullMergeability } from './merge-ops.ts';

const GraphqlBody = z.object({
  query: z.string(),
  variables: z.object({ owner: z.string(), repo: z.string(), number: z.number().int() }),
});

const THREAD_PAGE = 100;

function normalise(query: string): string {
  return query.replace(/\s+/g, ' ').replace(/\s*([{}():,!$])\s*/g, '$1').trim();
}

const KNOWN_QUERY = normalise(FEEDBACK_QUERY);

function notFound(type: 'Repository' | 'PullRequest', what: string): Response {
  return Response.json({ data: type === 'Repository' ? { repository: null } : { repository: { pullRequest: null } }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a ${type} with the name '${what}'.` }] });
}

/** The app for `/api/graphql`. */
export function githubGraphqlApp(state: FakeHostState): MountedApp {
  return {
    prefix: '/api/graphql',
    fetch: async (request) => {
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/api/graphql') return apiError(404, 'Not Found');
      let raw: unknown;
      try {
        raw = await request.json();
      } catch {
        return apiError(400, 'Problems parsing JSON');
      }
      const body = GraphqlBody.safeParse(raw);
      if (!body.success || normalise(body.data.query) !== KNOWN_QUERY) return apiError(400, 'fake git host: only the Gastown PR feedback query is supported');
      const { owner, repo: name, number } = body.data.variables;
      const repo = state.repos.get(`${owner}/${name}`);
      if (repo === null) return notFound('Repository', `${owner}/${name}`);
      const pull = state.pulls.get(repo, number);
      if (pull === null) return notFound('PullRequest', String(number));
      const mergeability = await pullMergeability(state.repos, pull);
      return Response.json({
        data: {
          repository: {
            pullRequest: {
              reviewDecision: pull.review_decision,
              mergeStateStatus: derivedMergeStateStatus(pull, mergeability),
              isDraft: pull.draft,
              reviewThreads: {
                pageInfo: { hasNextPage: pull.threads.length > THREAD_PAGE },
                nodes: pull.threads.slice(0, THREAD_PAGE).map((t) => ({ isResolved: t.isResolved })),
              },
            },
          },
        },
      });
    },
  };
}
