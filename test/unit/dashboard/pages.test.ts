/**
 * The dashboard's page addresses: parsing (UUID ids only, overview sections from the hash),
 * building them back, and where each of the mayor's `ui_action`s leads.
 */
import { describe, expect, it } from 'vitest';
import { pagePath, pageTitle, parsePagePath, routeForUiAction, type PageRoute } from '../../../src/dashboard/pages.ts';

const TOWN = '11111111-1111-4111-8111-111111111111';
const ID = '22222222-2222-4222-8222-222222222222';

describe('parsePagePath / pagePath', () => {
  const routes: PageRoute[] = [
    { page: 'towns' },
    { page: 'sign-in' },
    { page: 'overview', townId: TOWN, section: null },
    { page: 'overview', townId: TOWN, section: 'merge-queue' },
    { page: 'mayor', townId: TOWN },
    { page: 'settings', townId: TOWN },
    { page: 'rig', townId: TOWN, rigId: ID },
    { page: 'bead', townId: TOWN, beadId: ID },
    { page: 'agent', townId: TOWN, agentId: ID },
    { page: 'convoy', townId: TOWN, convoyId: ID },
  ];

  it.each(routes.map((r) => [pagePath(r), r] as const))('%s round-trips', (path, route) => {
    const [pathname = '', hash = ''] = path.split('#');
    expect(parsePagePath(pathname, hash === '' ? '' : `#${hash}`)).toEqual(route);
  });

  it('lowercases ids and accepts a trailing slash', () => {
    expect(parsePagePath(`/towns/${TOWN.toUpperCase()}/beads/${ID}/`)).toEqual({ page: 'bead', townId: TOWN, beadId: ID });
  });

  it('refuses ids that are not UUIDs and unknown paths', () => {
    expect(parsePagePath('/towns/abc')).toBeNull();
    expect(parsePagePath(`/towns/${TOWN}/beads/not-a-uuid`)).toBeNull();
    expect(parsePagePath(`/towns/${TOWN}/nowhere`)).toBeNull();
    expect(parsePagePath('/api/towns')).toBeNull();
  });

  it('ignores an unknown overview hash', () => {
    expect(parsePagePath(`/towns/${TOWN}`, '#nope')).toEqual({ page: 'overview', townId: TOWN, section: null });
  });

  it('titles each page', () => {
    expect(pageTitle('mayor')).toBe('Mayor chat');
  });
});

describe('routeForUiAction', () => {
  it('opens beads, convoys and agents', () => {
    expect(routeForUiAction(TOWN, { type: 'open_bead', bead_id: ID })).toEqual({ page: 'bead', townId: TOWN, beadId: ID });
    expect(routeForUiAction(TOWN, { type: 'open_convoy', convoy_id: ID })).toEqual({ page: 'convoy', townId: TOWN, convoyId: ID });
    expect(routeForUiAction(TOWN, { type: 'open_agent', agent_id: ID })).toEqual({ page: 'agent', townId: TOWN, agentId: ID });
  });

  it('navigates to pages and overview sections', () => {
    expect(routeForUiAction(TOWN, { type: 'navigate', page: 'overview' })).toEqual({ page: 'overview', townId: TOWN, section: null });
    expect(routeForUiAction(TOWN, { type: 'navigate', page: 'agents' })).toEqual({ page: 'overview', townId: TOWN, section: 'agents' });
    expect(routeForUiAction(TOWN, { type: 'navigate', page: 'settings' })).toEqual({ page: 'settings', townId: TOWN });
    expect(routeForUiAction(TOWN, { type: 'navigate', page: 'rig', rig_id: ID })).toEqual({ page: 'rig', townId: TOWN, rigId: ID });
  });
});
