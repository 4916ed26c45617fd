import { describe, expect, it } from "vitest";
import { ageOn, formatEraDate, toEra, todayInJapan } from "./era";
import { flagsFor, normaliseNumber, parseVitals, rangesInForce } from "./vitals";
import { summarize, sortPosts } from "./data";
import type { PostData } from "../sync/wire";
import { postData } from "../sync/wire-fixtures";

describe("Japanese era", () => {
  it.each([
    ["1930-04-12", "昭和5年4月12日"],
    ["1926-08-03", "大正15年8月3日"],
    ["1926-12-25", "昭和元年12月25日"],
    ["1926-12-24", "大正15年12月24日"],
    ["1989-01-07", "昭和64年1月7日"],
    ["1989-01-08", "平成元年1月8日"],
    ["2019-04-30", "平成31年4月30日"],
    ["2019-05-01", "令和元年5月1日"],
    ["2026-11-26", "令和8年11月26日"],
    ["1912-07-29", "明治45年7月29日"],
    ["1912-07-30", "大正元年7月30日"],
    // Meiji counts from 1868-01-25 (server/japan.py says why); the server's table, generated.
    ["1868-01-25", "明治元年1月25日"],
    ["1868-10-22", "明治元年10月22日"],
  ])("%s → %s", (date, expected) => {
    expect(formatEraDate(date)).toBe(expected);
  });

  it("has no era before Meiji and names it in English", () => {
    expect(toEra("1850-01-01")).toBeNull();
    expect(toEra("1868-01-24")).toBeNull();
    expect(formatEraDate("1930-04-12", "en")).toBe("Shōwa 5");
  });

  it("counts full years of age, the birthday included", () => {
    expect(ageOn("1930-04-12", "2026-04-11")).toBe(95);
    expect(ageOn("1930-04-12", "2026-04-12")).toBe(96);
    expect(ageOn("bad", "2026-04-12")).toBeNull();
  });

  it("takes today in Japan time", () => {
    expect(todayInJapan(new Date("2026-11-26T16:00:00Z"))).toBe("2026-11-27");
    expect(todayInJapan(new Date("2026-11-26T14:59:00Z"))).toBe("2026-11-26");
  });
});

describe("vitals form", () => {
  it("accepts plausible values, full-width digits and a comma", () => {
    const { vitals, errors } = parseVitals({ systolic: "１５８", diastolic: "88", temperature: "36,4", spo2: "96" });
    expect(errors).toEqual([]);
    expect(vitals).toEqual({ systolic: 158, diastolic: 88, temperature: 36.4, spo2: 96 });
  });

  it("refuses typos outside the plausible range, too many decimals and text", () => {
    const { errors } = parseVitals({ systolic: "1580", temperature: "36.45", pulse: "abc", spo2: "101" });
    expect(errors.map((e) => [e.key, e.problem])).toEqual([
      ["systolic", "range"],
      ["pulse", "number"],
      ["temperature", "decimals"],
      ["spo2", "range"],
    ]);
  });

  it("refuses a diastolic pressure not below the systolic", () => {
    expect(parseVitals({ systolic: "120", diastolic: "130" }).errors).toEqual([{ key: "diastolic", problem: "range" }]);
  });

  it("leaves out empty fields and flags out-of-range values as the server does", () => {
    expect(parseVitals({ systolic: "", pulse: " 72 " }).vitals).toEqual({ pulse: 72 });
    const defaults = rangesInForce([]);
    expect(flagsFor({ spo2: 86, systolic: 180, temperature: 37.9, pulse: 50 }, defaults)).toEqual({ spo2: "low", systolic: "high" });
    // SpO2 95 is inside the default range: neither the form nor the card marks it.
    expect(flagsFor({ spo2: 95 }, defaults)).toEqual({});
    expect(flagsFor({ temperature: 38.0, bloodGlucose: 65 }, defaults)).toEqual({ temperature: "high", bloodGlucose: "low" });
    expect(normaliseNumber(" ３６．５ ")).toBe("36.5");
  });

  it("lays the patient's own thresholds over the defaults", () => {
    const own = rangesInForce([{ id: "t", roomId: "r", sign: "spo2", low: 85, high: null, setBy: "u", setAt: "2026-12-06T00:00:00Z" }]);
    expect(flagsFor({ spo2: 88 }, own)).toEqual({});
    expect(flagsFor({ spo2: 84, pulse: 130 }, own)).toEqual({ spo2: "low", pulse: "high" });
  });
});

function post(id: string, createdAt: string, version: number, extra: Partial<PostData> = {}): PostData {
  return postData(id, "r", version, { authorId: "other", reportTitleId: "t", createdAt, ...extra });
}

describe("room summary", () => {
  it("counts unread posts by others after my receipt, flags urgent ones, names the last post", () => {
    const posts = [
      post("a", "2026-11-20T01:00:00Z", 1),
      post("b", "2026-11-21T01:00:00Z", 2, { urgent: true }),
      post("c", "2026-11-22T01:00:00Z", 3, { authorId: "me" }),
      post("d", "2026-11-19T01:00:00Z", 4),
    ];
    const s = summarize("r", posts, 1, "me");
    expect(s).toMatchObject({ unread: 2, urgentUnread: true, maxVersion: 4, postCount: 4 });
    expect(s.lastPost?.body).toBe("body c");
    expect(summarize("r", posts, 4, "me")).toMatchObject({ unread: 0, urgentUnread: false });
  });

  it("sorts newest first", () => {
    const sorted = sortPosts([post("a", "2026-11-20T01:00:00Z", 1), post("b", "2026-11-22T01:00:00Z", 2), post("c", "2026-11-21T01:00:00Z", 3)]);
    expect(sorted.map((p) => p.id)).toEqual(["b", "c", "a"]);
  });
});

describe("templates", () => {
  it("fills the placeholders on the device, in Japan's time", async () => {
    const { fillTemplate } = await import("./templates");
    const text = fillTemplate("{日付} {時刻} {患者名}様 担当:{自分の名前} {不明}", {
      patientName: "青木 ハナ",
      myName: "鈴木 真理子",
      now: new Date("2026-12-05T23:30:00Z"),
    });
    expect(text).toBe("2026/12/6 08:30 青木 ハナ様 担当:鈴木 真理子 {不明}");
  });
});
