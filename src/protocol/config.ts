/**
 * Wire schemas of town and rig configuration (`domain.md` §8, `http-api.md` §3): the full
 * `TownConfig` as stored and returned, its merge patch, and the rig overrides with theirs.
 * Imported by the worker (config module, routes), the dashboard and the container.
 * Every object is strict; environment-dependent rules live in `src/town/config/validate.ts`.
 */
import { z } from 'zod';
import { MergeMode } from './common.ts';

/** Env var name prefixes an agent's custom `env_vars` may not use (`container.md` §6 item 6). */
export const RESERVED_ENV_PREFIXES: readonly string[] = Object.freeze([
  'GASTOWN_',
  'KILO_',
  'KILOCODE_',
  'OPENCODE_',
  'XDG_',
  'GIT_AUTHOR_',
  'GIT_COMMITTER_',
  'GIT_CONFIG_',
]);

/** Exact env var names custom `env_vars` may not set (`container.md` §6 item 6). */
export const RESERVED_ENV_NAMES: readonly string[] = Object.freeze([
  'HOME',
  'PATH',
  'NODE_OPTIONS',
  'GIT_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_CLI_PAT',
  'GITLAB_TOKEN',
  'GITLAB_HOST',
  'GIT_TERMINAL_PROMPT',
]);

/** True when `name` is set by the container itself and so refused as a custom env var. */
export function isReservedEnvName(name: string): boolean {
  return RESERVED_ENV_NAMES.includes(name) || RESERVED_ENV_PREFIXES.some((p) => name.startsWith(p));
}

// The loopback hosts `src/town/scm` accepts for development http URLs.
const LOOPBACK_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])$/;
// The WHATWG parser silently strips tabs, newlines and edge spaces, so refuse them up front.
const UNSAFE_CHARS = /[\s\u0000-\u001f\u007f]/;

/** https with no userinfo, query or fragment; plain http only on a loopback host (dev use). */
function isAcceptableUrl(s: string): boolean {
  if (UNSAFE_CHARS.test(s)) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  if (u.hostname === '' || u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.test(u.hostname));
}

/** A `provider/model` name such as `anthropic/claude-sonnet-4.6`. */
export const ModelName = z
  .string()
  .max(200)
  .regex(/^[^\s/]+\/\S+$/, 'must be provider/model, e.g. anthropic/claude-sonnet-4.6');

/** A base URL the worker or container calls: https, or `http://` on loopback (development only). */
export const ConfigUrl = z
  .string()
  .max(2048)
  .refine(isAcceptableUrl, 'must be an https URL without credentials, query or fragment (http only on 127.0.0.1/localhost in development)');

/** A secret value (token, key); masked on every read (`src/town/config/mask.ts`). */
export const SecretValue = z.string().min(1).max(4096);

export const MergeStrategy = z.enum(['direct', 'pr']);
export type MergeStrategy = z.infer<typeof MergeStrategy>;
export const ReviewMode = z.enum(['rework', 'comments']);
export type ReviewMode = z.infer<typeof ReviewMode>;

const MaxPolecats = z.number().int().min(1).max(50);
const MaxDispatchAttempts = z.number().int().min(1).max(10);
/** Minutes before auto-merge; null = never auto-merge. */
const AutoMergeDelay = z.number().int().min(0).max(1440).nullable();
/** Refinery gates: shell commands run before a merge. */
const Gates = z.array(z.string().min(1).max(500)).max(10);
const Instructions = z.string().max(2000);
/** Rig push flags: shape only here; the allow-list is `validatePushFlags` (`scm.md` §3). */
const PushFlags = z.array(z.string().min(1).max(100)).max(20);
const ProviderId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must match ^[a-z0-9][a-z0-9-]{0,31}$')
  .refine((s) => s !== 'local', 'the id local is reserved for the local model');
const OrganizationId = z.string().min(1).max(200);
const IntegrationId = z.string().min(1).max(200);
const AuthorName = z.string().min(1).max(100);
const AuthorEmail = z.email().max(254);

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_ENV_VARS = 50;

