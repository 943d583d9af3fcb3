/**
 * The towns page: the caller's towns (`GET /api/towns`), a form to create one, and delete
 * with confirmation (`DELETE T`, which stops its agents and erases its state).
 */
import { useState } from 'hono/jsx/dom';
import type { Town } from '../../../protocol/api.ts';
import { townApi, townsApi } from '../endpoints.ts';
import { useLoad } from '../hooks.ts';
import { valueOf } from '../forms.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { EmptyState, ErrorBanner, Loading, Panel } from '../components/feedback.tsx';
import { RelTime } from '../components/rel-time.tsx';
import { Link, navigate } from '../router.tsx';
import { usePageLabel } from '../page-label.ts';

function CreateTownForm(props: { onCreated: (town: Town) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="inline-form"
      onSubmit={async (e: Event) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const town = await townsApi.create(name);
          setName('');
          props.onCreated(town);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label for="town-name">New town</label>
      <input id="town-name" name="name" required maxlength={64} placeholder="My town" value={name} onInput={(e: Event) => setName(valueOf(e))} />
      <button type="submit" class="primary" disabled={busy}>
        Create town
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}

export function TownsPage() {
  usePageLabel('Towns');
  const towns = useLoad(() => townsApi.list(), []);
  const items = towns.data?.items ?? [];
  return (
    <main class="page narrow">
      <h1>Your towns</h1>
      <Panel title="Create a town">
        <CreateTownForm onCreated={(town) => navigate({ page: 'overview', townId: town.id, section: null })} />
      </Panel>
      <Panel title="Towns">
        <ErrorBanner error={towns.error} onRetry={towns.reload} />
        {towns.loading && towns.data === null ? <Loading what="your towns" /> : null}
        {towns.data !== null && items.length === 0 ? (
          <EmptyState title="No towns yet">
            Create one above. A town holds your rigs (repositories), beads (work items) and the agents that work on them.
          </EmptyState>
        ) : null}
        <ul class="rows">
          {items.map((town) => (
            <li class="row" key={town.id}>
              <div class="row-main">
                <Link to={{ page: 'overview', townId: town.id, section: null }} class="row-title">
                  {town.name}
                </Link>
                <span class="muted">
                  created <RelTime iso={town.created_at} />
                </span>
              </div>
              <ConfirmButton
                label="Delete"
                question={`Delete “${town.name}”? Its agents stop and all its beads and history are erased.`}
                confirmLabel="Delete town"
                onConfirm={async () => {
                  await townApi(town.id).remove();
                  towns.set((page) => ({ ...page, items: page.items.filter((t) => t.id !== town.id) }));
                }}
              />
            </li>
          ))}
        </ul>
      </Panel>
    </main>
  );
}
