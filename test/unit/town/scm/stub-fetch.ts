/**
 * A stubbed `fetch` for the git-hosting client tests: routes `METHOD url` (exact, or a RegExp)
 * to canned answers, answers in order when a route is given several, records every call with its
 * headers and JSON body; an unrouted request throws (the client sees a network error).
 */
import type { ScmFetch } from '../../../../src/town/scm/http-json.ts';

/** One call the stub received. */
export interface StubCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A canned answer: a Response factory, JSON with a status, or a thrown network error. */
export type StubAnswer = (() => Response | Promise<Response>) | { status?: number; json?: unknown; text?: string } | { throws: string };

interface Route {
  method: string;
  url: string | RegExp;
  answers: StubAnswer[];
}

export interface StubFetch {
  fetch: ScmFetch;
  calls: StubCall[];
  /** Adds a route (a later route for the same request wins); several answers are used in order, the last one repeating. */
  on(method: string, url: string | RegExp, ...answers: StubAnswer[]): StubFetch;
}

function toResponse(answer: StubAnswer): Response | Promise<Response> {
  if (typeof answer === 'function') return answer();
  if ('throws' in answer) throw new TypeError(answer.throws);
  if (answer.text !== undefined) return new Response(answer.text, { status: answer.status ?? 200, headers: { 'content-type': 'application/json' } });
  return Response.json(answer.json ?? {}, { status: answer.status ?? 200 });
}

/** A stub with no routes: every request throws (so "no request at all" is checkable via `calls`). */
export function stubFetch(): StubFetch {
  const routes: Route[] = [];
  const calls: StubCall[] = [];
  const stub: StubFetch = {
    calls,
    on(method, url, ...answers) {
      routes.push({ method: method.toUpperCase(), url, answers });
      return stub;
    },
    fetch: async (url, init) => {
      const method = (init.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : null;
      calls.push({ method, url, headers, body });
      const route = routes.findLast((r) => r.method === method && (typeof r.url === 'string' ? r.url === url : r.url.test(url)));
      if (route === undefined) throw new Error(`stub fetch: no route for ${method} ${url}`);
      const index = calls.filter((c) => c.method === method && (typeof route.url === 'string' ? c.url === route.url : route.url.test(c.url))).length - 1;
      const answer = route.answers[Math.min(index, route.answers.length - 1)];
      if (answer === undefined) throw new Error(`stub fetch: route ${method} ${String(route.url)} has no answer`);
      return toResponse(answer);
    },
  };
  return stub;
}
