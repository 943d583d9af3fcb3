/**
 * The `ui_context` sent with mayor messages: the page, its path and ids in snake_case, a
 * label, and the API's size limit.
 */
import { describe, expect, it } from 'vitest';
import { MAX_UI_CONTEXT, uiContextFor } from '../../../src/dashboard/client/ui-context.ts';
import { unechoed } from '../../../src/dashboard/client/chat/pending-messages.ts';

const TOWN = '11111111-1111-4111-8111-111111111111';
const BEAD = '22222222-2222-4222-8222-222222222222';

describe('uiContextFor', () => {
  it('names the page, its path, ids and label', () => {
    expect(JSON.parse(uiContextFor({ page: 'bead', townId: TOWN, beadId: BEAD }, 'Bead: Fix login'))).toEqual({
      dashboard: { page: 'bead', path: `/towns/${TOWN}/beads/${BEAD}`, town_id: TOWN, bead_id: BEAD, label: 'Bead: Fix login' },
    });
  });

  it('stays within the API limit', () => {
    expect(uiContextFor({ page: 'mayor', townId: TOWN }, 'x'.repeat(50_000)).length).toBeLessThanOrEqual(MAX_UI_CONTEXT);
  });
});

describe('unechoed', () => {
  it('drops pending messages once a user message contains their text', () => {
    const pending = [
      { id: '1', text: 'hello mayor', at: '', state: 'delivered' as const },
      { id: '2', text: 'second', at: '', state: 'sending' as const },
    ];
    const entries = [{ kind: 'message' as const, id: 'p', role: 'user' as const, text: '[context] hello mayor', at: '' }];
    expect(unechoed(pending, entries).map((p) => p.id)).toEqual(['2']);
  });
});
