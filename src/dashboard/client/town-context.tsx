/**
 * What every page of one town shares: its id, its API, its detail (`GET T`, refreshed by
 * snapshots) and its rigs (`GET T/rigs`), so rig names resolve everywhere without refetching.
 */
import type { Child } from 'hono/jsx';
import { createContext, useContext } from 'hono/jsx/dom';
import type { Rig, TownDetail } from '../../protocol/api.ts';
import { townApi, type TownApi } from './endpoints.ts';
import type { Loaded } from './hooks.ts';
import { useLiveResource } from './live/use-live-resource.ts';

export interface TownScope {
  townId: string;
  api: TownApi;
  town: Loaded<TownDetail>;
  rigs: Loaded<Rig[]>;
}

const TownContext = createContext<TownScope | null>(null);

/** Loads the town and its rigs for `children` (inside a `LiveProvider`). */
export function TownProvider(props: { townId: string; children?: Child }) {
  const api = townApi(props.townId);
  const town = useLiveResource(() => api.get(), [props.townId], (_current, frame) => (frame.type === 'bead' || frame.type === 'agent' ? 'reload' : null));
  const rigs = useLiveResource(async () => (await api.rigs()).items, [props.townId]);
  return <TownContext.Provider value={{ townId: props.townId, api, town, rigs }}>{props.children}</TownContext.Provider>;
}

/** The current town's scope; only valid under `TownProvider`. */
export function useTown(): TownScope {
  const scope = useContext(TownContext);
  if (scope === null) throw new Error('useTown() outside a TownProvider');
  return scope;
}

/** The name of rig `rigId` ("—" for none, the id prefix while unknown). */
export function rigName(rigs: readonly Rig[] | null, rigId: string | null): string {
  if (rigId === null) return '—';
  return rigs?.find((r) => r.id === rigId)?.name ?? rigId.slice(0, 8);
}
