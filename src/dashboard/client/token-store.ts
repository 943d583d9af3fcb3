/**
 * The signed-in user's bearer token, kept in this browser's localStorage (same origin only; the
 * worker sets no cookies, `http-api.md` §2 rule 9). Listeners hear sign-in and sign-out,
 * including a sign-out forced by a 401 and changes made in another tab.
 */

const KEY = 'gastown.token';
/** Set when the API refused the stored token, so the sign-in page can say why. */
const REASON_KEY = 'gastown.signed_out_reason';

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function notify(token: string | null): void {
  for (const listener of listeners) listener(token);
}

window.addEventListener('storage', (e) => {
  if (e.key === KEY) notify(e.newValue);
});

/** The stored token, or null when signed out. */
export function currentToken(): string | null {
  return window.localStorage.getItem(KEY);
}

/** Stores `token` (signing in). */
export function signIn(token: string): void {
  window.localStorage.setItem(KEY, token);
  window.sessionStorage.removeItem(REASON_KEY);
  notify(token);
}

/** Forgets the token; `reason` is shown on the sign-in page. */
export function signOut(reason: string | null = null): void {
  window.localStorage.removeItem(KEY);
  if (reason === null) window.sessionStorage.removeItem(REASON_KEY);
  else window.sessionStorage.setItem(REASON_KEY, reason);
  notify(null);
}

/** Why the user was signed out, if the API refused the token. */
export function signedOutReason(): string | null {
  return window.sessionStorage.getItem(REASON_KEY);
}

/** Calls `listener` on every sign-in and sign-out; returns the unsubscribe function. */
export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
