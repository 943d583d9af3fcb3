/**
 * What the current page shows, in a few words ("Bead: Fix the login form"), set by each page
 * and read by the mayor chat when it builds the `ui_context` of a message.
 */
import { useEffect } from 'hono/jsx/dom';

let label: string | null = null;

/** The label of the page on screen (null until a page sets one). */
export function currentPageLabel(): string | null {
  return label;
}

/** Sets the page label while the calling component is shown. */
export function usePageLabel(text: string | null): void {
  useEffect(() => {
    label = text;
    return () => {
      if (label === text) label = null;
    };
  }, [text]);
}
