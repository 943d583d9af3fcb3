/**
 * Reading fields of JSON the worker returned, without trusting its shape: replies are shown to the
 * model as they are, so a missing or odd field only changes a confirmation sentence, never throws.
 */

/** `value[key]` when `value` is a non-array object, else `undefined`. */
export function fieldOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const field: unknown = Reflect.get(value, key);
  return field;
}

/** `value[key]` when it is a string, else `undefined`. */
export function stringField(value: unknown, key: string): string | undefined {
  const field = fieldOf(value, key);
  return typeof field === 'string' ? field : undefined;
}

/** `value[key]` when it is a number, else `undefined`. */
export function numberField(value: unknown, key: string): number | undefined {
  const field = fieldOf(value, key);
  return typeof field === 'number' ? field : undefined;
}
