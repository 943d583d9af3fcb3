/**
 * The dashboard's page addresses, shared by the worker (which serves the same HTML shell for
 * each, `routes.tsx`) and the browser client (which routes on them, `client/router.ts`). Pure:
 * no DOM, no Workers runtime. Path ids must be UUIDs, as in the API.
 */
import { UUID_PATTERN } from '../protocol/common.ts';
import type { UiAction } from '../protocol/agent.ts';

/** The overview's sections, addressable as `#beads` etc. (the mayor's `navigate` pages). */
export type OverviewSection = 'beads' | 'agents' | 'merge-queue';

/** One dashboard page and the ids in its path. */
export type PageRoute =
  | { page: 'towns' }
  | { page: 'sign-in' }
  | { page: 'overview'; townId: string; section: OverviewSection | null }
  | { page: 'mayor'; townId: string }
  | { page: 'settings'; townId: string }
  | { page: 'rig'; townId: string; rigId: string }
  | { page: 'bead'; townId: string; beadId: string }
  | { page: 'agent'; townId: string; agentId: string }
  | { page: 'convoy'; townId: string; convoyId: string };

export type PageName = PageRoute['page'];

/** A page's Hono-style path pattern and its document title. */
export interface PagePattern {
  page: PageName;
  pattern: string;
  title: string;
}

/** Every page the worker serves, in match order. */
export const PAGE_PATTERNS: readonly PagePattern[] = [
  { page: 'towns', pattern: '/', title: 'Towns' },
  { page: 'sign-in', pattern: '/sign-in', title: 'Sign in' },
  { page: 'overview', pattern: '/towns/:townId', title: 'Town overview' },
  { page: 'mayor', pattern: '/towns/:townId/mayor', title: 'Mayor chat' },
  { page: 'settings', pattern: '/towns/:townId/settings', title: 'Town settings' },
  { page: 'rig', pattern: '/towns/:townId/rigs/:rigId', title: 'Rig' },
  { page: 'bead', pattern: '/towns/:townId/beads/:beadId', title: 'Bead' },
  { page: 'agent', pattern: '/towns/:townId/agents/:agentId', title: 'Agent' },
  { page: 'convoy', pattern: '/towns/:townId/convoys/:convoyId', title: 'Convoy' },
];

const SECTIONS: readonly OverviewSection[] = ['beads', 'agents', 'merge-queue'];

/** Matches `pathname` against `pattern`; the named params, or null (ids must be UUIDs). */
export function matchPattern(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = (pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname).split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (!UUID_PATTERN.test(g)) return null;
      params[w.slice(1)] = g.toLowerCase();
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

/** The page at `pathname` (`hash` picks an overview section), or null for an unknown address. */
export function parsePagePath(pathname: string, hash = ''): PageRoute | null {
  for (const { page, pattern } of PAGE_PATTERNS) {
    const p = matchPattern(pattern, pathname);
    if (p === null) continue;
    const townId = p.townId ?? '';
    switch (page) {
      case 'towns':
      case 'sign-in':
        return { page };
      case 'overview': {
        const section = SECTIONS.find((s) => `#${s}` === hash) ?? null;
        return { page, townId, section };
      }
      case 'mayor':
      case 'settings':
        return { page, townId };
      case 'rig':
        return { page, townId, rigId: p.rigId ?? '' };
      case 'bead':
        return { page, townId, beadId: p.beadId ?? '' };
      case 'agent':
        return { page, townId, agentId: p.agentId ?? '' };
      case 'convoy':
        return { page, townId, convoyId: p.convoyId ?? '' };
    }
  }
  return null;
}

/** The address of a page (path plus `#section` for an overview section). */
export function pagePath(route: PageRoute): string {
  switch (route.page) {
    case 'towns':
      return '/';
    case 'sign-in':
      return '/sign-in';
    case 'overview':
      return `/towns/${route.townId}${route.section === null ? '' : `#${route.section}`}`;
    case 'mayor':
    case 'settings':
      return `/towns/${route.townId}/${route.page}`;
    case 'rig':
      return `/towns/${route.townId}/rigs/${route.rigId}`;
    case 'bead':
      return `/towns/${route.townId}/beads/${route.beadId}`;
    case 'agent':
      return `/towns/${route.townId}/agents/${route.agentId}`;
    case 'convoy':
      return `/towns/${route.townId}/convoys/${route.convoyId}`;
  }
}

/** The document title of a page. */
export function pageTitle(page: PageName): string {
  return PAGE_PATTERNS.find((p) => p.page === page)?.title ?? 'Gastown';
}

/** Where a mayor `ui_action` takes the user in `townId`. */
export function routeForUiAction(townId: string, action: UiAction): PageRoute {
  switch (action.type) {
    case 'open_bead':
      return { page: 'bead', townId, beadId: action.bead_id };
    case 'open_convoy':
      return { page: 'convoy', townId, convoyId: action.convoy_id };
    case 'open_agent':
      return { page: 'agent', townId, agentId: action.agent_id };
    case 'navigate':
      switch (action.page) {
        case 'overview':
          return { page: 'overview', townId, section: null };
        case 'beads':
        case 'agents':
        case 'merge-queue':
          return { page: 'overview', townId, section: action.page };
        case 'settings':
          return { page: 'settings', townId };
        case 'rig':
          return action.rig_id === undefined ? { page: 'overview', townId, section: null } : { page: 'rig', townId, rigId: action.rig_id };
      }
  }
}
