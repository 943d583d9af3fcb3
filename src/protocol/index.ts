/**
 * Every wire contract in one import: `import { BeadCreate, StartAgentRequest } from '…/protocol/index.ts'`.
 * Used by the worker, the control server, the plugin and the dashboard; export names are unique
 * across modules, so a flat re-export is safe (the type checker refuses a clash).
 */
export * from './common.ts';
export * from './api.ts';
export * from './config.ts';
export * from './agent.ts';
export * from './container.ts';
export * from './control.ts';
export * from './live.ts';
export * from './events.ts';
export * from './debug.ts';
export * from './scm.ts';
export * from './tools.ts';
