/**
 * The rig page: its repository, agents and bead counts, its settings (name, default branch and
 * overrides of the town config, `PATCH T/rigs/:rigId`) with messages next to invalid fields,
 * and delete with confirmation.
 */
import type { RigDetail } from '../../../protocol/api.ts';
import { RigPatch } from '../../../protocol/api.ts';
import type { TownConfig } from '../../../protocol/config.ts';
import { humanize } from '../activity-text.ts';
import { StatusBadge } from '../components/badges.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { EmptyState, Panel } from '../components/feedback.tsx';
import { ResourcePlaceholder } from '../components/resource-placeholder.tsx';
import { useLoad } from '../hooks.ts';
import { useLiveResource } from '../live/use-live-resource.ts';
import { usePageLabel } from '../page-label.ts';
import { Link, navigate } from '../router.tsx';
import { FieldsView } from '../settings/config-fields-view.tsx';
import { valueAt } from '../settings/config-form.ts';
import { RIG_FIELDS } from '../settings/rig-fields.ts';
import { SettingsForm } from '../settings/settings-form.tsx';
import { useConfigForm } from '../settings/use-config-form.ts';
import { useTown } from '../town-context.tsx';

function townValue(config: TownConfig | null, path: readonly string[]): string | null {
  if (config === null || path[0] !== 'config') return null;
  const value = valueAt(config, path.slice(1));
  if (value === undefined) return null;
  if (Array.isArray(value)) return `Town: ${value.length === 0 ? 'none' : value.join('; ')}.`;
  if (value === null) return 'Town: not set.';
  return `Town: ${String(value) === '' ? 'empty' : String(value)}.`;
}

export function RigPage(props: { rigId: string }) {
  const { townId, api, rigs } = useTown();
  const rig = useLiveResource<RigDetail>(() => api.rig(props.rigId), [townId, props.rigId], (_current, frame) => (frame.type === 'agent' && frame.agent.rig_id === props.rigId ? 'reload' : null));
  const townConfig = useLoad<TownConfig>(() => api.config(), [townId]);
  const r = rig.data;
  const stored = r === null ? null : { name: r.name, default_branch: r.default_branch, config: r.config };
  const form = useConfigForm(RIG_FIELDS, stored, RigPatch, async (patch) => {
    const saved = await api.patchRig(props.rigId, RigPatch.parse(patch));
    rig.set((cur) => ({ ...cur, ...saved }));
    rigs.set((list) => list.map((x) => (x.id === saved.id ? saved : x)));
  });
  usePageLabel(r === null ? 'Rig' : `Rig: ${r.name}`);
  if (r === null) return <ResourcePlaceholder resource={rig} what="the rig" />;
  const counts = Object.entries(r.beads).filter(([, n]) => n !== undefined && n > 0);
  return (
    <div class="detail">
      <p class="crumbs">
        <Link to={{ page: 'overview', townId, section: null }}>← Overview</Link>
      </p>
      <h1>{r.name}</h1>
      <p class="mono muted">
        {r.git_url} · {r.default_branch}
      </p>
      <div class="detail-grid">
        <Panel title="Agents">
          {r.agents.length === 0 ? <EmptyState title="No agents on this rig yet">They appear when its beads are dispatched.</EmptyState> : null}
          <ul class="rows">
            {r.agents.map((a) => (
              <li class="row" key={a.id}>
                <Link to={{ page: 'agent', townId, agentId: a.id }}>{a.name}</Link> <span class="muted">{a.role}</span> <StatusBadge status={a.status} />
              </li>
            ))}
          </ul>
        </Panel>
        <Panel title="Beads">
          {counts.length === 0 ? <p class="muted">No beads on this rig.</p> : null}
          <ul class="rows">
            {counts.map(([status, n]) => (
              <li class="row">
                <StatusBadge status={status} /> {n} {humanize(status)}
              </li>
            ))}
          </ul>
        </Panel>
      </div>
      <SettingsForm label="Rig settings" saveLabel="Save rig" state={form}>
        <FieldsView fields={RIG_FIELDS} form={form.form} errors={form.errors} stored={stored} onChange={form.onChange} hint={(field) => townValue(townConfig.data, field.path)} />
      </SettingsForm>
      <Panel title="Danger zone">
        <ConfirmButton
          label="Delete rig"
          question={`Delete rig “${r.name}”? Its open beads fail and its agents are removed.`}
          confirmLabel="Delete rig"
          onConfirm={async () => {
            await api.removeRig(r.id);
            rigs.set((list) => list.filter((x) => x.id !== r.id));
            navigate({ page: 'overview', townId, section: null });
          }}
        />
      </Panel>
    </div>
  );
}
