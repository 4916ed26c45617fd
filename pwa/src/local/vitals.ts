/**
 * The vitals a post may carry: units and what the form accepts (plausible
 * values, to catch typos like 1580). Values outside the patient's normal
 * range are allowed (that is why they are reported) and flagged, by the same
 * rule and default table as the server (`sync/thresholds.py`, generated into
 * `generated/thresholds.ts`), so a draft is flagged offline exactly as the
 * posted card will be; values outside the plausible range are refused.
 */
import { DEFAULT_RANGES } from "../generated/thresholds";
import type { PostData, ThresholdData, Vitals, VitalsKey } from "../sync/wire";

export interface VitalsField {
  key: VitalsKey;
  unit: string;
  /** Accepted values. */
  min: number;
  max: number;
  /** Decimal places allowed. */
  decimals: number;
}

export const VITALS_FIELDS: readonly VitalsField[] = [
  { key: "systolic", unit: "mmHg", min: 40, max: 300, decimals: 0 },
  { key: "diastolic", unit: "mmHg", min: 20, max: 200, decimals: 0 },
  { key: "pulse", unit: "/分", min: 20, max: 250, decimals: 0 },
  { key: "temperature", unit: "℃", min: 30, max: 43, decimals: 1 },
  { key: "spo2", unit: "%", min: 50, max: 100, decimals: 0 },
  { key: "respirationRate", unit: "/分", min: 4, max: 80, decimals: 0 },
  { key: "weight", unit: "kg", min: 10, max: 300, decimals: 1 },
  { key: "bloodGlucose", unit: "mg/dL", min: 20, max: 800, decimals: 0 },
];

/** A normal range: below `low` or above `high` is out of range; null: no bound. */
export interface NormalRange {
  low: number | null;
  high: number | null;
  /** Set for this patient (who and when), rather than the default. */
  setBy?: string;
  setAt?: string;
}

export type Flags = Partial<Record<VitalsKey, "low" | "high">>;

/** The ranges in force for a patient: the defaults with the patient's own laid over them. */
export function rangesInForce(thresholds: ThresholdData[] | undefined): Partial<Record<VitalsKey, NormalRange>> {
  const ranges: Partial<Record<VitalsKey, NormalRange>> = {};
  for (const [key, range] of Object.entries(DEFAULT_RANGES)) ranges[key as VitalsKey] = { ...range };
  for (const row of thresholds ?? []) ranges[row.sign] = { low: row.low, high: row.high, setBy: row.setBy, setAt: row.setAt };
  return ranges;
}

/** Which readings lie outside their range (the server's `flags_for`). */
export function flagsFor(vitals: { [K in VitalsKey]?: number | null } | null | undefined, ranges: Partial<Record<VitalsKey, NormalRange>>): Flags {
  const flags: Flags = {};
  for (const [key, value] of Object.entries(vitals ?? {}) as [VitalsKey, number | null | undefined][]) {
    const range = ranges[key];
    if (value === undefined || value === null || !range) continue;
    if (range.low !== null && value < range.low) flags[key] = "low";
    else if (range.high !== null && value > range.high) flags[key] = "high";
  }
  return flags;
}

export function hasFlags(flags: Flags | null | undefined): boolean {
  return !!flags && Object.keys(flags).length > 0;
}

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
