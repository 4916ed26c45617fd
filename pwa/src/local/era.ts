/**
 * Japanese era dates (和暦) and ages. Dates of birth are shown in both
 * calendars: 昭和5年4月12日 (1930年4月12日). The first year of an era is
 * written 元年. Era boundaries are the official first days (server/japan.py says why
 * Meiji begins on 1868-01-25).
 */
import { ERAS, TIME_ZONE } from "../generated/japan";

export type Era = (typeof ERAS)[number];

/** The eras, newest first: the server's table (server/japan.py), generated. */
export { ERAS };

/** Parses `yyyy-mm-dd` (ignoring any time part) into numbers; null when malformed. */
export function parseDate(iso: string | null | undefined): { y: number; m: number; d: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? "");
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  return { y, m, d };
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** The era and year in it for a date, or null before Meiji. */
export function toEra(date: string): { era: Era; year: number } | null {
  const p = parseDate(date);
  if (!p) return null;
  const key = iso(p.y, p.m, p.d);
  const era = ERAS.find((e) => key >= e.start);
  if (!era) return null;
  return { era, year: p.y - Number(era.start.slice(0, 4)) + 1 };
}

/** 昭和5年4月12日 (or "Shōwa 5 (1930)-04-12"-style in English). */
export function formatEraDate(date: string, lang: "ja" | "en" = "ja"): string {
  const p = parseDate(date);
  const e = toEra(date);
  if (!p || !e) return date;
  if (lang === "en") return `${e.era.en} ${e.year}`;
  return `${e.era.name}${e.year === 1 ? "元" : e.year}年${p.m}月${p.d}日`;
}

/** Full age on `today` (both `yyyy-mm-dd`), counting the birthday itself. */
export function ageOn(birth: string, today: string): number | null {
  const b = parseDate(birth);
  const t = parseDate(today);
  if (!b || !t) return null;
  let age = t.y - b.y;
  if (t.m < b.m || (t.m === b.m && t.d < b.d)) age--;
  return age;
}

/** Today's date in Japan (where carebook is used), as `yyyy-mm-dd`. */
export function todayInJapan(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(now);
}
