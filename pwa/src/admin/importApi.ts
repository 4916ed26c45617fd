/** The import screen's and the break-glass export's calls (through `request` of ../api). */
import { request } from "../api";
import type { ActivationLetterOut, ActivationQueuedOut, ImportJobOut, ImportProblemOut } from "../generated/api";
import type { RoomRecordData } from "../local/record";

export type ImportJob = ImportJobOut;
export type ImportProblem = ImportProblemOut;
export type ActivationLetter = ActivationLetterOut;

export const TEMPLATE_KINDS = ["offices", "users", "patients", "rooms", "members", "history"] as const;

export const importApi = {
  template: (kind: string) => request<Blob>("GET", `/api/admin/imports/templates/${encodeURIComponent(kind)}`, undefined, "blob"),
  start: (files: File[], dryRun: boolean) => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    return request<ImportJob>("POST", `/api/admin/imports?dryRun=${dryRun}`, form);
  },
  status: (id: string) => request<ImportJob>("GET", `/api/admin/imports/${encodeURIComponent(id)}`),
  activationMails: (userIds: string[]) => request<ActivationQueuedOut>("POST", "/api/admin/imports/activation-mails", { userIds }),
  activationLetters: (userIds: string[]) => request<ActivationLetter[]>("POST", "/api/admin/imports/activation-letters", { userIds }),
  breakGlass: (roomId: string, reason: string) =>
    request<RoomRecordData>("POST", `/api/admin/rooms/${encodeURIComponent(roomId)}/record`, { reason }),
  breakGlassFile: (roomId: string, kind: "vitals.csv" | "fhir", reason: string) =>
    request<Blob>("POST", `/api/admin/rooms/${encodeURIComponent(roomId)}/record/${kind}`, { reason }, "blob"),
};
