/**
 * Fixed settings of the gastown plugin (`tools.md` §2, §3). The plugin runs inside each
 * `kilo serve` child, apart from the control server's `timings`, so its few limits live here;
 * tests pass their own values to `gastownHooks`.
 */

/** The plugin's limits. */
export interface PluginSettings {
  /** Upper bound of one HTTP call to the worker (`tools.md` §3: 30 s). */
  callTimeoutMs: number;
  /** Older dashboard snapshots listed as one-line breadcrumbs (`tools.md` §2: up to 4). */
  dashboardBreadcrumbs: number;
}

/** The production settings. */
export const PLUGIN_SETTINGS: Readonly<PluginSettings> = Object.freeze({ callTimeoutMs: 30_000, dashboardBreadcrumbs: 4 });
