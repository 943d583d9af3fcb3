/**
 * Town settings: the town config of `domain.md` §8 (`GET`/`PATCH T/config`), secrets masked,
 * each invalid value's message next to its field.
 */
import type { TownConfig } from '../../../protocol/config.ts';
import { TownConfigPatch } from '../../../protocol/config.ts';
import { ErrorBanner, Loading } from '../components/feedback.tsx';
import { useLoad } from '../hooks.ts';
import { usePageLabel } from '../page-label.ts';
import { FieldsView } from '../settings/config-fields-view.tsx';
import { providerFieldVisible, TOWN_FIELDS } from '../settings/town-fields.ts';
import { SettingsForm } from '../settings/settings-form.tsx';
import { useConfigForm } from '../settings/use-config-form.ts';
import { useTown } from '../town-context.tsx';

export function SettingsPage() {
  const { townId, api, town } = useTown();
  usePageLabel(town.data === null ? 'Town settings' : `Settings of ${town.data.name}`);
  const config = useLoad<TownConfig>(() => api.config(), [townId]);
  const form = useConfigForm(TOWN_FIELDS, config.data, TownConfigPatch, async (patch) => {
    const saved = await api.patchConfig(TownConfigPatch.parse(patch));
    config.set(() => saved);
  });
  const kind = typeof form.form['provider.kind'] === 'string' ? form.form['provider.kind'] : '';
  return (
    <div class="settings">
      <h1>Town settings</h1>
      <ErrorBanner error={config.error} onRetry={config.reload} />
      {config.data === null ? (
        config.loading ? <Loading what="the settings" /> : null
      ) : (
        <SettingsForm label="Town settings" saveLabel="Save settings" state={form} stickyActions>
          <FieldsView fields={TOWN_FIELDS} form={form.form} errors={form.errors} stored={config.data} onChange={form.onChange} visible={(key) => providerFieldVisible(key, kind)} />
        </SettingsForm>
      )}
    </div>
  );
}
