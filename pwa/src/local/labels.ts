/**
 * Labels for the codes the server sends (job types, care levels, application kinds …), in
 * both languages. The words come from the server's enums through `../generated/labels.ts`
 * (`python -m server.labels`), so both apps say what the server mails and prints.
 */
import { LABELS, type LabelSet } from "../generated/labels";
import { getLang } from "../i18n";

export type { LabelSet } from "../generated/labels";

/** The label of `code` in `set`, in the app's language; `fallback` (or the code) when unknown. */
export function codeLabel(set: LabelSet, code: string | undefined | null, fallback?: string): string {
  if (!code) return fallback ?? "";
  const entry = (LABELS[set] as Record<string, readonly [string, string]>)[code];
  if (!entry) return fallback ?? code;
  return getLang() === "ja" ? entry[0] : entry[1];
}

/** The codes of `set` in the server's order (as the city's forms list them). */
export function codesOf(set: LabelSet): string[] {
  return Object.keys(LABELS[set]);
}

/** Options for a select of `set`'s codes (optionally only some, in the server's order). */
export function codeOptions(set: LabelSet, only?: readonly string[]): Array<{ value: string; label: string }> {
  return codesOf(set)
    .filter((code) => !only || only.includes(code))
    .map((code) => ({ value: code, label: codeLabel(set, code) }));
}

/** The job types in the order a form lists them. */
export const JOB_TYPE_CODES: readonly string[] = codesOf("jobType");

/** The care levels in the order a form lists them. */
export const CARE_LEVEL_CODES: readonly string[] = codesOf("careLevel");

export function jobTypeLabel(code: string | undefined | null, serverLabel?: string): string {
  return codeLabel("jobType", code, serverLabel);
}

export function careLevelLabel(code: string | undefined | null): string {
  return codeLabel("careLevel", code);
}
