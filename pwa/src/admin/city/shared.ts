/** What several of the city's screens share: filters, navigation, an application's subject. */
import { type Application, type Office } from "../api";

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


/** 職種, in the order of the server's `JobType` (labels as `JOB_TYPE_LABELS`). */
export const JOB_TYPES: Array<[string, string]> = [
  ["doctor", "医師"],
  ["dentist", "歯科医師"],
  ["pharmacist", "薬剤師"],
  ["nurse", "看護師"],
  ["public_health_nurse", "保健師"],
  ["physical_therapist", "理学療法士"],
  ["occupational_therapist", "作業療法士"],
  ["speech_therapist", "言語聴覚士"],
  ["care_manager", "介護支援専門員"],
  ["certified_care_worker", "介護福祉士"],
  ["home_helper", "訪問介護員"],
  ["medical_social_worker", "医療ソーシャルワーカー"],
  ["dietitian", "管理栄養士"],
  ["dental_hygienist", "歯科衛生士"],
  ["other", "その他"],
];

export const EMPTY_PERSON = { name: "", nameKana: "", email: "", jobType: "nurse", phone: "" };

/** A new person's form values as the server takes them (`NewPersonIn`); blanks left out. */
export function personIn(p: typeof EMPTY_PERSON) {
  return { name: p.name.trim(), nameKana: p.nameKana.trim(), email: p.email.trim(), jobType: p.jobType, ...(p.phone.trim() ? { phone: p.phone.trim() } : {}) };
}

