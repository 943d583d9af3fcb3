/**
 * The mayor chat: the mayor's session as it streams (its replies and tool calls, from its agent
 * events), a composer that sends `POST T/mayor/message` with the current page as `ui_context`,
 * and the mayor's model selector. Shown as its own page or beside any town page.
 */
import { useState } from 'hono/jsx/dom';
import type { MayorStatus } from '../../../protocol/api.ts';
import type { PageRoute } from '../../pages.ts';
import { valueOf } from '../forms.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ErrorBanner } from '../components/feedback.tsx';
import { TranscriptView } from '../components/transcript-view.tsx';
import { useAgentEvents } from '../live/use-agent-events.ts';
import { useLiveResource } from '../live/use-live-resource.ts';
import { currentPageLabel } from '../page-label.ts';
import { buildTranscript, isBusy } from '../transcript.ts';
import { uiContextFor } from '../ui-context.ts';
import { useTown } from '../town-context.tsx';
import { ModelSelector } from './model-selector.tsx';
import { unechoed, type PendingMessage } from './pending-messages.ts';

export function MayorChat(props: { route: PageRoute; onClose?: () => void }) {
  const { townId, api } = useTown();
  const mayor = useLiveResource<MayorStatus>(
    () => api.mayor(),
    [townId],
    (current, frame) => (frame.type === 'agent' && frame.agent.role === 'mayor' && (current.agent_id === null || frame.agent.id === current.agent_id) ? 'reload' : null),
  );
  const agentId = mayor.data?.agent_id ?? null;
  const events = useAgentEvents(agentId);
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [error, setError] = useState<unknown>(null);
  const entries = buildTranscript(events.data ?? []);
  const waiting = unechoed(pending, entries);
  const busy = isBusy(events.data ?? []) || waiting.some((p) => p.state !== 'sending');

  const send = async (): Promise<void> => {
    const text = draft.trim();
    if (text === '') return;
    const id = `local-${Date.now()}`;
    setPending((p) => [...p, { id, text, at: new Date().toISOString(), state: 'sending' }]);
    setDraft('');
    setError(null);
    try {
      const result = await api.messageMayor(text, uiContextFor(props.route, currentPageLabel()));
      setPending((p) => p.map((m) => (m.id === id ? { ...m, state: result.delivery === 'sent' ? 'delivered' : 'starting' } : m)));
      mayor.reload();
    } catch (e) {
      setPending((p) => p.filter((m) => m.id !== id));
      setDraft(text);
      setError(e);
    }
  };

  const m = mayor.data;
  return (
    <section class="chat" aria-label="Mayor chat">
      <header class="chat-head">
        <h2>Mayor</h2>
        {m === null ? null : <StatusBadge status={m.status ?? (m.session === 'none' ? 'not started' : m.session)} />}
        {m?.status_message ? <span class="muted small ellipsis">{m.status_message}</span> : null}
        {props.onClose === undefined ? null : (
          <button type="button" class="link close" aria-label="Close the chat" onClick={props.onClose}>
            ✕
          </button>
        )}
      </header>
      <ModelSelector model={m?.model ?? null} onChanged={mayor.reload} />
      <ErrorBanner error={mayor.error ?? events.error} />
      <TranscriptView
        entries={entries}
        empty={agentId === null ? 'The mayor has not started yet. Say hello: your first message starts it.' : 'No messages yet. Ask the mayor to plan or change work in this town.'}
      />
      {waiting.length === 0 ? null : (
        <ul class="pending">
          {waiting.map((p) => (
            <li class="msg msg-user pending-msg" key={p.id}>
              <div class="bubble">{p.text}</div>
              <span class="muted small">{p.state === 'sending' ? 'sending…' : p.state === 'starting' ? 'starting the mayor…' : 'delivered'}</span>
            </li>
          ))}
        </ul>
      )}
      {busy ? <p class="muted small working">The mayor is working…</p> : null}
      <form
        class="composer"
        onSubmit={(e: Event) => {
          e.preventDefault();
          void send();
        }}
      >
        <label for="mayor-message" class="visually-hidden">
          Message to the mayor
        </label>
        <textarea
          id="mayor-message"
          name="mayor-message"
          rows={2}
          maxlength={32768}
          placeholder="Message the mayor (Enter sends, Shift+Enter for a new line)"
          value={draft}
          onInput={(e: Event) => setDraft(valueOf(e))}
          onKeyDown={(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        ></textarea>
        <button type="submit" class="primary" disabled={draft.trim() === ''}>
          Send
        </button>
      </form>
      <ErrorBanner error={error} />
    </section>
  );
}
