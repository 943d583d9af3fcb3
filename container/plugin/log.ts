/**
 * The plugin's log (`tools.md` §3): one JSON line on stderr (kilo keeps a child's output) and, best
 * effort, kilo's app log under service `gastown-plugin`. Callers never pass tokens; messages
 * are `domain.verb` names.
 */
import type { PluginInput } from '@kilocode/plugin';

export type LogLevel = 'info' | 'warn' | 'error';

/** The log event names the plugin writes. */
export type PluginLogEvent = 'plugin.loaded' | 'plugin.misconfigured' | 'prime.failed' | 'token.renewed' | 'tool.failed' | 'dashboard.unreadable';

/** Writes one structured line. */
export type PluginLog = (level: LogLevel, msg: PluginLogEvent, fields: Record<string, unknown>) => void;

/** The service name on every line. */
export const LOG_SERVICE = 'gastown-plugin';

/** A log bound to kilo's client when there is one (tests and the gate pass `null`). */
export function createPluginLog(input: PluginInput | null): PluginLog {
  return (level, msg, fields) => {
    process.stderr.write(`${JSON.stringify({ level, msg, service: LOG_SERVICE, at: new Date().toISOString(), ...fields })}\n`);
    void input?.client.app
      .log({ body: { service: LOG_SERVICE, level, message: msg, extra: fields } })
      .catch(() => undefined);
  };
}
