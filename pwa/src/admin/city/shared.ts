/** What several of the city's screens share: filters, navigation, an application's subject. */
import { type Application, type Office } from "../api";
import { codeOptions } from "../../local/labels";

export function go(href: string): void {
  location.hash = href;
}

export function subjectOf(a: Application): string {
  const asked = (a.payload["patient"] as { name?: string } | undefined)?.name;
  // A join is about a patient (whose room the city matches), not about the staff it brings.
  if (a.kind === "roomJoin") return a.room?.label ?? a.room?.patientName ?? asked ?? a.subjectUser?.name ?? "";
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


/** 職種 an office's staff may have (the city's own, 市職員, is not one), in the server's order. */
export function staffJobTypeOptions(): Array<{ value: string; label: string }> {
  return codeOptions("jobType").filter((o) => o.value !== "city_staff");
}

export const EMPTY_PERSON = { name: "", nameKana: "", email: "", jobType: "nurse", phone: "" };

/** A new person's form values as the server takes them (`NewPersonIn`); blanks left out. */
export function personIn(p: typeof EMPTY_PERSON) {
  return { name: p.name.trim(), nameKana: p.nameKana.trim(), email: p.email.trim(), jobType: p.jobType, ...(p.phone.trim() ? { phone: p.phone.trim() } : {}) };
}

