/** What several of the city's screens share: filters, navigation, an application's subject. */
import { type Application, type Office } from "../api";

export const STATES = ["submitted", "approved", "rejected", "withdrawn"];
export const KINDS = ["idCareManager", "idInvited", "idStop", "roomOpen", "roomJoin", "roomClose"];
export const REASONS = ["death", "facilityAdmission", "endOfService", "other"];

export function go(href: string): void {
  location.hash = href;
}

export function subjectOf(a: Application): string {
  if (a.subjectUser) return a.subjectUser.name;
  if (a.room) return a.room.label ?? a.room.patientName;
  const p = a.payload;
  const patient = p["patient"] as { name?: string } | undefined;
  if (typeof p["name"] === "string") return p["name"];
  if (patient?.name) return patient.name;
  return "";
}

export function officeOptions(offices: Office[] | null) {
  return (offices ?? []).map((o) => ({ value: o.id, label: `${o.name}（${o.kindLabel}）` }));
}

