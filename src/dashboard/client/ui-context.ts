/**
 * The `ui_context` the mayor chat sends with each message (`http-api.md` §4.2, ≤ 10 240 chars):
 * which page the user is looking at, its ids and a label, as compact JSON. Pure.
 */
import { pagePath, type PageRoute } from '../pages.ts';

/** The largest `ui_context` the API accepts. */
export const MAX_UI_CONTEXT = 10_240;

/** The context of `route`; `label` names what is shown (a bead title, an agent name…). */
export function uiContextFor(route: PageRoute, label: string | null): string {
  const { page, ...ids } = route;
  const context: Record<string, string | null> = { page, path: pagePath(route) };
  for (const [key, value] of Object.entries(ids)) {
    context[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  if (label !== null && label !== '') context.label = label.slice(0, 500);
  const json = JSON.stringify({ dashboard: context });
  return json.length <= MAX_UI_CONTEXT ? json : JSON.stringify({ dashboard: { page, path: pagePath(route) } });
}
