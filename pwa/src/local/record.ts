/**
 * A room's record as the server hands it out (GET /api/rooms/{id}/record, or a clerk's
 * break-glass export): the shape the printed record is drawn from, and small helpers
 * the nurse's screen and the admin's print share.
 */
export interface EraDate {
  era: string;
  eraLabel: string;
  year: number;
  month: number;
  day: number;
  text: string;
}

export interface RecordPerson {
  id: string;
  name: string;
  jobType: string;
  jobTypeLabel: string;
  officeName: string;
}

export interface RecordComment {
  id: string;
  author: RecordPerson;
  body: string;
  createdAt: string;
}

export interface RecordPost {
  id: string;
  author: RecordPerson;
  title: string;
  kind: string;
  body: string;
  urgent: boolean;
  vitals: Record<string, number> | null;
  photos: string[];
  createdAt: string;
  editedAt: string | null;
  imported: boolean;
  comments: RecordComment[];
}

export interface RoomRecordData {
  roomId: string;
  roomLabel: string | null;
  roomStatus: string;
  openedAt: string | null;
  closedAt: string | null;
  patient: {
    name: string;
    nameKana: string;
    sex: string;
    birthDate: string;
    birthDateEra: EraDate;
    age: number;
    address: string;
    phone: string;
    careLevel: string;
    careLevelLabel: string;
    insuredNumber: string;
  };
  consentDate: string | null;
  consentDateEra: EraDate | null;
  members: { person: RecordPerson; permission: string; joinedAt: string; leftAt: string | null }[];
  posts: RecordPost[];
  since: string | null;
  until: string | null;
  generatedAt: string;
  generatedBy: string;
  breakGlassReason?: string | null;
}

export interface BreakGlassEntry {
  at: string;
  adminName: string;
  reason: string;
  purpose: string;
}

/** `?from=…&to=…` for the chosen range (empty when the whole record). */
export function rangeQuery(from: string, to: string): string {
  const params = new URLSearchParams();
  if (from) params.set("from", from);
  if (to) params.set("to", to);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A date and time in Japan, as the record prints it: 2026/11/20 09:30. */
export function jstText(iso: string): string {
  const parts = new Intl.DateTimeFormat("ja-JP", {
    timeZone: "Asia/Tokyo",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}/${get("month")}/${get("day")} ${get("hour")}:${get("minute")}`;
}

/** Saves a downloaded file under a name (fetch + blob: no API request by navigation). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
