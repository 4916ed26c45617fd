/**
 * A room's record as the server hands it out (GET /api/rooms/{id}/record, or a clerk's
 * break-glass export; the shapes are generated from the server's), and small helpers the
 * nurse's screen and the admin's print share.
 */
import type { BreakGlassEntryOut, RecordOut } from "../generated/api";
import type { VitalsKey } from "../sync/wire";
import type { NormalRange } from "./vitals";

export type RoomRecordData = RecordOut;
export type BreakGlassEntry = BreakGlassEntryOut;

/** The normal ranges the record was printed with (the patient's, as the server had them then). */
export function recordRanges(record: Pick<RoomRecordData, "normalRanges">): Partial<Record<VitalsKey, NormalRange>> {
  return Object.fromEntries(record.normalRanges.map((r) => [r.sign, { low: r.low, high: r.high }]));
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

