/** A correction sends only what changed (訂正履歴 records each field): the fields whose
 * trimmed value differs from what the server holds, trimmed. The note is not a field. */
export function changedFields<K extends string>(
  before: Record<K, string>,
  form: Record<K, string>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const changed: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = form[key].trim();
    if (value !== before[key]) changed[key] = value;
  }
  return changed;
}
