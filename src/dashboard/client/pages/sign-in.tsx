/**
 * Sign-in. In local mode (`/health` reports `development`) one click gets a dev token from
 * `POST /api/dev/token`; anywhere, a user token can be pasted. The token is checked with
 * `GET /api/towns` before it is kept.
 */
import { useState } from 'hono/jsx/dom';
import { ApiError } from '../api-error.ts';
import { useLoad } from '../hooks.ts';
import { publicApi, townsApi } from '../endpoints.ts';
import { ErrorBanner } from '../components/feedback.tsx';
import { navigate, currentRoute } from '../router.tsx';
import { signIn, signOut, signedOutReason } from '../token-store.ts';
import { valueOf } from '../forms.ts';

async function keep(token: string): Promise<void> {
  signIn(token);
  try {
    await townsApi.list();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signOut(null);
    throw e;
  }
  if (currentRoute()?.page === 'sign-in') navigate('/', { replace: true });
}

export function SignInPage() {
  const health = useLoad(() => publicApi.health(), []);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const reason = signedOutReason();
  const local = health.data?.environment === 'development';

  const run = async (get: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await keep(await get());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page narrow sign-in">
      <h1>Sign in to Gastown</h1>
      {reason === null ? null : <p class="notice">{reason}</p>}
      {local ? (
        <section class="panel">
          <h2>Local mode</h2>
          <p class="muted">This server runs in development mode: sign in as the local user “dev”.</p>
          <button type="button" class="primary" disabled={busy} onClick={() => void run(async () => (await publicApi.devToken()).token)}>
            Sign in as dev
          </button>
        </section>
      ) : null}
      <section class="panel">
        <h2>{local ? 'Or use a token' : 'Use your token'}</h2>
        <form
          onSubmit={(e: Event) => {
            e.preventDefault();
            const t = token.trim();
            if (t === '') setError(new Error('Paste your user token first.'));
            else void run(async () => t);
          }}
        >
          <label for="token-input">User token</label>
          <input
            id="token-input"
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e: Event) => setToken(valueOf(e))}
            placeholder="eyJ…"
          />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      </section>
      <ErrorBanner error={error} />
      <ErrorBanner error={health.error} />
    </main>
  );
}
