/**
 * TownContainerDO: the town's Cloudflare Container (`container.md` §11), built from
 * `container/Dockerfile`. Its constructor throws when containers are disabled, which is why
 * local mode binds `LocalTownContainerDO` instead. Lifecycle and transport arrive with dispatch.
 */
import { Container } from '@cloudflare/containers';
import type { Env } from '../env.ts';

export class TownContainerDO extends Container<Env> {
  override defaultPort = 8080;
  override sleepAfter = '10m';
}
