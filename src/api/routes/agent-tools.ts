/**
 * The rig tools' synchronous routes (`http-api.md` §4.3, `tools.md` §4; P =
 * `/api/towns/:townId/rigs/:rigId/agents/:agentId`): prime, mail (send, check), nudges (send, the
 * pending list the container pulls, the delivery ack), escalations, request-changes, checkpoint
 * and status message. Each is a command committed before the answer; the agent token is bound to
 * the path by the guard (a dead agent is a 404 there). The mayor uses its own path
 * (`:rigId = :townId`) for mail, mail check and nudges.
 */
import type { Context } from 'hono';
import { Checkpoint, EscalationCreate, MailSend, NudgeCreate, NudgeDelivered, RequestChanges, StatusMessage } from '../../protocol/agent.ts';
import { unwrap } from '../../town/rpc-result.ts';
import type { AppEnv } from '../app-env.ts';
import { pathId, type RouteTable } from '../route.ts';
import { created, ok } from '../respond.ts';
import { townStub } from '../town-stub.ts';

const P = '/api/towns/:townId/rigs/:rigId/agents/:agentId';

/** The town and the path agent of a P route. */
function target(c: Context<AppEnv>) {
  return { town: townStub(c.env, pathId(c, 'townId')), agentId: pathId(c, 'agentId') };
}

export function agentToolRoutes(r: RouteTable): void {
  r.route('POST', `${P}/prime`, { auth: 'agent', roles: ['polecat', 'refinery'] }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.primeAgent(agentId)));
  });

  r.route('POST', `${P}/mail`, { auth: 'agent', body: MailSend }, async (c) => {
    const { town, agentId } = target(c);
    return created(c, unwrap(await town.sendMail(agentId, c.req.valid('json'))));
  });
  r.route('POST', `${P}/mail/check`, { auth: 'agent' }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.checkMail(agentId)));
  });

  r.route('POST', `${P}/nudges`, { auth: 'agent', body: NudgeCreate }, async (c) => {
    const { town, agentId } = target(c);
    return created(c, unwrap(await town.sendNudge(agentId, c.req.valid('json'))));
  });
  r.route('GET', `${P}/pending-nudges`, { auth: 'agent' }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.pendingNudges(agentId)));
  });
  r.route('POST', `${P}/nudge-delivered`, { auth: 'agent', body: NudgeDelivered }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.nudgeDelivered(agentId, c.req.valid('json').nudge_id)));
  });

  r.route('POST', `${P}/escalations`, { auth: 'agent', body: EscalationCreate }, async (c) => {
    const { town, agentId } = target(c);
    return created(c, unwrap(await town.raiseAgentEscalation(agentId, c.req.valid('json'))));
  });
  r.route('POST', `${P}/request-changes`, { auth: 'agent', roles: ['refinery'], body: RequestChanges }, async (c) => {
    const { town, agentId } = target(c);
    return created(c, unwrap(await town.requestChanges(agentId, c.req.valid('json'))));
  });

  r.route('POST', `${P}/checkpoint`, { auth: 'agent', roles: ['polecat', 'refinery'], body: Checkpoint }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.saveCheckpoint(agentId, c.req.valid('json').data)));
  });
  r.route('POST', `${P}/status-message`, { auth: 'agent', body: StatusMessage }, async (c) => {
    const { town, agentId } = target(c);
    return ok(c, unwrap(await town.setStatusMessage(agentId, c.req.valid('json').message)));
  });
}
