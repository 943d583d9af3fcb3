/**
 * Town and rig configuration (`domain.md` §8): defaults, masking, merge patch, validation and a
 * rig's effective values. The entry point the TownDO, routes and container serializer import;
 * the wire schemas themselves are in `src/protocol/config.ts`.
 */
export { DEFAULT_TOWN_CONFIG } from './defaults.ts';
export { SECRET_PATHS, isMaskedValue, isSecretPath, maskSecret, maskTownConfig } from './mask.ts';
export { applyRigConfigPatch, applyTownConfigPatch } from './merge-patch.ts';
export { issuesFromZod, validateConfigForEnvironment, validateRigConfig, type ConfigIssue } from './validate.ts';
export { effectiveRigConfig, type EffectiveRigConfig } from './effective.ts';
