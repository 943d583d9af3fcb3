/**
 * Every API route the dashboard calls, one function each, named after `http-api.md` §4.1/§4.2
 * and typed by the shared schemas. Nothing else in the client builds an API path.
 */
import type { z } from 'zod';
import {
  ActivityEvent,
  Agent,
  AgentDetail,
  AgentEvent,
  BeadWithRelations,
  Bead,
  Convoy,
  ConvoyDetail,
  DevTokenResponse,
  Escalation,
  Health,
  LiveTicket,
  MayorMessageResult,
  MayorStatus,
  MergeQueue,
  Rig,
  RigDetail,
  Town,
  TownDetail,
  type BeadCreate,
  type BeadPatch,
  type RigCreate,
  type RigPatch,
} from '../../protocol/api.ts';
import { Deleted } from '../../protocol/common.ts';
import { TownConfig, type TownConfigPatch } from '../../protocol/config.ts';
import { call, callList, type Query } from './api-client.ts';

/** A page of a list or stream. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

function list<T extends z.ZodType>(path: string, item: T, query?: Query): Promise<Page<z.output<T>>> {
  return callList(path, item, query);
}

function one<T extends z.ZodType>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, schema: T, body?: unknown): Promise<z.output<T>> {
  return call(method, path, schema, { body });
}

/** Public and development routes (§4.1). */
export const publicApi = {
  health: () => call('GET', '/health', Health, { auth: false }),
  devToken: () => call('POST', '/api/dev/token', DevTokenResponse, { body: {}, auth: false }),
};

/** The caller's towns. */
export const townsApi = {
  list: () => list('/api/towns', Town, { limit: 500 }),
  create: (name: string) => one('POST', '/api/towns', Town, { name }),
};

/** The routes under T = `/api/towns/:townId`, bound to one town. */
export function townApi(townId: string) {
  const T = `/api/towns/${encodeURIComponent(townId)}`;
  return {
    get: () => one('GET', T, TownDetail),
    remove: () => one('DELETE', T, Deleted),
    config: () => one('GET', `${T}/config`, TownConfig),
    patchConfig: (patch: TownConfigPatch) => one('PATCH', `${T}/config`, TownConfig, patch),

    rigs: () => list(`${T}/rigs`, Rig, { limit: 500 }),
    rig: (rigId: string) => one('GET', `${T}/rigs/${rigId}`, RigDetail),
    createRig: (input: RigCreate) => one('POST', `${T}/rigs`, Rig, input),
    patchRig: (rigId: string, patch: RigPatch) => one('PATCH', `${T}/rigs/${rigId}`, Rig, patch),
    removeRig: (rigId: string) => one('DELETE', `${T}/rigs/${rigId}`, Deleted),

    beads: (query: Query) => list(`${T}/beads`, Bead, query),
    bead: (beadId: string) => one('GET', `${T}/beads/${beadId}`, BeadWithRelations),
    createBead: (input: BeadCreate) => one('POST', `${T}/beads`, Bead, input),
    patchBead: (beadId: string, patch: BeadPatch) => one('PATCH', `${T}/beads/${beadId}`, Bead, patch),
    removeBead: (beadId: string) => one('DELETE', `${T}/beads/${beadId}`, Deleted),

    convoys: (query: Query = {}) => list(`${T}/convoys`, Convoy, { limit: 100, ...query }),
    convoy: (convoyId: string) => one('GET', `${T}/convoys/${convoyId}`, ConvoyDetail),
    startConvoy: (convoyId: string) => one('POST', `${T}/convoys/${convoyId}/start`, ConvoyDetail),
    closeConvoy: (convoyId: string) => one('POST', `${T}/convoys/${convoyId}/close`, ConvoyDetail),

    agents: (query: Query = {}) => list(`${T}/agents`, Agent, { limit: 500, ...query }),
    agent: (agentId: string) => one('GET', `${T}/agents/${agentId}`, AgentDetail),
    resetAgent: (agentId: string) => one('POST', `${T}/agents/${agentId}/reset`, Agent),
    agentEvents: (agentId: string, query: Query) => list(`${T}/agents/${agentId}/events`, AgentEvent, query),

    mergeQueue: () => one('GET', `${T}/merge-queue`, MergeQueue),
    escalations: (query: Query) => list(`${T}/escalations`, Escalation, query),
    acknowledgeEscalation: (escalationId: string) => one('POST', `${T}/escalations/${escalationId}/acknowledge`, Escalation),
    activity: (query: Query) => list(`${T}/activity`, ActivityEvent, query),

    mayor: () => one('GET', `${T}/mayor`, MayorStatus),
    messageMayor: (message: string, uiContext: string) => one('POST', `${T}/mayor/message`, MayorMessageResult, { message, ui_context: uiContext }),

    liveTicket: () => one('POST', `${T}/live/ticket`, LiveTicket),
  };
}

export type TownApi = ReturnType<typeof townApi>;
