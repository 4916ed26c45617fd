/** Labels for codes the server sends (job types, care levels), in both languages. */
import { getLang } from "../i18n";

const JOB_TYPES: Record<string, [string, string]> = {
  doctor: ["医師", "Doctor"],
  dentist: ["歯科医師", "Dentist"],
  pharmacist: ["薬剤師", "Pharmacist"],
  nurse: ["看護師", "Nurse"],
  public_health_nurse: ["保健師", "Public health nurse"],
  physical_therapist: ["理学療法士", "Physical therapist"],
  occupational_therapist: ["作業療法士", "Occupational therapist"],
  speech_therapist: ["言語聴覚士", "Speech therapist"],
  care_manager: ["介護支援専門員", "Care manager"],
  certified_care_worker: ["介護福祉士", "Certified care worker"],
  home_helper: ["訪問介護員", "Home helper"],
  medical_social_worker: ["医療ソーシャルワーカー", "Medical social worker"],
  dietitian: ["管理栄養士", "Dietitian"],
  dental_hygienist: ["歯科衛生士", "Dental hygienist"],
  city_staff: ["市職員", "City staff"],
  other: ["その他", "Other"],
};

const CARE_LEVELS: Record<string, [string, string]> = {
  none: ["なし", "None"],
  applying: ["申請中", "Applied for"],
  support_1: ["要支援1", "Support level 1"],
  support_2: ["要支援2", "Support level 2"],
  care_1: ["要介護1", "Care level 1"],
  care_2: ["要介護2", "Care level 2"],
  care_3: ["要介護3", "Care level 3"],
  care_4: ["要介護4", "Care level 4"],
  care_5: ["要介護5", "Care level 5"],
};

/** The job types in the order a form lists them. */
export const JOB_TYPE_CODES: readonly string[] = Object.keys(JOB_TYPES);

/** The care levels in the order a form lists them. */
export const CARE_LEVEL_CODES: readonly string[] = Object.keys(CARE_LEVELS);

function pick(table: Record<string, [string, string]>, code: string | undefined | null, fallback?: string): string {
  if (!code) return fallback ?? "";
  const entry = table[code];
  if (!entry) return fallback ?? code;
  return getLang() === "ja" ? entry[0] : entry[1];
}

export function jobTypeLabel(code: string | undefined | null, serverLabel?: string): string {
  return pick(JOB_TYPES, code, serverLabel);
}

export function careLevelLabel(code: string | undefined | null): string {
  return pick(CARE_LEVELS, code);
}
