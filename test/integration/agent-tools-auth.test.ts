/**
 * The auth matrix of the agent tool routes (`http-api.md` §1.3, §2 rule 3, §4.3) and of the mayor
 * tools (§4.4), route by route: no token → 401 `missing`; a container token (this town's or
 * another's) or a user token → 401 `wrong_scope`; another agent's token → 403; another town's agent
 * → 403; a role the route does not allow → 403; a dead agent → 404. On M: only the token of the
 * town's current mayor works — a polecat's, a refinery's, another town's mayor's, a replaced or a
 * deleted mayor's are 403.
 */
import { describe, expect, it } from 'vitest';
import type { AgentRole } from '../../src/protocol/common.ts';
import { call, errorOf, type CallResult } from './helpers.ts';
import { harness } from './reconciler-support.ts';
import { seedAgent } from './seed.ts';
import { agentPath, agentToken, containerToken, type AgentIdentity } from './report-support.ts';
import { seededMayor, seededPolecat } from './agent-tools-support.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Every P route added for the rig tools, with the roles it allows (absent: every role). */
const AGENT_ROUTES: { method: Method; route: string; roles?: readonly AgentRole[] }[] = [
  { method: 'POST', route: 'prime', roles: ['polecat', 'refinery'] },
  { method: 'POST', route: 'mail' },
  { method: 'POST', route: 'mail/check' },
  { method: 'POST', route: 'nudges' },
  { method: 'GET', route: 'pending-nudges' },
  { method: 'POST', route: 'nudge-delivered' },
  { method: 'POST', route: 'escalations' },
  { method: 'POST', route: 'request-changes', roles: ['refinery'] },
  { method: 'POST', route: 'checkpoint', roles: ['polecat', 'refinery'] },
  { method: 'POST', route: 'status-message' },
  { method: 'GET', route: 'db-snapshot' },
  { method: 'PUT', route: 'db-snapshot' },
  { method: 'DELETE', route: 'db-snapshot' },
];

/** Every M route (`http-api.md` §4.4); ids are placeholders: the credential fails first. */
const MAYOR_ROUTES: { method: Method; route: string }[] = [
  { method: 'GET', route: 'rigs' },
  { method: 'GET', route: 'beads' },
  { method: 'POST', route: 'beads/bulk-delete' },
  { method: 'GET', route: 'beads/:id' },
  { method: 'PATCH', route: 'beads/:id' },
  { method: 'POST', route: 'beads/:id/reassign' },
  { method: 'DELETE', route: 'beads/:id' },
  { method: 'POST', route: 'sling' },
  { method: 'POST', route: 'sling-batch' },
  { method: 'GET', route: 'convoys' },
  { method: 'GET', route: 'convoys/:id' },
  { method: 'PATCH', route: 'convoys/:id' },
  { method: 'POST', route: 'convoys/:id/start' },
  { method: 'POST', route: 'convoys/:id/close' },
  { method: 'POST', route: 'convoys/:id/beads' },
  { method: 'DELETE', route: 'convoys/:id/beads/:id' },
  { method: 'GET', route: 'agents' },
  { method: 'POST', route: 'agents/:id/reset' },
  { method: 'POST', route: 'escalations/:id/acknowledge' },
  { method: 'POST', route: 'ui-action' },
];

const ROLES: readonly AgentRole[] = ['polecat', 'refinery', 'mayor'];

/** A call with an empty JSON body, except on GET (which cannot carry one). */
function send(method: Method, path: string, token: string | undefined): Promise<CallResult> {
  return call(method, path, { ...(token === undefined ? {} : { token }), ...(method === 'GET' ? {} : { body: {} }) });
}

function expectStatus(r: CallResult, status: number, what: string, reason?: string): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
  if (reason !== undefined) expect(errorOf(r).details?.reason, what).toBe(reason);
}

