/** What the passcode screens say about a passcode, and what their actions answer. */
import { t } from "../i18n";
import { passcodeProblem } from "../crypto/passcode";

export type PasscodeResult = { ok: true } | { ok: false; message: string };

export function problemText(code: string, options: { fallback?: boolean } = {}): string | null {
  const problem = passcodeProblem(code, options);
  if (problem === "short") return t("passcode.tooShort");
  if (problem === "tooLong") return t("passcode.tooLong");
  if (problem === "obvious") return t("passcode.obvious");
  if (problem === "long") return t("passcode.needLong");
  return null;
}
