import { describe, expect, it } from "vitest";
import type { PrintForm } from "./api";
import {
  adminHref,
  birthDateFromParts,
  BLANK_DATE,
  eraToIso,
  formDate,
  formLayout,
  isoToEraText,
  parseAdminHash,
  parseDateText,
  publicRoute,
} from "./helpers";
import { hasAdminKey, label, ta } from "./messages";

describe("admin routes", () => {
  it("parses sub-routes and builds them back", () => {
    expect(parseAdminHash("#/admin")).toEqual({ view: "", id: null, extra: null });
    expect(parseAdminHash("#/admin/print/2-2C/abc")).toEqual({ view: "print", id: "2-2C", extra: "abc" });
    expect(parseAdminHash("#/rooms/x")).toEqual({ view: "", id: null, extra: null });
    expect(adminHref("print", "4-2", "u1")).toBe("#/admin/print/4-2/u1");
    expect(adminHref("")).toBe("#/admin");
    expect(parseAdminHash(adminHref("applications", "a/b"))).toEqual({ view: "applications", id: "a/b", extra: null });
  });

  it("recognises the e-mailed links", () => {
    expect(publicRoute("/invite/tok_EN-1")).toEqual({ page: "invite", token: "tok_EN-1" });
    expect(publicRoute("/activate/xyz/")).toEqual({ page: "activate", token: "xyz" });
    expect(publicRoute("/", "#/invite/abc")).toEqual({ page: "invite", token: "abc" });
    expect(publicRoute("/invite/")).toBeNull();
    expect(publicRoute("/admin")).toBeNull();
  });
});

describe("Japanese era dates", () => {
  it("converts era dates to the Western calendar within the era's range", () => {
    expect(eraToIso("showa", 15, 3, 12)).toBe("1940-03-12");
    expect(eraToIso("heisei", 1, 1, 8)).toBe("1989-01-08");
    expect(eraToIso("showa", 64, 1, 7)).toBe("1989-01-07");
    expect(eraToIso("showa", 64, 1, 8)).toBeNull(); // that day is 平成元年
    expect(eraToIso("heisei", 1, 1, 7)).toBeNull();
    expect(eraToIso("reiwa", 1, 4, 30)).toBeNull();
    expect(eraToIso("taisho", 1, 7, 30)).toBe("1912-07-30");
    expect(eraToIso("showa", 15, 2, 30)).toBeNull();
    expect(eraToIso("nope", 1, 1, 1)).toBeNull();
  });

  it("writes dates in the era, with 元年", () => {
    expect(isoToEraText("1940-03-12")).toBe("昭和15年3月12日");
    expect(isoToEraText("2019-05-01")).toBe("令和元年5月1日");
    expect(isoToEraText("2026-11-26")).toBe("令和8年11月26日");
  });

  it("turns the input into what the server takes", () => {
    expect(birthDateFromParts({ calendar: "showa", year: "15", month: "3", day: "12" })).toEqual({
      ok: true,
      value: { era: "showa", year: 15, month: 3, day: 12 },
      iso: "1940-03-12",
    });
    expect(birthDateFromParts({ calendar: "western", year: "1940", month: "3", day: "12" })).toEqual({
      ok: true,
      value: "1940-03-12",
      iso: "1940-03-12",
    });
    expect(birthDateFromParts({ calendar: "western", year: "1940", month: "2", day: "30" }).ok).toBe(false);
    expect(birthDateFromParts({ calendar: "showa", year: "", month: "3", day: "12" }).ok).toBe(false);
    expect(birthDateFromParts({ calendar: "heisei", year: "32", month: "1", day: "1" }).ok).toBe(false);
  });

  it("reads dates as people type them", () => {
    expect(parseDateText("昭和15年3月12日")).toEqual({ calendar: "showa", year: "15", month: "3", day: "12" });
    expect(parseDateText("S15.3.12")).toEqual({ calendar: "showa", year: "15", month: "3", day: "12" });
    expect(parseDateText("令和元年5月1日")).toEqual({ calendar: "reiwa", year: "1", month: "5", day: "1" });
    expect(parseDateText("１９４０／３／１２")).toEqual({ calendar: "western", year: "1940", month: "3", day: "12" });
    expect(parseDateText("yesterday")).toBeNull();
  });
});

function form(code: string, fields: Record<string, unknown>): PrintForm {
  return {
    form: code,
    title: "t",
    subtitle: "s",
    addressee: null,
    date: "2026-11-26",
    dateEra: { era: "reiwa", eraLabel: "令和", year: 8, month: 11, day: 26, text: "令和8年11月26日" },
    text: "",
    fields,
    source: {},
    blank: false,
  };
}

