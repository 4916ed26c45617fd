/**
 * How the clerk reads each kind of application: the form's own sections and labels, in
 * the form's order, every code turned into the manual's word, every date in the Japanese
 * era, every person by name, job type and office (never a key, a code or an id).
 *
 * A new application kind needs one entry in `APPLICATION_LAYOUTS`: a list of sections,
 * each a list of `[label, path, format]`. `helpers.test.ts` checks that every kind the
 * server knows (`../../generated/labels.ts`) has one.
 */
import { codeLabel } from "../../local/labels";
import { parseDate } from "../../local/era";
import type { Application } from "../api";
import { eraToIso, isoToEraText } from "../helpers";
import { type AdminKey, ta } from "../messages";

/** How a value is shown: plain text, a code of a label set, a date, a person, a room … */
export type Format =
  | "text"
  | "date"
  | "accepted"
  | "visitsHomes"
  | "user"
  | "room"
  | "roomToMatch"
  | "office"
  | "jobType"
  | "careLevel"
  | "sex"
  | "permission"
  | "closingReason"
  | "signedBy";

/** One row: its label, where its value is in the payload (`patient.birthDate`), how to show it. */
export type FieldSpec = readonly [label: AdminKey, path: string, format?: Format];

export type SectionSpec =
  | { heading: AdminKey; fields: readonly FieldSpec[] }
  /** A list of `{userId, permission}`: a table of people as 様式6 lists them. */
  | { heading: AdminKey; people: string }
  /** A list of strings (or `{name}`): one line each. */
  | { heading: AdminKey; list: string };

const PERSON: readonly FieldSpec[] = [
  ["p.nameKana", "nameKana"],
  ["p.name", "name"],
  ["p.jobType", "jobType", "jobType"],
  ["p.email", "email"],
  ["p.phone", "phone"],
];

export const APPLICATION_LAYOUTS: Record<string, readonly SectionSpec[]> = {
  idCareManager: [
    { heading: "f.22c", fields: PERSON },
    {
      heading: "f.41",
      fields: [
        ["f.representative", "officePledge.representative"],
        ["f.pledgeVersion", "officePledge.version"],
        ["f.pledge", "officePledge.accepted", "accepted"],
      ],
    },
    {
      heading: "f.staffPledge",
      fields: [
        ["f.pledgeVersion", "staffPledge.version"],
        ["f.pledge", "staffPledge.accepted", "accepted"],
      ],
    },
  ],
  idInvited: [
    {
      heading: "f.invited",
      fields: [...PERSON, ["p.office", "officeId", "office"], ["fix.visitsHomes", "visitsHomes", "visitsHomes"]],
    },
    { heading: "f.42", fields: [["f.pledgeVersion", "pledge.version"]] },
  ],
  idStop: [
    {
      heading: "f.3",
      fields: [
        ["f.stopUser", "userId", "user"],
        ["f.stopReason", "reason"],
        ["f.stopDate", "date", "date"],
      ],
    },
  ],
  roomOpen: [
    {
      heading: "f.6.requester",
      fields: [
        ["f.representative", "requester.representative"],
        ["f.systemManager", "requester.systemManager"],
        ["p.phone", "requester.phone"],
      ],
    },
    {
      heading: "f.6.room",
      fields: [
        ["p.nameKana", "patient.nameKana"],
        ["f.patientName", "patient.name"],
        ["p.sex", "patient.sex", "sex"],
        ["p.birthDate", "patient.birthDate", "date"],
        ["p.postalCode", "patient.postalCode"],
        ["p.address", "patient.address"],
        ["p.phone", "patient.phone"],
        ["p.careLevel", "patient.careLevel", "careLevel"],
        ["f.insuredNumber", "patient.insuredNumber"],
        ["f.roomName", "label"],
        // Beyond the paper 様式6: what the room's patient page shows from the first day.
        ["fix.field.attendingPhysician", "patient.attendingPhysician"],
        ["fix.field.emergencyContactName", "patient.emergencyContactName"],
        ["fix.field.emergencyContactRelationship", "patient.emergencyContactRelationship"],
        ["fix.field.emergencyContactPhone", "patient.emergencyContactPhone"],
      ],
    },
    { heading: "f.6.members", people: "members" },
    { heading: "f.titles", list: "reportTitles" },
    {
      heading: "f.5",
      fields: [
        ["f.consentDate", "consent.date", "date"],
        ["f.signedBy", "consent.signedBy", "signedBy"],
        ["p.proxyName", "consent.proxyName"],
        ["p.proxyRelationship", "consent.proxyRelationship"],
        ["f.explainerOffice", "consent.explainerOffice"],
        ["f.explainedBy", "consent.explainedBy"],
      ],
    },
  ],
  roomJoin: [
    {
      heading: "f.join",
      fields: [
        ["f.room", "roomId", "roomToMatch"],
        ["f.joinOffice", "officeId", "office"],
        ["f.note", "note"],
      ],
    },
    {
      heading: "f.joinPatient",
      fields: [
        ["p.nameKana", "patient.nameKana"],
        ["f.patientName", "patient.name"],
        ["p.birthDate", "patient.birthDate", "date"],
        ["f.insuredNumber", "patient.insuredNumber"],
      ],
    },
    { heading: "f.joinMembers", people: "members" },
  ],
  memberRemove: [
    {
      heading: "f.remove",
      fields: [
        ["f.room", "roomId", "room"],
        ["f.removeUser", "userId", "user"],
        ["f.removeReason", "reason"],
      ],
    },
  ],
  roomClose: [
    {
      heading: "f.close",
      fields: [
        ["f.room", "roomId", "room"],
        ["f.closeReason", "reason", "closingReason"],
        ["f.note", "note"],
      ],
    },
  ],
};

