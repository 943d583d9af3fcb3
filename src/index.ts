/**
 * Worker entry: the Hono app as the fetch handler, and every Durable Object class the
 * configuration binds (`wrangler.jsonc`).
 */
import { createApp } from './api/app.ts';

const { app } = createApp();

export default app;
export { TownDO } from './town/town-do.ts';
export { UserDO } from './user/user-do.ts';
export { TownContainerDO } from './container/town-container-do.ts';
export { LocalTownContainerDO } from './container/local-town-container-do.ts';
