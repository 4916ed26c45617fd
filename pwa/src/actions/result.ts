/** Turns anything an action can throw into text a nurse or a clerk can act on. */
import { ApiError } from "../api";
import { t } from "../i18n";
import { PasskeyError } from "../webauthn";

export type Result = { ok: true } | { ok: false; code: string; message: string; reasons: string[] };

export const OK: Result = { ok: true };

export function failure(error: unknown): Result & { ok: false } {
  if (error instanceof ApiError) {
    let message = error.message;
    if (error.status === 429) message = t("error.tooMany");
    else if (error.code === "reauth_required") message = t("settings.reauthRequired");
    return { ok: false, code: error.code, message, reasons: error.reasons };
  }
  if (error instanceof PasskeyError) {
    const message = error.reason === "unsupported" ? t("error.passkeyUnsupported") : t("error.passkeyCancelled");
    return { ok: false, code: `passkey_${error.reason}`, message, reasons: [] };
  }
  console.error("carebook:", error);
  return { ok: false, code: "unexpected", message: t("error.generic"), reasons: [] };
}

/** Runs `work`, answering OK or the failure it threw. */
export async function attempt(work: () => Promise<unknown>): Promise<Result> {
  try {
    await work();
    return OK;
  } catch (error) {
    return failure(error);
  }
}
