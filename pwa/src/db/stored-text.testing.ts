/**
 * What a stolen copy of the local database would show, as searchable text (tests only).
 *
 * Records are walked as they are stored; byte values (ciphertext, IVs) are decoded as text on
 * their own, never inside JSON: JSON would escape a random control byte as "\u0015", and the
 * digits of that escape could spell a searched-for secret by chance.
 */
export function storedTexts(records: unknown): string[] {
  const bytes: string[] = [];
  const structure = JSON.stringify(records, (_k, v: unknown) => {
    if (!(v instanceof ArrayBuffer || ArrayBuffer.isView(v))) return v;
    bytes.push(new TextDecoder().decode(v as ArrayBuffer));
    return "<bytes>";
  });
  return [structure, ...bytes];
}

/** The secrets of `secrets` that appear anywhere in the stored texts. */
export function leakedSecrets(records: unknown, secrets: readonly string[]): string[] {
  const texts = storedTexts(records);
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}
