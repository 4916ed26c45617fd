/** The import screen's and the break-glass export's calls (through `request` of ../api). */
import { request } from "../api";
import type { RoomRecordData } from "../local/record";

export interface ImportProblem {
  file: string;
  row: number | null;
  column: string | null;
  code: string;
  messageJa: string;
  messageEn: string;
}

export interface ImportJob {
  id: string;
  state: "running" | "done" | "failed";
  dryRun: boolean;
  applied: boolean;
  progress: { phase: string; done: number; total: number; rowsPerSecond: number; secondsLeft: number | null };
  report?: {
    ok: boolean;
    problems: ImportProblem[];
    truncated: boolean;
    kinds: { kind: string; created: number; updated: number; unchanged: number }[];
  };
  files?: Record<string, string>;
  notes?: string[];
  issued?: { userId: string; loginId: string; name: string; officeName: string; hasEmail: boolean }[];
}

export interface ActivationLetter {
  userId: string;
  loginId: string;
  name: string;
  officeName: string;
  code: string;
  link: string;
  qrImage: string;
  expires: string;
  cityName: string;
  contactName: string;
  contactPhone: string;
}

export const TEMPLATE_KINDS = ["offices", "users", "patients", "rooms", "members", "history"] as const;

export const importApi = {
  template: (kind: string) => request<Blob>("GET", `/api/admin/imports/templates/${encodeURIComponent(kind)}`, undefined, "blob"),
  start: (files: File[], dryRun: boolean) => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    return request<ImportJob>("POST", `/api/admin/imports?dryRun=${dryRun}`, form);
  },
  status: (id: string) => request<ImportJob>("GET", `/api/admin/imports/${encodeURIComponent(id)}`),
  activationMails: (userIds: string[]) => request<{ queued: number }>("POST", "/api/admin/imports/activation-mails", { userIds }),
  activationLetters: (userIds: string[]) => request<ActivationLetter[]>("POST", "/api/admin/imports/activation-letters", { userIds }),
  breakGlass: (roomId: string, reason: string) =>
    request<RoomRecordData>("POST", `/api/admin/rooms/${encodeURIComponent(roomId)}/record`, { reason }),
  breakGlassFile: (roomId: string, kind: "vitals.csv" | "fhir", reason: string) =>
    request<Blob>("POST", `/api/admin/rooms/${encodeURIComponent(roomId)}/record/${kind}`, { reason }, "blob"),
};
