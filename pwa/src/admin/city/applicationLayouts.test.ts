import { beforeEach, describe, expect, it } from "vitest";
import { LABELS } from "../../generated/labels";
import { reloadLang } from "../../i18n";
import type { Application, UserRef } from "../api";
import { APPLICATION_LAYOUTS, applicationSections, eraWithWestern } from "./applicationLayouts";
import { subjectOf } from "./shared";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function user(id: string, name: string, jobType: string, jobTypeLabel: string, officeName: string): UserRef {
  return { id, loginId: name, name, nameKana: "", jobType, jobTypeLabel, role: "member", status: "active", officeId: null, officeName, officeKind: null, visitsHomes: false };
}

const DOCTOR = user("0190aaaa-0000-7000-8000-000000000001", "佐藤 一郎", "doctor", "医師", "みどりクリニック");
const NURSE = user("0190aaaa-0000-7000-8000-000000000002", "鈴木 真理子", "nurse", "看護師", "みどり訪問看護ステーション");

function application(kind: string, payload: Record<string, unknown>, extra: Partial<Application> = {}): Application {
  return {
    id: "0190bbbb-0000-7000-8000-000000000009",
    kind,
    kindLabel: "",
    forms: [],
    state: "submitted",
    office: { id: "0190cccc-0000-7000-8000-000000000003", name: "みどり居宅介護支援事業所", kind: "care_management_office", kindLabel: "居宅介護支援事業所" },
    applicant: null,
    invitationId: null,
    subjectUser: null,
    room: null,
    payload,
    users: [DOCTOR, NURSE],
    reason: null,
    reviewer: null,
    reviewedAt: null,
    createdAt: "2026-04-01T00:00:00Z",
    updatedAt: "2026-04-01T00:00:00Z",
    ageDays: 0,
    history: [],
    ...extra,
  };
}

function text(a: Application): string {
  return JSON.stringify(applicationSections(a));
}

