/**
 * Renders settings fields (`config-form.ts` descriptors) grouped by section, each with its
 * help text and, right under it, its validation message (`aria-invalid`, `aria-describedby`).
 * Secrets show only their masked stored form; typing replaces, "clear" removes.
 */
import type { Child } from 'hono/jsx';
import { checkedOf, valueOf } from '../forms.ts';
import { clearKey, fieldKey, valueAt, type ConfigField, type FieldErrors, type FormState } from './config-form.ts';

export interface FieldsViewProps {
  fields: readonly ConfigField[];
  form: FormState;
  errors: FieldErrors;
  /** The config as last read (masked), for the stored form of secrets. */
  stored: unknown;
  onChange: (key: string, value: string | boolean) => void;
  /** Hides fields (e.g. provider fields of another kind). */
  visible?: (key: string) => boolean;
  /** Extra hint after a field's help (e.g. the town value a rig inherits). */
  hint?: (field: ConfigField) => string | null;
}

function domId(key: string): string {
  return `field-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function Control(props: { field: ConfigField; form: FormState; stored: unknown; invalid: boolean; onChange: FieldsViewProps['onChange'] }) {
  const { field, form } = props;
  const key = fieldKey(field);
  const id = domId(key);
  const text = typeof form[key] === 'string' ? form[key] : '';
  const common = { id, name: key, 'aria-invalid': props.invalid ? 'true' : undefined, 'aria-describedby': `${id}-error ${id}-help` };
  const input = field.input;
  switch (input.type) {
    case 'text':
      return <input {...common} type="text" value={text} placeholder={input.placeholder ?? ''} onInput={(e: Event) => props.onChange(key, valueOf(e))} />;
    case 'number':
      return <input {...common} type="text" inputmode="numeric" value={text} placeholder={`${input.min}–${input.max}`} onInput={(e: Event) => props.onChange(key, valueOf(e))} />;
    case 'textarea':
    case 'lines':
    case 'env':
      return <textarea {...common} rows={input.type === 'textarea' ? 4 : 3} value={text} onInput={(e: Event) => props.onChange(key, valueOf(e))}></textarea>;
    case 'checkbox':
      return <input {...common} type="checkbox" checked={form[key] === true} onChange={(e: Event) => props.onChange(key, checkedOf(e))} />;
    case 'tristate':
      return (
        <select {...common} value={text} onChange={(e: Event) => props.onChange(key, valueOf(e))}>
          <option value="" selected={text === ''}>
            inherit
          </option>
          <option value="true" selected={text === 'true'}>
            yes
          </option>
          <option value="false" selected={text === 'false'}>
            no
          </option>
        </select>
      );
    case 'select':
      return (
        <select {...common} value={text} onChange={(e: Event) => props.onChange(key, valueOf(e))}>
          {input.options.map((o) => (
            <option value={o.value} selected={o.value === text}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'secret': {
      const masked = valueAt(props.stored, field.path);
      return (
        <div class="secret">
          <span class="muted mono">{typeof masked === 'string' ? `stored: ${masked}` : 'not set'}</span>
          <input {...common} type="password" autocomplete="new-password" value={text} placeholder="type to replace" onInput={(e: Event) => props.onChange(key, valueOf(e))} />
          {typeof masked === 'string' ? (
            <label class="check small">
              <input type="checkbox" name={clearKey(key)} checked={form[clearKey(key)] === true} onChange={(e: Event) => props.onChange(clearKey(key), checkedOf(e))} />
              clear
            </label>
          ) : null}
        </div>
      );
    }
  }
}

export function FieldsView(props: FieldsViewProps) {
  const sections: string[] = [];
  for (const f of props.fields) if (!sections.includes(f.section)) sections.push(f.section);
  const general = props.errors[''];
  return (
    <div class="config-fields">
      {general === undefined ? null : (
        <p class="field-error" role="alert">
          {general}
        </p>
      )}
      {sections.map((section) => (
        <fieldset class="config-section">
          <legend>{section}</legend>
          {props.fields
            .filter((f) => f.section === section && (props.visible?.(fieldKey(f)) ?? true))
            .map((field): Child => {
              const key = fieldKey(field);
              const id = domId(key);
              const error = props.errors[key];
              const hint = props.hint?.(field) ?? null;
              return (
                <div class={`field ${error === undefined ? '' : 'has-error'} field-${field.input.type}`} data-field={key}>
                  <label for={id}>{field.label}</label>
                  <Control field={field} form={props.form} stored={props.stored} invalid={error !== undefined} onChange={props.onChange} />
                  <p class="help" id={`${id}-help`}>
                    {[field.help, hint].filter((s) => s !== undefined && s !== null).join(' ')}
                  </p>
                  <p class="field-error" id={`${id}-error`} role={error === undefined ? undefined : 'alert'}>
                    {error ?? ''}
                  </p>
                </div>
              );
            })}
        </fieldset>
      ))}
    </div>
  );
}
