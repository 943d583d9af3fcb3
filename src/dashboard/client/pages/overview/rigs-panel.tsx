/**
 * The overview's rigs: each repository the town works on, with a form to add one
 * (`POST T/rigs`: name, git URL, default branch).
 */
import { useState } from 'hono/jsx/dom';
import type { Rig } from '../../../../protocol/api.ts';
import { useSubmission } from '../../form-submission.ts';
import { valueOf } from '../../forms.ts';
import { EmptyState, ErrorBanner, Loading, Panel } from '../../components/feedback.tsx';
import { Link } from '../../router.tsx';
import { useTown } from '../../town-context.tsx';

function AddRigForm(props: { onAdded: (rig: Rig) => void }) {
  const { api } = useTown();
  const [name, setName] = useState('');
  const [gitUrl, setGitUrl] = useState('');
  const [branch, setBranch] = useState('main');
  const submission = useSubmission();
  return (
    <form
      class="stack-form"
      aria-label="Add a rig"
      onSubmit={(e: Event) => {
        e.preventDefault();
        void submission.run(async () => {
          const rig = await api.createRig({ name: name.trim(), git_url: gitUrl.trim(), default_branch: branch.trim() === '' ? undefined : branch.trim() });
          setName('');
          setGitUrl('');
          props.onAdded(rig);
        });
      }}
    >
      <div class="field-row">
        <label>
          Name
          <input name="rig-name" required value={name} placeholder="my-repo" onInput={(e: Event) => setName(valueOf(e))} />
        </label>
        <label>
          Default branch
          <input name="rig-branch" value={branch} onInput={(e: Event) => setBranch(valueOf(e))} />
        </label>
      </div>
      <label>
        Git URL
        <input name="rig-git-url" required value={gitUrl} placeholder="https://github.com/you/repo.git" onInput={(e: Event) => setGitUrl(valueOf(e))} />
      </label>
      <button type="submit" class="primary" disabled={submission.busy}>
        Add rig
      </button>
      <ErrorBanner error={submission.error} />
    </form>
  );
}

export function RigsPanel() {
  const { townId, rigs } = useTown();
  const [adding, setAdding] = useState(false);
  const list = rigs.data ?? [];
  return (
    <Panel
      id="rigs"
      title="Rigs"
      actions={
        <button type="button" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          {adding ? 'Close' : 'Add rig'}
        </button>
      }
    >
      {adding || (rigs.data !== null && list.length === 0) ? (
        <AddRigForm
          onAdded={(rig) => {
            rigs.set((current) => [rig, ...current.filter((r) => r.id !== rig.id)]);
            setAdding(false);
          }}
        />
      ) : null}
      <ErrorBanner error={rigs.error} onRetry={rigs.reload} />
      {rigs.loading && rigs.data === null ? <Loading what="rigs" /> : null}
      {rigs.data !== null && list.length === 0 ? (
        <EmptyState title="No rigs yet">Add a repository as a rig above; agents clone it and work on branches of it.</EmptyState>
      ) : null}
      <ul class="rows">
        {list.map((rig) => (
          <li class="row" key={rig.id}>
            <div class="row-main">
              <Link to={{ page: 'rig', townId, rigId: rig.id }} class="row-title">
                {rig.name}
              </Link>
              <span class="muted mono ellipsis" title={rig.git_url}>
                {rig.git_url} · {rig.default_branch}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
