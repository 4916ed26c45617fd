/**
 * Pure helpers of the admin screens: the admin's own URL routes, dates in the
 * Japanese era (the city's forms and the date-of-birth input), and how each
 * printable form's fields map onto the rows of the city's paper layout.
 * Kept free of Preact and the DOM so that they are unit-tested.
 */
import { ERAS, parseDate } from "../local/era";
import type { BirthDateIn, EraDateOut, PrintForm } from "./api";

// -- routes ------------------------------------------------------------------------------------

export interface AdminRoute {
  view: string;
  id: string | null;
  extra: string | null;
}

/** `#/admin/<view>/<id>/<extra>` → its parts; `#/admin` is the default view (""). */
export function parseAdminHash(hash: string): AdminRoute {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "");
  const parts = path.split("/").filter(Boolean);
  if (parts[0] !== "admin") return { view: "", id: null, extra: null };
  const decode = (part: string | undefined) => (part === undefined ? null : decodeURIComponent(part));
  return { view: parts[1] ?? "", id: decode(parts[2]), extra: decode(parts[3]) };
}

export function adminHref(view = "", id?: string | null, extra?: string | null): string {
  const parts = ["#/admin"];
  if (view) parts.push(view);
  if (view && id) parts.push(encodeURIComponent(id));
  if (view && id && extra) parts.push(encodeURIComponent(extra));
  return parts.join("/");
}

