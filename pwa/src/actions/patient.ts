/**
 * The room's care manager corrects the patient's details. Online only: a correction
 * must take effect at one moment on the server (the city may have corrected the same
 * field), so it is an API call, not a queued mutation; the new details reach this and
 * every other member's device through the next pull, which is asked for at once.
 */
import { api } from "../api";
import type { PatientCorrectionIn } from "../generated/api";
import { requestSync } from "../sync/client";
import { failure, type Result } from "./result";

/** The fields a care manager may correct (the server's `PatientCorrectionIn`). */
export type PatientChanges = PatientCorrectionIn;

export async function correctPatient(roomId: string, changes: PatientChanges): Promise<Result & { changed?: string[] }> {
  if (typeof navigator !== "undefined" && navigator.onLine === false) {
    return { ok: false, code: "offline", message: "", reasons: [] };
  }
  try {
    const { changed } = await api.correctPatient(roomId, changes);
    await requestSync();
    return { ok: true, changed };
  } catch (error) {
    return failure(error);
  }
}
