import { describe, expect, it } from 'vitest';
import { call, data, fixture } from './helpers.ts';

describe('smoke', () => {
  it('serves health and creates a town with a rig and a bead', async () => {
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    const f = await fixture();
    const bead = await call('POST', `/api/towns/${f.townId}/beads`, { token: f.token, body: { rig_id: f.rigId, title: 'Do a thing' } });
    expect(bead.status).toBe(201);
    expect(data(bead).status).toBe('open');
  });
});
