/**
 * The HTML shell every dashboard page is served as (Hono JSX, rendered by the worker). It holds
 * no town data: the bundled client (`client/main.tsx`) reads the address, calls the API with the
 * stored token and renders into `#app`.
 */
import type { FC } from 'hono/jsx';

/** Where the worker serves the client bundle (`assets.ts`). */
export const CLIENT_SCRIPT = '/dashboard/app.js';
export const CLIENT_STYLES = '/dashboard/app.css';

/** The page document for `title`; `notFound` renders a plain "no such page" body instead. */
export const Shell: FC<{ title: string; notFound?: boolean }> = ({ title, notFound }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <title>{`${title} · Gastown`}</title>
      <link rel="stylesheet" href={CLIENT_STYLES} />
      {notFound === true ? null : <script type="module" src={CLIENT_SCRIPT}></script>}
    </head>
    <body>
      <div id="app">
        {notFound === true ? (
          <main class="page narrow">
            <h1>Page not found</h1>
            <p>
              There is no dashboard page at this address. <a href="/">Go to your towns</a>.
            </p>
          </main>
        ) : (
          <main class="page narrow">
            <p class="muted">Loading the dashboard…</p>
            <noscript>The Gastown dashboard needs JavaScript.</noscript>
          </main>
        )}
      </div>
    </body>
  </html>
);
