import { expect, it } from 'vitest';
import { harness } from './reconciler-support.ts';

const S = 1000;
it('debug not_found', async () => {
  const h = await harness();
  const beadId = await h.sling('x');
  await h.tick();
  const rows = await h.sql<{ bead_id: string }>(`SELECT bead_id FROM agent_metadata WHERE current_hook_bead_id = ?`, beadId);
  const agentId = rows[0]?.bead_id ?? '';
  h.fake.observed.set(agentId, 'not_found');
  for (let i = 0; i < 25; i++) {
    await h.advance(10 * S);
    await h.tick();
  }
  const ev = await h.sql(`SELECT event_type, processed_at, retry_count, last_error, dead_lettered_at, created_at FROM town_events ORDER BY created_at`);
  console.log(JSON.stringify(ev, null, 1));
  console.log(JSON.stringify(await h.agent(agentId)), JSON.stringify(await h.bead(beadId)));
  expect(1).toBe(1);
});
