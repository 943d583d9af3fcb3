/**
 * The state of a settings form: the values being edited, the values last saved, and the
 * messages per field. `submit` builds the merge patch, checks it with the shared zod schema
 * (so most mistakes are caught before a round trip), sends it, and maps a `validation_failed`
 * answer's issues onto the same fields.
 */
import { useEffect, useState } from 'hono/jsx/dom';
import type { z } from 'zod';
import { issuesOf } from '../api-error.ts';
import { errorsFor, toForm, toPatch, type ConfigField, type FieldErrors, type FormState } from './config-form.ts';

export interface ConfigFormState {
  form: FormState;
  errors: FieldErrors;
  /** A failure that is not about one field (network, conflict…). */
  failure: unknown;
  saving: boolean;
  /** "Saved." / "Nothing to save." after a submit. */
  notice: string | null;
  onChange(key: string, value: string | boolean): void;
  submit(): Promise<void>;
}

export function useConfigForm(
  fields: readonly ConfigField[],
  stored: unknown,
  schema: z.ZodType,
  save: (patch: Record<string, unknown>) => Promise<void>,
): ConfigFormState {
  const [original, setOriginal] = useState<FormState>({});
  const [form, setForm] = useState<FormState>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // Reset the form when the stored values change (a load or a save), not on every new object.
  useEffect(() => {
    if (stored === null || stored === undefined) return;
    const next = toForm(fields, stored);
    setOriginal(next);
    setForm(next);
  }, [JSON.stringify(stored ?? null)]);

  return {
    form,
    errors,
    failure,
    saving,
    notice,
    onChange: (key, value) => {
      setForm((f) => ({ ...f, [key]: value }));
      setNotice(null);
      const fieldKeyOf = key.endsWith(':clear') ? key.slice(0, -':clear'.length) : key;
      if (errors[fieldKeyOf] !== undefined) {
        setErrors((e) => {
          const rest = { ...e };
          delete rest[fieldKeyOf];
          return rest;
        });
      }
    },
    submit: async () => {
      setFailure(null);
      setNotice(null);
      const built = toPatch(fields, original, form);
      if (!built.ok) {
        setErrors(built.errors);
        return;
      }
      if (Object.keys(built.patch).length === 0) {
        setErrors({});
        setNotice('Nothing to save.');
        return;
      }
      const checked = schema.safeParse(built.patch);
      if (!checked.success) {
        setErrors(errorsFor(fields, checked.error.issues.map((i) => ({ path: i.path.filter((p) => typeof p !== 'symbol'), message: i.message }))));
        return;
      }
      setSaving(true);
      try {
        await save(built.patch);
        setErrors({});
        setNotice('Saved.');
      } catch (e) {
        const issues = issuesOf(e);
        if (issues.length > 0) setErrors(errorsFor(fields, issues));
        else setFailure(e);
      } finally {
        setSaving(false);
      }
    },
  };
}
