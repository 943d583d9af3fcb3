/**
 * Client-side navigation between dashboard pages without reloads: `navigate()` pushes the
 * address (`pages.ts`) and re-renders, `useRoute()` follows it (including back/forward), and
 * `Link` is an ordinary anchor that navigates in place on a plain click.
 */
import type { Child } from 'hono/jsx';
import { useEffect, useState } from 'hono/jsx/dom';
import { pagePath, pageTitle, parsePagePath, type PageRoute } from '../pages.ts';

const NAVIGATED = 'gastown:navigated';

/** The page at the browser's current address, or null for an unknown one. */
export function currentRoute(): PageRoute | null {
  return parsePagePath(window.location.pathname, window.location.hash);
}

/** Goes to `route` (a page or a path); `replace` keeps the history entry. */
export function navigate(route: PageRoute | string, opts: { replace?: boolean } = {}): void {
  const path = typeof route === 'string' ? route : pagePath(route);
  if (path === window.location.pathname + window.location.hash) return;
  if (opts.replace === true) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** Re-renders on every navigation; sets the document title and scrolls to an overview section. */
export function useRoute(): PageRoute | null {
  const [route, setRoute] = useState<PageRoute | null>(currentRoute());
  useEffect(() => {
    const update = (): void => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  useEffect(() => {
    document.title = `${route === null ? 'Not found' : pageTitle(route.page)} · Gastown`;
    const hash = window.location.hash;
    if (hash.length > 1) document.getElementById(hash.slice(1))?.scrollIntoView({ block: 'start' });
    else window.scrollTo(0, 0);
  }, [route === null ? '' : pagePath(route)]);
  return route;
}

function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

/** An anchor to `to` that navigates in place (new tabs and modified clicks work as usual). */
export function Link(props: { to: PageRoute; class?: string; title?: string; children?: Child }) {
  const href = pagePath(props.to);
  return (
    <a
      href={href}
      class={props.class}
      title={props.title}
      onClick={(e: MouseEvent) => {
        if (!isPlainClick(e)) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