describe('agent tool routes: auth matrix', () => {
  it('401 without a token or with a container or user token; 403 for another agent, another town or a wrong role; 404 for a dead agent', async () => {
    const h = await harness();
    const elsewhere = await harness();
    const agents: Record<AgentRole, AgentIdentity> = {
      polecat: await seededPolecat(h, 'Maple'),
      refinery: { townId: h.townId, rigId: h.rigId, agentId: await seedAgent(h.townId, { role: 'refinery', rigId: h.rigId }), role: 'refinery', dispatchId: null },
      mayor: await seededMayor(h),
    };
    const otherAgent = await seededPolecat(h, 'Birch');
    const stranger = await seededPolecat(elsewhere, 'Toast');
    const deadOf = async (role: AgentRole): Promise<AgentIdentity> => {
      const rigId = role === 'mayor' ? h.townId : h.rigId;
      return { townId: h.townId, rigId, agentId: await seedAgent(h.townId, { role, rigId: role === 'mayor' ? null : h.rigId, name: `dead-${role}`, status: 'dead' }), role, dispatchId: null };
    };
    const dead: Record<AgentRole, AgentIdentity> = { polecat: await deadOf('polecat'), refinery: await deadOf('refinery'), mayor: await deadOf('mayor') };
    const tokens = {
      container: await containerToken(h.townId),
      otherContainer: await containerToken(elsewhere.townId),
      other: await agentToken(otherAgent),
      stranger: await agentToken(stranger),
    };
    for (const { method, route, roles } of AGENT_ROUTES) {
      const who = agents[roles?.[0] ?? 'polecat'];
      const path = `${agentPath(who)}/${route}`;
      const what = `${method} P/${route}`;
      expectStatus(await send(method, path, undefined), 401, `${what} without a token`, 'missing');
      expectStatus(await send(method, path, tokens.container), 401, `${what} with the container token`, 'wrong_scope');
      expectStatus(await send(method, path, tokens.otherContainer), 401, `${what} with another town's container token`, 'wrong_scope');
      expectStatus(await send(method, path, h.token), 401, `${what} with a user token`, 'wrong_scope');
      expectStatus(await send(method, path, tokens.other), 403, `${what} with another agent's token`);
      expectStatus(await send(method, path, tokens.stranger), 403, `${what} with another town's agent token`);
      const deadWho = dead[roles?.[0] ?? 'polecat'];
      expectStatus(await send(method, `${agentPath(deadWho)}/${route}`, await agentToken(deadWho)), 404, `${what} as a dead agent`);
      for (const role of ROLES) {
        if (roles === undefined || roles.includes(role)) continue;
        expectStatus(await send(method, `${agentPath(agents[role])}/${route}`, await agentToken(agents[role])), 403, `${what} as a ${role}`);
      }
    }
    // About a hundred requests: more than the default 5 s on a loaded machine.
  }, 60_000);
});

describe('mayor tool routes: auth matrix', () => {
  it("only the current mayor's token works: no token / container / user 401; polecat, refinery, another town's, replaced and deleted mayors 403", async () => {
    const h = await harness();
    const elsewhere = await harness();
    const mayor = await seededMayor(h);
    const polecat = await seededPolecat(h, 'Maple');
    const refinery: AgentIdentity = { townId: h.townId, rigId: h.rigId, agentId: await seedAgent(h.townId, { role: 'refinery', rigId: h.rigId }), role: 'refinery', dispatchId: null };
    const foreignMayor = await seededMayor(elsewhere);
    // A mayor token for this town that does not name its mayor (e.g. minted for an agent replaced since).
    const formerMayor: AgentIdentity = { ...mayor, agentId: crypto.randomUUID() };
    const denied: [string, string][] = [
      ['polecat', await agentToken(polecat)],
      ['refinery', await agentToken(refinery)],
      ["another town's mayor", await agentToken(foreignMayor)],
      ['a former mayor', await agentToken(formerMayor)],
      ['the mayor with a rig id in its token', await agentToken({ ...mayor, rigId: h.rigId })],
    ];
    const unauthenticated: [string, string | undefined, string][] = [
      ['no token', undefined, 'missing'],
      ['the container token', await containerToken(h.townId), 'wrong_scope'],
      ["another town's container token", await containerToken(elsewhere.townId), 'wrong_scope'],
      ['a user token', h.token, 'wrong_scope'],
    ];
    for (const { method, route } of MAYOR_ROUTES) {
      const path = `/api/towns/${h.townId}/mayor/tools/${route.replaceAll(':id', crypto.randomUUID())}`;
      const what = `${method} M/${route}`;
      for (const [who, token, reason] of unauthenticated) expectStatus(await send(method, path, token), 401, `${what} with ${who}`, reason);
      for (const [who, token] of denied) expectStatus(await send(method, path, token), 403, `${what} as ${who}`);
    }
    // The current mayor gets past the credential on a read.
    expectStatus(await call('GET', `/api/towns/${h.townId}/mayor/tools/rigs`, { token: await agentToken(mayor) }), 200, 'GET M/rigs as the mayor');
    // 160 requests: more than the default 5 s on a loaded machine.
  }, 60_000);

  it('a replaced mayor and a deleted mayor are refused (403); the replacement works', async () => {
    const h = await harness();
    const first = await seededMayor(h);
    const firstToken = await agentToken(first);
    const rigs = `/api/towns/${h.townId}/mayor/tools/rigs`;
    expectStatus(await call('GET', rigs, { token: firstToken }), 200, 'the mayor');
    expectStatus(await call('DELETE', `/api/towns/${h.townId}/agents/${first.agentId}`, { token: h.token }), 200, 'the user deletes the mayor');
    expectStatus(await call('GET', rigs, { token: firstToken }), 403, 'a deleted mayor');
    const second = await seededMayor(h);
    expectStatus(await call('GET', rigs, { token: firstToken }), 403, 'a replaced mayor');
    expectStatus(await call('GET', rigs, { token: await agentToken(second) }), 200, 'the new mayor');
  });

  it('a deleted town is a 404 for its mayor', async () => {
    const h = await harness();
    const mayor = await seededMayor(h);
    const token = await agentToken(mayor);
    expectStatus(await call('DELETE', `/api/towns/${h.townId}`, { token: h.token }), 200, 'town deleted');
    expectStatus(await call('GET', `/api/towns/${h.townId}/mayor/tools/rigs`, { token }), 404, 'M after the town is gone');
  });
});