export interface ShownRow {
  label: string;
  value: string;
}

export interface ShownSection {
  heading: string;
  rows?: ShownRow[];
  table?: { columns: string[]; rows: string[][] };
  list?: string[];
}

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  return "";
}

/** A date as the payload holds it: `yyyy-mm-dd`, or `{era, year, month, day}` as entered. */
function isoOf(value: unknown): string {
  if (typeof value === "object" && value !== null) {
    const d = value as Record<string, unknown>;
    return eraToIso(String(d["era"]), Number(d["year"]), Number(d["month"]), Number(d["day"])) ?? "";
  }
  return text(value);
}

/** 「昭和15年3月12日（1940年3月12日）」 from `1940-03-12`; the era date the server sent, or "". */
export function eraWithWestern(iso: string): string {
  const p = parseDate(iso);
  if (!p) return iso;
  const era = isoToEraText(iso.slice(0, 10));
  return era === iso.slice(0, 10) ? `${p.y}年${p.m}月${p.d}日` : `${era}（${p.y}年${p.m}月${p.d}日）`;
}

/** 「鈴木 真理子（看護師・みどり訪問看護ステーション）」, never the id. */
function person(a: Application, id: string): string {
  const user = [a.subjectUser, ...a.users].find((u) => u?.id === id);
  if (!user) return ta("f.unknownUser");
  return `${user.name}（${[user.jobTypeLabel || codeLabel("jobType", user.jobType), user.officeName].filter(Boolean).join("・")}）`;
}

function room(a: Application, id: string): string {
  if (!a.room || a.room.id !== id) return ta("f.unknownRoom");
  const name = a.room.label ? `${ta("f.roomName")}：${a.room.label}` : "";
  return [a.room.patientName, name && `（${name}）`].filter(Boolean).join("");
}

function shown(a: Application, raw: unknown, format: Format = "text"): string {
  const value = text(raw);
  switch (format) {
    case "text":
      return value;
    case "date": {
      const iso = isoOf(raw);
      return iso ? eraWithWestern(iso) : "";
    }
    case "accepted":
      return raw === true ? ta("f.acceptedYes") : ta("f.acceptedNo");
    case "visitsHomes": // asked of doctors and nurses only; otherwise left blank
      return raw === true ? ta("f.visitsYes") : raw === false ? ta("f.visitsNo") : "";
    case "user":
      return value ? person(a, value) : "";
    case "room":
      return value ? room(a, value) : "";
    case "roomToMatch": // a join by patient names no room until the clerk matches one
      return value ? room(a, value) : ta("f.roomToMatch");
    case "office":
      return a.office && (!value || a.office.id === value) ? a.office.name : value ? ta("f.unknownOffice") : "";
    default:
      return codeLabel(format, value || null);
  }
}

/** The application laid out as its form, or null for a kind without a layout. */
export function applicationSections(a: Application): ShownSection[] | null {
  const layout = APPLICATION_LAYOUTS[a.kind];
  if (!layout) return null;
  return layout.map((spec): ShownSection => {
    if ("fields" in spec) {
      return {
        heading: ta(spec.heading),
        rows: spec.fields.map(([label, path, format]) => ({ label: ta(label), value: shown(a, at(a.payload, path), format) })),
      };
    }
    if ("people" in spec) {
      const entries = Array.isArray(at(a.payload, spec.people)) ? (at(a.payload, spec.people) as unknown[]) : [];
      const rows = entries.map((entry) => {
        const user = [a.subjectUser, ...a.users].find((u) => u?.id === text(at(entry, "userId")));
        return user
          ? [user.officeName ?? "", user.name, user.jobTypeLabel || codeLabel("jobType", user.jobType), codeLabel("permission", text(at(entry, "permission")) || "write")]
          : ["", ta("f.unknownUser"), "", ""];
      });
      return { heading: ta(spec.heading), table: { columns: [ta("f.col.office"), ta("f.col.name"), ta("f.col.job"), ta("f.col.permission")], rows } };
    }
    const items = Array.isArray(at(a.payload, spec.list)) ? (at(a.payload, spec.list) as unknown[]) : [];
    return { heading: ta(spec.heading), list: items.map((item) => text(item) || text(at(item, "name"))).filter(Boolean) };
  });
}
