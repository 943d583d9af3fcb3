/**
 * The dashboard application: the top bar, sign-in when there is no token, and the page for the
 * current address (towns, or a town page inside its frame).
 */
import { useEffect, useState } from 'hono/jsx/dom';
import { Link, navigate, useRoute } from './router.tsx';
import { currentToken, onTokenChange, signOut } from './token-store.ts';
import { SignInPage } from './pages/sign-in.tsx';
import { TownsPage } from './pages/towns.tsx';
import { TownFrame } from './town-frame.tsx';

function useToken(): string | null {
  const [token, setToken] = useState(currentToken());
  useEffect(() => onTokenChange(setToken), []);
  return token;
}

function TopBar(props: { signedIn: boolean }) {
  return (
    <header class="topbar">
      <Link to={{ page: 'towns' }} class="brand">
        Gastown
      </Link>
      <span class="spacer"></span>
      {props.signedIn ? (
        <button
          type="button"
          class="link"
          onClick={() => {
            signOut(null);
            navigate({ page: 'sign-in' });
          }}
        >
          Sign out
        </button>
      ) : null}
    </header>
  );
}

export function App() {
  const route = useRoute();
  const token = useToken();
  const signedIn = token !== null;
  let body;
  if (route === null) {
    body = (
      <main class="page narrow">
        <h1>Page not found</h1>
        <p>
          There is no dashboard page at this address. <Link to={{ page: 'towns' }}>Go to your towns</Link>.
        </p>
      </main>
    );
  } else if (!signedIn || route.page === 'sign-in') {
    body = <SignInPage />;
  } else if (route.page === 'towns') {
    body = <TownsPage />;
  } else {
    body = <TownFrame route={route} />;
  }
  return (
    <>
      <TopBar signedIn={signedIn} />
      {body}
    </>
  );
}
