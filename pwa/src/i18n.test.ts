import { beforeEach, describe, expect, it } from "vitest";
import { getLang, LANG_STORAGE_KEY, messages, reloadLang, setLang, t } from "./i18n";

describe("i18n", () => {
  beforeEach(() => {
    localStorage.clear();
    reloadLang();
  });

  it("speaks Japanese by default", () => {
    expect(getLang()).toBe("ja");
    expect(t("signin.submit")).toBe("ログイン");
    expect(t("notice.sessionExpired")).toBe("セッションの有効期限が切れました。もう一度ログインしてください。");
  });

  it("switches to English, stores the choice and sets the document language", () => {
    setLang("en");
    expect(t("signin.submit")).toBe("Sign in");
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe("en");
    expect(document.documentElement.lang).toBe("en");
    reloadLang(); // as after a reload of the page
    expect(getLang()).toBe("en");
  });

  it("ignores an unknown stored language", () => {
    localStorage.setItem(LANG_STORAGE_KEY, "fr");
    expect(reloadLang()).toBe("ja");
  });

  it("fills placeholders", () => {
    expect(t("home.greeting", { name: "山田 花子" })).toBe("山田 花子さん、こんにちは");
    setLang("en");
    expect(t("home.greeting", { name: "Hanako" })).toBe("Hello, Hanako");
  });

  it("has every key in both tables, none empty", () => {
    const jaKeys = Object.keys(messages.ja).sort();
    const enKeys = Object.keys(messages.en).sort();
    expect(enKeys).toEqual(jaKeys);
    for (const key of jaKeys) {
      expect(messages.ja[key as keyof typeof messages.ja].trim(), key).not.toBe("");
      expect(messages.en[key as keyof typeof messages.en].trim(), key).not.toBe("");
    }
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages.ja) as (keyof typeof messages.ja)[]) {
      expect(names(messages.en[key]), key).toEqual(names(messages.ja[key]));
    }
  });
});
