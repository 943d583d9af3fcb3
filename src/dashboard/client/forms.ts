/**
 * Reading form controls from events without casts (a submission's busy and error state is
 * `form-submission.ts`).
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
