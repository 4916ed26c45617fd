import { beforeEach, describe, expect, it } from "vitest";
import { reloadLang, setLang } from "../i18n";
import { codeLabel, codeOptions, codesOf } from "./labels";

describe("labels of the server's codes", () => {
  beforeEach(() => {
    localStorage.clear();
    reloadLang();
  });

  it("speaks the manual's words in Japanese and English words in English", () => {
    expect(codeLabel("applicationKind", "idCareManager")).toBe("利用登録依頼（様式2-2C・4-1）");
    expect(codeLabel("permission", "read")).toBe("閲覧のみ");
    expect(codeLabel("careLevel", "care_3")).toBe("要介護3");
    setLang("en");
    expect(codeLabel("careLevel", "care_3")).toBe("Care level 3");
    expect(codeLabel("applicationKind", "idStop")).toBe("ID stop request (form 3)");
  });

  it("falls back to the server's label, then to the code, for a code it does not know", () => {
    expect(codeLabel("applicationKind", "roomMerge", "部屋の統合依頼")).toBe("部屋の統合依頼");
    expect(codeLabel("applicationKind", "roomMerge")).toBe("roomMerge");
    expect(codeLabel("sex", null)).toBe("");
  });

  it("lists codes in the server's order, as 様式6 lists care levels", () => {
    expect(codesOf("careLevel")).toEqual(["none", "applying", "support_1", "support_2", "care_1", "care_2", "care_3", "care_4", "care_5"]);
    expect(codeOptions("sex", ["male", "female"])).toEqual([
      { value: "male", label: "男" },
      { value: "female", label: "女" },
    ]);
  });
});
