/**
 * A session transcript (`transcript.ts`): user and assistant messages as bubbles, tool calls as
 * compact rows with their state, errors in red. Stays scrolled to the newest entry unless the
 * reader scrolled up.
 */
import { useEffect, useRef } from 'hono/jsx/dom';
import type { TranscriptEntry } from '../transcript.ts';
import { RelTime } from './rel-time.tsx';

const TOOL_MARK: Readonly<Record<string, string>> = { pending: '…', running: '⟳', completed: '✓', error: '✗' };

function Entry(props: { entry: TranscriptEntry }) {
  const e = props.entry;
  switch (e.kind) {
    case 'message':
      return (
        <li class={`msg msg-${e.role}`} data-role={e.role}>
          <div class="bubble">{e.text}</div>
          <span class="muted small">
            {e.role === 'user' ? 'you' : 'agent'} · <RelTime iso={e.at} />
          </span>
        </li>
      );
    case 'tool':
      return (
        <li class={`tool tool-${e.status}`} data-tool={e.tool}>
          <span class="tool-mark" aria-label={e.status}>
            {TOOL_MARK[e.status] ?? ''}
          </span>
          <span class="tool-name mono">{e.tool}</span>
          <span class="tool-detail ellipsis" title={e.input}>
            {e.title !== '' ? e.title : e.input}
          </span>
          {e.output === '' ? null : (
            <span class="tool-output ellipsis muted" title={e.output}>
              {e.output}
            </span>
          )}
        </li>
      );
    case 'error':
      return (
        <li class="session-error" role="alert">
          {e.text}
        </li>
      );
  }
}

export function TranscriptView(props: { entries: readonly TranscriptEntry[]; empty: string }) {
  const list = useRef<HTMLOListElement | null>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = list.current;
    if (el !== null && stick.current) el.scrollTop = el.scrollHeight;
  }, [props.entries.length, props.entries[props.entries.length - 1]]);
  if (props.entries.length === 0) return <p class="muted transcript-empty">{props.empty}</p>;
  return (
    <ol
      class="transcript"
      ref={list}
      aria-live="polite"
      onScroll={() => {
        const el = list.current;
        if (el !== null) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {props.entries.map((entry) => (
        <Entry key={entry.id} entry={entry} />
      ))}
    </ol>
  );
}