/** Key rules of `env_vars` (pattern, length, reserved names), as issues on the offending key. */
function checkEnvKeys(rec: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const keys = Object.keys(rec);
  if (keys.length > MAX_ENV_VARS) {
    ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_ENV_VARS} env vars` });
  }
  for (const key of keys) {
    if (!ENV_NAME.test(key) || key.length > 128) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'env var names must match ^[A-Z_][A-Z0-9_]*$ (≤ 128 chars)' });
    } else if (isReservedEnvName(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} is reserved by the container` });
    }
  }
}

const EnvValue = z.string().max(4096);
const EnvVars = z.record(z.string(), EnvValue).superRefine(checkEnvKeys);

export const KiloProvider = z.strictObject({
  kind: z.literal('kilo'),
  token: SecretValue,
  organization_id: OrganizationId.optional(),
});
export const OpenAiCompatibleProvider = z.strictObject({
  kind: z.literal('openai-compatible'),
  id: ProviderId,
  base_url: ConfigUrl,
  api_key: SecretValue,
});
/** The model provider; null = the local model where allowed (`container.md` §6). */
export const ProviderConfig = z.discriminatedUnion('kind', [KiloProvider, OpenAiCompatibleProvider]);
export type ProviderConfig = z.infer<typeof ProviderConfig>;

export const RoleModels = z.strictObject({
  mayor: ModelName.nullable(),
  refinery: ModelName.nullable(),
  polecat: ModelName.nullable(),
});

export const RefineryConfig = z.strictObject({
  code_review: z.boolean(),
  auto_merge: z.boolean(),
  auto_resolve_pr_feedback: z.boolean(),
  auto_resolve_merge_conflicts: z.boolean(),
  review_mode: ReviewMode,
  auto_merge_delay_minutes: AutoMergeDelay,
  gates: Gates,
});
export type RefineryConfig = z.infer<typeof RefineryConfig>;

export const AlarmConfig = z.strictObject({
  active_interval_seconds: z.number().int().min(2).max(60),
  idle_interval_seconds: z.number().int().min(60).max(3600),
});

export const CustomInstructions = z.strictObject({
  mayor: Instructions,
  polecat: Instructions,
  refinery: Instructions,
});

export const GitAuth = z.strictObject({
  github_token: SecretValue.optional(),
  gitlab_token: SecretValue.optional(),
  gitlab_instance_url: ConfigUrl.optional(),
  platform_integration_id: IntegrationId.optional(),
});

/**
 * The full town configuration, every field present (new towns get `DEFAULT_TOWN_CONFIG`).
 * `merge_strategy: null` means "derive per rig from its git_url" (`scm.md` §1).
 */
export const TownConfig = z.strictObject({
  default_model: ModelName,
  small_model: ModelName,
  role_models: RoleModels,
  max_polecats_per_rig: MaxPolecats,
  max_dispatch_attempts: MaxDispatchAttempts,
  merge_strategy: MergeStrategy.nullable(),
  refinery: RefineryConfig,
  staged_convoys_default: z.boolean(),
  convoy_merge_mode: MergeMode,
  alarm: AlarmConfig,
  custom_instructions: CustomInstructions,
  provider: ProviderConfig.nullable(),
  env_vars: EnvVars,
  git_auth: GitAuth,
  github_cli_pat: SecretValue.nullable(),
  github_api_url: ConfigUrl.nullable(),
  git_author_name: AuthorName.nullable(),
  git_author_email: AuthorEmail.nullable(),
  disable_ai_coauthor: z.boolean(),
});
export type TownConfig = z.infer<typeof TownConfig>;

/**
 * A PATCH of the town config (JSON merge patch): every field optional; `null` resets it to its
 * default; objects merge, arrays replace. `provider` carries the keys of both kinds here: the
 * merged result is checked against `ProviderConfig`. A masked secret keeps the stored one.
 */
