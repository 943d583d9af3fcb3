/**
 * Reading form controls from events without casts, and running a form submission with busy and
 * error state.
 */

/** The value of the input, textarea or select an event came from ('' otherwise). */
export function valueOf(e: Event): string {
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return t.value;
  return '';
}

/** Whether the checkbox an event came from is checked. */
export function checkedOf(e: Event): boolean {
  return e.target instanceof HTMLInputElement && e.target.checked;
}
