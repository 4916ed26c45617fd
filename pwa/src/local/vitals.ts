/**
 * The vitals a post may carry: units, what the form accepts (plausible
 * values, to catch typos like 1580) and the usual adult range shown as a
 * hint. Values outside the usual range are allowed (that is why they are
 * reported); values outside the plausible range are refused.
 */
import type { PostData, Vitals, VitalsKey } from "../sync/wire";

export interface VitalsField {
  key: VitalsKey;
  unit: string;
  /** Accepted values. */
  min: number;
  max: number;
  /** Decimal places allowed. */
  decimals: number;
  /** The usual adult range, for the hint. */
  usual: [number, number];
}

export const VITALS_FIELDS: readonly VitalsField[] = [
  { key: "systolic", unit: "mmHg", min: 40, max: 300, decimals: 0, usual: [90, 139] },
  { key: "diastolic", unit: "mmHg", min: 20, max: 200, decimals: 0, usual: [60, 89] },
  { key: "pulse", unit: "/分", min: 20, max: 250, decimals: 0, usual: [60, 100] },
  { key: "temperature", unit: "℃", min: 30, max: 43, decimals: 1, usual: [36.0, 37.4] },
  { key: "spo2", unit: "%", min: 50, max: 100, decimals: 0, usual: [96, 100] },
  { key: "respirationRate", unit: "/分", min: 4, max: 80, decimals: 0, usual: [12, 20] },
  { key: "weight", unit: "kg", min: 10, max: 300, decimals: 1, usual: [0, 0] },
  { key: "bloodGlucose", unit: "mg/dL", min: 20, max: 800, decimals: 0, usual: [70, 139] },
];

export type VitalsInput = Partial<Record<VitalsKey, string>>;

export type VitalsError = { key: VitalsKey; problem: "number" | "range" | "decimals" };

/** Normalises what was typed: full-width digits, a comma as decimal point. */
export function normaliseNumber(text: string): string {
  return text
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[．，,]/g, ".");
}

/** Parses the form: the vitals to send, or what is wrong with each field. */
export function parseVitals(input: VitalsInput): { vitals: Vitals; errors: VitalsError[] } {
  const vitals: Vitals = {};
  const errors: VitalsError[] = [];
  for (const field of VITALS_FIELDS) {
    const raw = normaliseNumber(input[field.key] ?? "");
    if (raw === "") continue;
    if (!/^\d+(\.\d+)?$/.test(raw)) {
      errors.push({ key: field.key, problem: "number" });
      continue;
    }
    const decimals = raw.includes(".") ? (raw.split(".")[1] ?? "").length : 0;
    if (decimals > field.decimals) {
      errors.push({ key: field.key, problem: "decimals" });
      continue;
    }
    const value = Number(raw);
    if (value < field.min || value > field.max) {
      errors.push({ key: field.key, problem: "range" });
      continue;
    }
    vitals[field.key] = value;
  }
  if (vitals.systolic !== undefined && vitals.diastolic !== undefined && vitals.diastolic >= vitals.systolic) {
    errors.push({ key: "diastolic", problem: "range" });
  }
  return { vitals, errors };
}

/** Whether a value lies outside the usual range (shown highlighted). */
export function isUnusual(key: VitalsKey, value: number): boolean {
  const field = VITALS_FIELDS.find((f) => f.key === key);
  if (!field || field.usual[0] === field.usual[1]) return false;
  return value < field.usual[0] || value > field.usual[1];
}

/** What the vitals chart draws: one point per post that has any vitals, in time order. */
export interface VitalsSeries {
  times: number[];
  systolic: (number | null)[];
  diastolic: (number | null)[];
  pulse: (number | null)[];
  temperature: (number | null)[];
  spo2: (number | null)[];
}

/** The posts' vitals in time order, one point per post that has any. */
export function vitalsSeries(posts: Pick<PostData, "vitals" | "createdAt">[]): VitalsSeries {
  const rows = posts.filter((p) => p.vitals && Object.keys(p.vitals).length).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const pick = (k: VitalsKey) => rows.map((p) => p.vitals?.[k] ?? null);
  return {
    times: rows.map((p) => Math.floor(new Date(p.createdAt).getTime() / 1000)),
    systolic: pick("systolic"),
    diastolic: pick("diastolic"),
    pulse: pick("pulse"),
    temperature: pick("temperature"),
    spo2: pick("spo2"),
  };
}