export const TownConfigPatch = z.strictObject({
  default_model: ModelName.nullish(),
  small_model: ModelName.nullish(),
  role_models: z
    .strictObject({ mayor: ModelName.nullish(), refinery: ModelName.nullish(), polecat: ModelName.nullish() })
    .nullish(),
  max_polecats_per_rig: MaxPolecats.nullish(),
  max_dispatch_attempts: MaxDispatchAttempts.nullish(),
  merge_strategy: MergeStrategy.nullish(),
  refinery: z
    .strictObject({
      code_review: z.boolean().nullish(),
      auto_merge: z.boolean().nullish(),
      auto_resolve_pr_feedback: z.boolean().nullish(),
      auto_resolve_merge_conflicts: z.boolean().nullish(),
      review_mode: ReviewMode.nullish(),
      auto_merge_delay_minutes: AutoMergeDelay.optional(),
      gates: Gates.nullish(),
    })
    .nullish(),
  staged_convoys_default: z.boolean().nullish(),
  convoy_merge_mode: MergeMode.nullish(),
  alarm: z
    .strictObject({
      active_interval_seconds: AlarmConfig.shape.active_interval_seconds.nullish(),
      idle_interval_seconds: AlarmConfig.shape.idle_interval_seconds.nullish(),
    })
    .nullish(),
  custom_instructions: z
    .strictObject({ mayor: Instructions.nullish(), polecat: Instructions.nullish(), refinery: Instructions.nullish() })
    .nullish(),
  provider: z
    .strictObject({
      kind: z.enum(['kilo', 'openai-compatible']).nullish(),
      token: SecretValue.nullish(),
      organization_id: OrganizationId.nullish(),
      id: ProviderId.nullish(),
      base_url: ConfigUrl.nullish(),
      api_key: SecretValue.nullish(),
    })
    .nullish(),
  env_vars: z.record(z.string(), EnvValue.nullable()).superRefine(checkEnvKeys).nullish(),
  git_auth: z
    .strictObject({
      github_token: SecretValue.nullish(),
      gitlab_token: SecretValue.nullish(),
      gitlab_instance_url: ConfigUrl.nullish(),
      platform_integration_id: IntegrationId.nullish(),
    })
    .nullish(),
  github_cli_pat: SecretValue.nullish(),
  github_api_url: ConfigUrl.nullish(),
  git_author_name: AuthorName.nullish(),
  git_author_email: AuthorEmail.nullish(),
  disable_ai_coauthor: z.boolean().nullish(),
});
export type TownConfigPatch = z.infer<typeof TownConfigPatch>;

/**
 * A rig's overrides (`Rig.config`): the ¹ fields of `domain.md` §8 plus `git_push_flags`.
 * An absent key inherits from the town; `auto_merge_delay_minutes: null` = never auto-merge.
 */
export const RigConfig = z.strictObject({
  max_polecats_per_rig: MaxPolecats.optional(),
  max_dispatch_attempts: MaxDispatchAttempts.optional(),
  merge_strategy: MergeStrategy.optional(),
  refinery: z
    .strictObject({
      code_review: z.boolean().optional(),
      auto_merge: z.boolean().optional(),
      auto_resolve_pr_feedback: z.boolean().optional(),
      auto_resolve_merge_conflicts: z.boolean().optional(),
      review_mode: ReviewMode.optional(),
      auto_merge_delay_minutes: AutoMergeDelay.optional(),
      gates: Gates.optional(),
    })
    .optional(),
  convoy_merge_mode: MergeMode.optional(),
  custom_instructions: z.strictObject({ polecat: Instructions.optional(), refinery: Instructions.optional() }).optional(),
  git_push_flags: PushFlags.optional(),
});
export type RigConfig = z.infer<typeof RigConfig>;

/** A PATCH of a rig's overrides: `null` removes the override (the rig inherits again). */
export const RigConfigPatch = z.strictObject({
  max_polecats_per_rig: MaxPolecats.nullish(),
  max_dispatch_attempts: MaxDispatchAttempts.nullish(),
  merge_strategy: MergeStrategy.nullish(),
  refinery: z
    .strictObject({
      code_review: z.boolean().nullish(),
      auto_merge: z.boolean().nullish(),
      auto_resolve_pr_feedback: z.boolean().nullish(),
      auto_resolve_merge_conflicts: z.boolean().nullish(),
      review_mode: ReviewMode.nullish(),
      auto_merge_delay_minutes: AutoMergeDelay.optional(),
      gates: Gates.nullish(),
    })
    .nullish(),
  convoy_merge_mode: MergeMode.nullish(),
  custom_instructions: z.strictObject({ polecat: Instructions.nullish(), refinery: Instructions.nullish() }).nullish(),
  git_push_flags: PushFlags.nullish(),
});
export type RigConfigPatch = z.infer<typeof RigConfigPatch>;
