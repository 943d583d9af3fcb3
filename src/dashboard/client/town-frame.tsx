/**
 * The frame of every town page: the town bar (name, tabs, live status, chat toggle), the page,
 * and the mayor chat beside it when open. Opens the town's live socket, loads the town, and
 * follows the mayor's `ui_action` frames (open a bead, convoy or agent; navigate).
 */
import { useState } from 'hono/jsx/dom';
import type { PageRoute } from '../pages.ts';
import { routeForUiAction } from '../pages.ts';
import { ApiError } from './api-error.ts';
import { MayorChat } from './chat/mayor-chat.tsx';
import { ErrorBanner } from './components/feedback.tsx';
import { LiveProvider, useLiveFrames } from './live/live-context.tsx';
import { LiveIndicator } from './live/live-indicator.tsx';
import { AgentPage } from './pages/agent.tsx';
import { BeadPage } from './pages/bead.tsx';
import { ConvoyPage } from './pages/convoy.tsx';
import { OverviewPage } from './pages/overview/overview.tsx';
import { RigPage } from './pages/rig.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { Link, navigate } from './router.tsx';
import { TownProvider, useTown } from './town-context.tsx';

/** A page inside a town. */
export type TownRoute = Exclude<PageRoute, { page: 'towns' } | { page: 'sign-in' }>;

const CHAT_KEY = 'gastown.chat_open';

function TownPage(props: { route: TownRoute }) {
  const r = props.route;
  switch (r.page) {
    case 'overview':
      return <OverviewPage />;
    case 'mayor':
      return <MayorChat route={r} />;
    case 'settings':
      return <SettingsPage />;
    case 'rig':
      return <RigPage rigId={r.rigId} />;
    case 'bead':
      return <BeadPage beadId={r.beadId} />;
    case 'agent':
      return <AgentPage agentId={r.agentId} />;
    case 'convoy':
      return <ConvoyPage convoyId={r.convoyId} />;
  }
}

function Tab(props: { to: PageRoute; active: boolean; label: string }) {
  return (
    <span class={props.active ? 'tab active' : 'tab'} aria-current={props.active ? 'page' : undefined}>
      <Link to={props.to}>{props.label}</Link>
    </span>
  );
}

function TownLayout(props: { route: TownRoute }) {
  const { townId, town } = useTown();
  const [chatOpen, setChatOpen] = useState(window.sessionStorage.getItem(CHAT_KEY) === '1');
  const toggleChat = (open: boolean): void => {
    window.sessionStorage.setItem(CHAT_KEY, open ? '1' : '0');
    setChatOpen(open);
  };
  useLiveFrames((frame) => {
    if (frame.type === 'ui_action') navigate(routeForUiAction(townId, frame.action));
  });
  const page = props.route.page;
  if (town.data === null && town.error instanceof ApiError && (town.error.status === 404 || town.error.status === 403)) {
    return (
      <main class="page narrow">
        <h1>Town not available</h1>
        <ErrorBanner error={town.error} />
        <p>
          <Link to={{ page: 'towns' }}>Back to your towns</Link>
        </p>
      </main>
    );
  }
  const showChat = chatOpen && page !== 'mayor';
  return (
    <>
      <nav class="townbar" aria-label="Town">
        <span class="town-name">{town.data?.name ?? '…'}</span>
        <Tab to={{ page: 'overview', townId, section: null }} active={page === 'overview'} label="Overview" />
        <Tab to={{ page: 'mayor', townId }} active={page === 'mayor'} label="Mayor" />
        <Tab to={{ page: 'settings', townId }} active={page === 'settings'} label="Settings" />
        <span class="spacer"></span>
        <LiveIndicator />
        {page === 'mayor' ? null : (
          <button type="button" class={chatOpen ? 'active' : ''} aria-pressed={chatOpen} onClick={() => toggleChat(!chatOpen)}>
            Chat
          </button>
        )}
      </nav>
      <div class={showChat ? 'town-layout with-chat' : 'town-layout'}>
        <main class="page">
          <ErrorBanner error={town.data === null ? town.error : null} onRetry={town.reload} />
          <TownPage route={props.route} />
        </main>
        {showChat ? (
          <aside class="chat-drawer">
            <MayorChat route={props.route} onClose={() => toggleChat(false)} />
          </aside>
        ) : null}
      </div>
    </>
  );
}

export function TownFrame(props: { route: TownRoute }) {
  return (
    <LiveProvider townId={props.route.townId}>
      <TownProvider townId={props.route.townId}>
        <TownLayout route={props.route} />
      </TownProvider>
    </LiveProvider>
  );
}