describe("an application laid out as its form", () => {
  beforeEach(() => {
    localStorage.clear();
    reloadLang();
  });

  it("has a layout for every kind the server knows", () => {
    expect(Object.keys(LABELS.applicationKind).filter((kind) => !APPLICATION_LAYOUTS[kind])).toEqual([]);
  });

  it("shows a room-opening request under 様式6's and 様式5's labels, with era dates and members by name", () => {
    const a = application("roomOpen", {
      patient: { name: "青木 ハナ", nameKana: "あおき はな", sex: "female", birthDate: "1940-03-12", address: "みどり市中央1-1", careLevel: "care_3", postalCode: "", phone: "", insuredNumber: "1234567890" },
      consent: { date: "2026-03-30", signedBy: "proxy", explainedBy: "小池 ケア", proxyName: "青木 太郎", proxyRelationship: "長男" },
      members: [
        { userId: DOCTOR.id, permission: "write" },
        { userId: NURSE.id, permission: "read" },
      ],
      reportTitles: [],
      requester: { representative: "代表 一郎" },
    });
    const sections = applicationSections(a)!;
    expect(sections.map((s) => s.heading)).toEqual(["様式6 申請者", "様式6 作成依頼内容（部屋情報）", "様式6 利用設定（部屋利用者）", "ケアレポート標題", "様式5 情報共有同意書"]);
    const room = Object.fromEntries(sections[1]!.rows!.map((r) => [r.label, r.value]));
    expect(room["生年月日"]).toBe("昭和15年3月12日（1940年3月12日）");
    expect(room["介護保険（認定）"]).toBe("要介護3");
    expect(room["性別"]).toBe("女");
    expect(sections[2]!.table!.rows).toEqual([
      ["みどりクリニック", "佐藤 一郎", "医師", "閲覧・書込"],
      ["みどり訪問看護ステーション", "鈴木 真理子", "看護師", "閲覧のみ"],
    ]);
    const consent = Object.fromEntries(sections[4]!.rows!.map((r) => [r.label, r.value]));
    expect(consent["同意年月日"]).toBe("令和8年3月30日（2026年3月30日）");
    expect(consent["署名"]).toBe("代理人");
    const all = text(a);
    for (const leak of ["nameKana", "careLevel", "care_3", "female", "write", "proxy", "birthDate"]) expect(all).not.toContain(`"${leak}"`);
    expect(all).not.toMatch(UUID);
  });

  it("names the person of an ID stop, and a member it cannot find without showing the id", () => {
    const stop = application("idStop", { userId: NURSE.id, reason: "退職", date: "2026-05-01" }, { subjectUser: NURSE });
    const rows = applicationSections(stop)![0]!.rows!;
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ["ID停止の対象者", "鈴木 真理子（看護師・みどり訪問看護ステーション）"],
      ["停止理由", "退職"],
      ["停止希望日", "令和8年5月1日（2026年5月1日）"],
    ]);
    const join = application("roomJoin", { roomId: "0190dddd-0000-7000-8000-000000000004", members: [{ userId: "0190eeee-0000-7000-8000-000000000005", permission: "read" }] });
    expect(text(join)).toContain("（見つからないシステム利用者）");
    expect(text(join)).toContain("（見つからない部屋）");
    expect(text(join)).not.toMatch(UUID);
  });

  it("shows the patient a joining office names by era date, entered as an era date", () => {
    const join = application("roomJoin", { patient: { name: "青木 ハナ", birthDate: { era: "showa", year: 15, month: 3, day: 12 }, insuredNumber: "" }, members: [{ userId: NURSE.id, permission: "write" }] });
    const patient = Object.fromEntries(applicationSections(join)![1]!.rows!.map((r) => [r.label, r.value]));
    expect(patient["生年月日"]).toBe("昭和15年3月12日（1940年3月12日）");
    expect(applicationSections(join)![2]!.table!.rows).toEqual([["みどり訪問看護ステーション", "鈴木 真理子", "看護師", "閲覧・書込"]]);
  });

  it("shows every kind an office files now: an invited doctor's home visits, a room request's 主治医 and 説明者, the joining office, a removal by name", () => {
    const invited = application("idInvited", { name: "佐藤 一郎", nameKana: "さとう いちろう", jobType: "doctor", email: "sato@example.jp", phone: "", officeId: "0190cccc-0000-7000-8000-000000000003", visitsHomes: true, pledge: { form: "4-2", version: "2026-04" } });
    const person = Object.fromEntries(applicationSections(invited)![0]!.rows!.map((r) => [r.label, r.value]));
    expect(person["職種"]).toBe("医師");
    expect(person["訪問診療・訪問看護を行う（医師・看護師）"]).toBe("行う");
    expect(person["所属事業所"]).toBe("みどり居宅介護支援事業所");
    const clerk = application("idInvited", { name: "田中 花子", nameKana: "たなか はなこ", jobType: "other", email: "t@example.jp", visitsHomes: null, pledge: { version: "2026-04" } });
    expect(Object.fromEntries(applicationSections(clerk)![0]!.rows!.map((r) => [r.label, r.value]))["訪問診療・訪問看護を行う（医師・看護師）"]).toBe("");

    const open = application("roomOpen", {
      patient: { name: "青木 ハナ", nameKana: "あおき はな", sex: "female", birthDate: "1940-03-12", address: "みどり市中央1-1", careLevel: "care_3", attendingPhysician: "佐藤 一郎", emergencyContactName: "青木 太郎", emergencyContactRelationship: "長男", emergencyContactPhone: "090-0000-0000" },
      consent: { date: "2026-03-30", signedBy: "patient", explainedBy: "小池 ケア", explainerOffice: "みどり居宅介護支援事業所" },
      members: [],
    });
    const sections = applicationSections(open)!;
    const room = Object.fromEntries(sections[1]!.rows!.map((r) => [r.label, r.value]));
    expect(room["主治医"]).toBe("佐藤 一郎");
    expect(room["緊急連絡先（続柄）"]).toBe("長男");
    const consent = sections[4]!.rows!.map((r) => [r.label, r.value]);
    expect(consent.slice(-2)).toEqual([
      ["説明者（事業所名）", "みどり居宅介護支援事業所"],
      ["説明者（氏名）", "小池 ケア"],
    ]);

    const join = application("roomJoin", { patient: { name: "青木 ハナ", birthDate: "1940-03-12" }, members: [{ userId: DOCTOR.id, permission: "write" }] });
    const asked = Object.fromEntries(applicationSections(join)![0]!.rows!.map((r) => [r.label, r.value]));
    expect(asked["参加事業所"]).toBe("みどり居宅介護支援事業所");
    expect(asked["部屋"]).toBe("（市が患者（利用者）の情報から照合します）");

    const roomRef = { id: "0190dddd-0000-7000-8000-000000000004", label: "青木さん", patientName: "青木 ハナ" } as unknown as Application["room"];
    const remove = application("memberRemove", { roomId: "0190dddd-0000-7000-8000-000000000004", userId: NURSE.id, reason: "担当交代" }, { room: roomRef });
    expect(applicationSections(remove)![0]!.rows!.map((r) => [r.label, r.value])).toEqual([
      ["部屋", "青木 ハナ（部屋名：青木さん）"],
      ["削除を依頼する参加者", "鈴木 真理子（看護師・みどり訪問看護ステーション）"],
      ["削除の理由", "担当交代"],
    ]);
    for (const a of [invited, open, join, remove]) {
      expect(text(a)).not.toMatch(UUID);
      expect(text(a)).not.toContain("visitsHomes");
    }
  });

  it("lists a join in the inbox by its patient, a removal by the member it removes", () => {
    const join = application("roomJoin", { patient: { name: "青木 ハナ", birthDate: "1940-03-12" }, members: [{ userId: NURSE.id }] }, { subjectUser: NURSE });
    expect(subjectOf(join)).toBe("青木 ハナ");
    const remove = application("memberRemove", { roomId: "0190dddd-0000-7000-8000-000000000004", userId: NURSE.id, reason: "担当交代" }, { subjectUser: NURSE });
    expect(subjectOf(remove)).toBe("鈴木 真理子");
  });

  it("writes an era's first year as 元年", () => {
    expect(eraWithWestern("2019-05-01")).toBe("令和元年5月1日（2019年5月1日）");
  });
});