/** A public page by its path: `/invite/<token>` or `/activate/<token>` (also under `#/`). */
export function publicRoute(pathname: string, hash = ""): { page: "invite" | "activate"; token: string } | null {
  for (const path of [pathname, hash.replace(/^#/, "")]) {
    const match = /^\/(invite|activate)\/([A-Za-z0-9_\-.~%]+)\/?$/.exec(path);
    if (match?.[1] && match[2]) {
      return { page: match[1] as "invite" | "activate", token: decodeURIComponent(match[2]) };
    }
  }
  return null;
}

// -- the Japanese era --------------------------------------------------------------------------

/** Era codes as the server names them, with their Japanese names. Newest first. */
export const ERA_CODES = ERAS;

/** The first day the era calendar covers (no patient was born before Meiji). */
const MEIJI_START = ERAS[ERAS.length - 1]!.start;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function validDay(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * The Western date of an era date (`showa` 15/3/12 → `1940-03-12`), or null when the
 * day does not exist or falls outside the era (平成32年 is 令和2年, not a valid date).
 */
export function eraToIso(eraCode: string, year: number, month: number, day: number): string | null {
  const index = ERA_CODES.findIndex((e) => e.code === eraCode);
  const era = ERA_CODES[index];
  if (!era || year < 1) return null;
  const y = Number(era.start.slice(0, 4)) + year - 1;
  if (!validDay(y, month, day)) return null;
  const iso = `${pad(y, 4)}-${pad(month)}-${pad(day)}`;
  if (iso < era.start) return null;
  const next = ERA_CODES[index - 1];
  if (next && iso >= next.start) return null;
  return iso;
}

/** `yyyy-mm-dd` → 「昭和15年3月12日」 (元年 for the first year); the input when outside the eras. */
export function isoToEraText(iso: string): string {
  const p = parseDate(iso);
  if (!p) return iso;
  const key = `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
  const era = ERA_CODES.find((e) => key >= e.start);
  if (!era) return iso;
  const year = p.y - Number(era.start.slice(0, 4)) + 1;
  return `${era.name}${year === 1 ? "元" : year}年${p.m}月${p.d}日`;
}

/** What the date-of-birth input holds: a calendar (`western` or an era code) and numbers. */
export interface DateParts {
  calendar: string;
  year: string;
  month: string;
  day: string;
}

export type BirthDateResult = { ok: true; value: BirthDateIn; iso: string } | { ok: false };

/** The input as the server takes it (ISO or `{era, year, month, day}`), checked. */
export function birthDateFromParts(parts: DateParts): BirthDateResult {
  const [y, m, d] = [parts.year, parts.month, parts.day].map((v) => Number(v.trim()));
  if ([y, m, d].some((n) => n === undefined || !Number.isInteger(n) || n <= 0)) return { ok: false };
  const [year, month, day] = [y as number, m as number, d as number];
  if (parts.calendar === "western") {
    const iso = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    if (!validDay(year, month, day) || iso < MEIJI_START) return { ok: false };
    return { ok: true, value: iso, iso };
  }
  const era = ERA_CODES.find((e) => e.code === parts.calendar)?.code;
  const iso = era ? eraToIso(era, year, month, day) : null;
  if (!era || !iso) return { ok: false };
  return { ok: true, value: { era, year, month, day }, iso };
}

/**
 * Free text as people write dates of birth: 「昭和15年3月12日」, 「S15.3.12」, 「1940/3/12」
 * or 「1940-03-12」. Null when it is none of these.
 */
export function parseDateText(text: string): DateParts | null {
  const s = text.normalize("NFKC").replace(/\s+/g, "");
  const western = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (western) return { calendar: "western", year: western[1]!, month: western[2]!, day: western[3]! };
  const letters: Record<string, string> = { M: "meiji", T: "taisho", S: "showa", H: "heisei", R: "reiwa" };
  const era = /^(明治|大正|昭和|平成|令和|[MTSHR])(元|\d{1,2})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?$/i.exec(s);
  if (!era) return null;
  const name = era[1]!;
  const code = ERA_CODES.find((e) => e.name === name)?.code ?? letters[name.toUpperCase()];
  if (!code) return null;
  return { calendar: code, year: era[2] === "元" ? "1" : era[2]!, month: era[3]!, day: era[4]! };
}

/** 「令和8年11月26日」 from the server's era answer. */
export function eraText(date: EraDateOut | null | undefined): string {
  if (!date) return "";
  return `${date.eraLabel}${date.year === 1 ? "元" : date.year}年${date.month}月${date.day}日`;
}

// -- printable forms ---------------------------------------------------------------------------

export const FORM_CODES = ["2-2C", "3", "4-1", "4-2", "5", "6"] as const;

export interface FormRow {
  label: string;
  value: string;
  /** A box left empty for a handwritten signature or seal. */
  sign?: boolean;
}

export interface FormSection {
  heading: string;
  rows: FormRow[];
}

export interface FormTable {
  heading: string;
  columns: string[];
  rows: string[][];
  /** Empty rows to leave for handwriting (様式4-2 has six lines for employees). */
  minRows: number;
}

export interface FormLayout {
  sections: FormSection[];
  tables: FormTable[];
  /** Signature boxes under the text (who signs). */
  signatures: FormRow[];
}

type Dict = Record<string, unknown>;

function obj(value: unknown): Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Dict) : {};
}

function str(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function eraOf(value: unknown): string {
  const era = obj(value);
  if (typeof era["eraLabel"] === "string") return eraText(era as unknown as EraDateOut);
  return "";
}

function isoDay(value: unknown): string {
  const s = str(value);
  return s ? isoToEraText(s.slice(0, 10)) : "";
}

const CARE_LEVELS = "なし ・ 申請中 ・ 要支援 1 ・ 2 ・ 要介護 1 ・ 2 ・ 3 ・ 4 ・ 5";
/** What the paper prints where a date is written by hand. */
export const BLANK_DATE = "令和　　　年　　　月　　　日";
const BLANK_BIRTH = "明治 ・ 大正 ・ 昭和 ・ 平成　　　年　　　月　　　日";

/** The form's date in the era, or the blank line for it on a blank form. */
export function formDate(form: PrintForm): string {
  return form.dateEra ? eraText(form.dateEra) : BLANK_DATE;
}

/** The city's layout of one form: labelled rows in bordered tables, lists, signature boxes. */
export function formLayout(form: PrintForm): FormLayout {
  const f = form.fields;
  const office = obj(f["office"]);
  const person = obj(f["person"]);
  const officeRows = (representative = true): FormRow[] => [
    { label: "事業所名", value: str(office["name"]) },
    { label: "事業所種別", value: str(office["kindLabel"]) },
    { label: "所在地", value: [str(office["postalCode"]) && `〒${str(office["postalCode"])}`, str(office["address"])].filter(Boolean).join(" ") },
    { label: "電話番号", value: str(office["phone"]) },
    ...(representative ? [{ label: "代表者名", value: str(office["representative"]), sign: true }] : []),
  ];
  switch (form.form) {
    case "2-2C":
      return {
        sections: [
          { heading: "事業所", rows: [...officeRows(), { label: "FAX番号", value: str(office["fax"]) }, { label: "システム管理担当者", value: str(f["systemManager"]) }] },
          {
            heading: "利用登録者（ケアマネジャー）",
            rows: [
              { label: "フリガナ", value: str(person["nameKana"]) },
              { label: "氏名", value: str(person["name"]) },
              { label: "職種", value: str(person["jobTypeLabel"]) },
              { label: "メールアドレス", value: str(person["email"]) },
              { label: "電話番号", value: str(person["phone"]) },
              { label: "ログインID", value: str(person["loginId"]) },
            ],
          },
        ],
        tables: [],
        signatures: [{ label: "代表者（印）", value: str(office["representative"]), sign: true }],
      };
    case "3":
      return {
        sections: [
          { heading: "事業所", rows: [...officeRows(), { label: "システム管理担当者", value: str(f["systemManager"]) }] },
          {
            heading: "ID停止の対象者",
            rows: [
              { label: "フリガナ", value: str(person["nameKana"]) },
              { label: "氏名", value: str(person["name"]) },
              { label: "職種", value: str(person["jobTypeLabel"]) },
              { label: "ログインID", value: str(person["loginId"]) },
              { label: "停止理由", value: str(f["reason"]) },
              { label: "停止希望日", value: isoDay(f["requestedDate"]) },
              { label: "停止日（処理済み）", value: isoDay(f["stoppedAt"]) },
            ],
          },
        ],
        tables: [],
        signatures: [{ label: "代表者（印）", value: str(office["representative"]), sign: true }],
      };
    case "4-1":
      return {
        sections: [],
        tables: [],
        signatures: [
          { label: "事業所名", value: str(office["name"]) },
          { label: "代表者名（印）", value: str(office["representative"]), sign: true },
        ],
      };
    case "4-2": {
      const employees = Array.isArray(f["employees"]) ? (f["employees"] as unknown[]).map(obj) : [];
      return {
        sections: [],
        tables: [
          {
            heading: "誓約者",
            columns: ["従業者名（自署）", "誓約日", "誓約書の版"],
            rows: employees.map((e) => [str(e["name"]), isoDay(e["acceptedOn"]), str(e["version"])]),
            minRows: 6,
          },
        ],
        signatures: [{ label: "事業所名", value: str(office["name"]) }],
      };
    }
    case "5": {
      const patient = obj(f["patient"]);
      const consent = obj(f["consent"]);
      const proxy = str(consent["signedBy"]) === "proxy";
      const offices = Array.isArray(f["connectedOffices"]) ? (f["connectedOffices"] as unknown[]).map(str) : [];
      return {
        sections: [
          {
            heading: "患者（利用者）記載欄",
            rows: [
              { label: "同意年月日", value: eraOf(consent["dateEra"]) || BLANK_DATE },
              { label: "フリガナ", value: str(patient["nameKana"]) },
              { label: "患者（利用者）氏名【自署】", value: str(patient["name"]), sign: true },
              { label: "性別", value: str(patient["sexLabel"]) || "男 ・ 女" },
              { label: "生年月日", value: eraOf(patient["birthDateEra"]) || BLANK_BIRTH },
              { label: "代理人氏名（自署）", value: proxy ? str(consent["proxyName"]) : "", sign: true },
              { label: "続柄", value: proxy ? str(consent["proxyRelationship"]) : "" },
              { label: "介護保険番号", value: str(patient["insuredNumber"]) },
            ],
          },
          {
            heading: "システム同意取得事業所記載欄",
            rows: [
              { label: "説明者（事業所名）", value: str(f["explainerOffice"]) },
              { label: "説明者【自署】（氏名）", value: str(consent["explainedBy"]), sign: true },
              { label: "連携医療機関・介護事業所名", value: offices.join("、") },
            ],
          },
        ],
        tables: [],
        signatures: [],
      };
    }
    case "6": {
      const requester = obj(f["requester"]);
      const patient = obj(f["patient"]);
      const members = Array.isArray(f["members"]) ? (f["members"] as unknown[]).map(obj) : [];
      const titles = Array.isArray(f["reportTitles"]) ? (f["reportTitles"] as unknown[]).map(str) : [];
      return {
        sections: [
          {
            heading: "申請者",
            rows: [
              { label: "事業所名", value: str(requester["officeName"]) },
              { label: "代表者名", value: str(requester["representative"]), sign: true },
              { label: "システム運用責任者名", value: str(requester["systemManager"]) },
              { label: "電話番号", value: str(requester["phone"]) },
            ],
          },
          {
            heading: "作成依頼内容（部屋情報）",
            rows: [
              { label: "フリガナ", value: str(patient["nameKana"]) },
              { label: "患者（利用者）氏名", value: str(patient["name"]) },
              { label: "性別", value: str(patient["sexLabel"]) || "男 ・ 女" },
              { label: "生年月日", value: eraOf(patient["birthDateEra"]) || BLANK_BIRTH },
              { label: "住所", value: [str(patient["postalCode"]) && `〒${str(patient["postalCode"])}`, str(patient["address"])].filter(Boolean).join(" ") },
              { label: "電話番号", value: str(patient["phone"]) },
              { label: "介護保険（認定）", value: str(patient["careLevelLabel"]) || CARE_LEVELS },
              { label: "介護保険（番号）", value: str(patient["insuredNumber"]) },
              { label: "ケアレポート標題", value: titles.join("、") },
            ],
          },
        ],
        tables: [
          {
            heading: "利用設定（部屋利用者）",
            columns: ["医療機関・事業所名", "利用者氏名", "職種", "閲覧権限"],
            rows: members.map((m) => [str(m["officeName"]), str(m["name"]), str(m["jobTypeLabel"]), str(m["permissionLabel"])]),
            minRows: 6,
          },
        ],
        signatures: [],
      };
    }
    default:
      return { sections: [], tables: [], signatures: [] };
  }
}