describe("form layouts", () => {
  it("leaves a blank 様式5 to the pen, with the office that explains it filled in", () => {
    const blank = { ...form("5", { patient: {}, consent: null, connectedOffices: [], explainerOffice: "みどりケアプランセンター" }), date: null, dateEra: null, blank: true };
    expect(formDate(blank)).toBe(BLANK_DATE);
    const rows = Object.fromEntries(formLayout(blank).sections.flatMap((s) => s.rows.map((r) => [r.label, r.value])));
    expect(rows["同意年月日"]).toBe(BLANK_DATE);
    expect(rows["生年月日"]).toContain("明治 ・ 大正 ・ 昭和 ・ 平成");
    expect(rows["性別"]).toBe("男 ・ 女");
    expect(rows["説明者（事業所名）"]).toBe("みどりケアプランセンター");
    expect(rows["患者（利用者）氏名【自署】"]).toBe("");
  });

  it("maps 様式2-2C's office and person onto labelled rows", () => {
    const layout = formLayout(
      form("2-2C", {
        office: { name: "みと居宅", kindLabel: "居宅介護支援事業所", postalCode: "310-0001", address: "水戸市1", phone: "029-000-0000", representative: "代表 太郎" },
        systemManager: "管理 花子",
        person: { name: "介護 一郎", nameKana: "かいご いちろう", jobTypeLabel: "介護支援専門員", email: "a@b.jp", phone: "", loginId: "" },
      }),
    );
    const rows = Object.fromEntries(layout.sections.flatMap((s) => s.rows.map((r) => [r.label, r.value])));
    expect(rows["事業所名"]).toBe("みと居宅");
    expect(rows["所在地"]).toBe("〒310-0001 水戸市1");
    expect(rows["氏名"]).toBe("介護 一郎");
    expect(rows["システム管理担当者"]).toBe("管理 花子");
    expect(layout.signatures[0]?.sign).toBe(true);
  });

  it("leaves six lines for employees on 様式4-2 and dates them in the era", () => {
    const layout = formLayout(form("4-2", { office: { name: "A" }, employees: [{ name: "看護 花子", acceptedOn: "2026-11-26", version: "2026.1" }] }));
    const table = layout.tables[0];
    expect(table?.rows).toEqual([["看護 花子", "令和8年11月26日", "2026.1"]]);
    expect(table?.minRows).toBe(6);
  });

  it("shows 様式5's consent and date of birth in the era and the proxy only when there is one", () => {
    const era = { era: "showa", eraLabel: "昭和", year: 15, month: 3, day: 12, text: "" };
    const consent = { signedBy: "patient", proxyName: "x", dateEra: { ...era, eraLabel: "令和", year: 8, month: 11, day: 1 }, explainedBy: "説明 者" };
    const layout = formLayout(form("5", { patient: { name: "患者", birthDateEra: era, sexLabel: "女" }, consent, connectedOffices: ["A", "B"] }));
    const rows = Object.fromEntries(layout.sections.flatMap((s) => s.rows.map((r) => [r.label, r.value])));
    expect(rows["生年月日"]).toBe("昭和15年3月12日");
    expect(rows["同意年月日"]).toBe("令和8年11月1日");
    expect(rows["代理人氏名（自署）"]).toBe("");
    expect(rows["連携医療機関・介護事業所名"]).toBe("A、B");
  });

  it("lists 様式6's members with their permission", () => {
    const layout = formLayout(
      form("6", { requester: { officeName: "R" }, patient: {}, members: [{ officeName: "O", name: "N", jobTypeLabel: "看護師", permissionLabel: "閲覧・書込" }], reportTitles: ["訪問看護"] }),
    );
    expect(layout.tables[0]?.rows).toEqual([["O", "N", "看護師", "閲覧・書込"]]);
    const rows = Object.fromEntries(layout.sections.flatMap((s) => s.rows.map((r) => [r.label, r.value])));
    expect(rows["介護保険（認定）"]).toContain("要介護");
  });
});

describe("admin messages", () => {
  it("labels codes and falls back to the code", () => {
    expect(hasAdminKey("inv.state.used")).toBe(true);
    expect(label("inv.state", "used")).toBe(ta("inv.state.used"));
    expect(label("inv.state", "unknown")).toBe("unknown");
    expect(ta("inbox.days", { n: 3 })).toContain("3");
  });
});
