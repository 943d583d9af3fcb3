/**
 * The browser's WebSocket behind `LiveConnection`'s small socket interface.
 */
import type { SocketHandlers, SocketLike } from './live-connection.ts';

export function openBrowserSocket(url: string, handlers: SocketHandlers): SocketLike {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (e: MessageEvent) => handlers.onMessage(e.data);
  ws.onclose = (e: CloseEvent) => handlers.onClose(e.code);
  return {
    isOpen: () => ws.readyState === WebSocket.OPEN,
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
  };
}
