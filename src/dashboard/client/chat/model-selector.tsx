/**
 * The mayor's model: shown from `GET T/mayor`, changed through the town config
 * (`PATCH T/config` `role_models.mayor`), which hot-swaps a running mayor session in place.
 */
import { useState } from 'hono/jsx/dom';
import { ModelName } from '../../../protocol/config.ts';
import { valueOf } from '../forms.ts';
import { ErrorBanner } from '../components/feedback.tsx';
import { useTown } from '../town-context.tsx';

/** Suggestions besides the current model and the town's defaults. */
const SUGGESTED: readonly string[] = ['anthropic/claude-sonnet-4.6', 'anthropic/claude-opus-4.6', 'anthropic/claude-haiku-4.5', 'openai/gpt-5', 'google/gemini-2.5-pro'];

export function ModelSelector(props: { model: string | null; onChanged: () => void }) {
  const { api } = useTown();
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const value = draft ?? props.model ?? '';
  const options = [...new Set([props.model ?? '', ...SUGGESTED].filter((m) => m !== ''))];
  return (
    <form
      class="model-selector"
      aria-label="Mayor model"
      onSubmit={async (e: Event) => {
        e.preventDefault();
        const model = value.trim();
        const parsed = ModelName.safeParse(model);
        if (!parsed.success) {
          setError(new Error(`The model must be provider/model, e.g. ${SUGGESTED[0] ?? ''}.`));
          return;
        }
        setBusy(true);
        setError(null);
        try {
          await api.patchConfig({ role_models: { mayor: parsed.data } });
          setDraft(null);
          props.onChanged();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label for="mayor-model">Model</label>
      <input id="mayor-model" name="mayor-model" list="mayor-models" value={value} onInput={(e: Event) => setDraft(valueOf(e))} />
      <datalist id="mayor-models">
        {options.map((m) => (
          <option value={m}></option>
        ))}
      </datalist>
      <button type="submit" disabled={busy || draft === null || draft.trim() === (props.model ?? '')}>
        Switch
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
