import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addNotice, getState, NOTICE_MS, resetState, setState } from "./store";

beforeEach(() => {
  vi.useFakeTimers();
  resetState();
});
afterEach(() => vi.useRealTimers());

describe("notices (issue 13: success notices stacked and stayed)", () => {
  it("a success or info notice goes by itself; an error stays until read", () => {
    addNotice("success", "パスコードを設定しました。");
    addNotice("error", "送信できませんでした。");
    vi.advanceTimersByTime(NOTICE_MS - 1);
    expect(getState().notices).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(getState().notices.map((n) => n.text)).toEqual(["送信できませんでした。"]);
  });

  it("the next screen starts clean, but keeps what was raised for the move itself", () => {
    setState({ screen: "setPasscode" });
    addNotice("error", "古いお知らせ");
    vi.advanceTimersByTime(5000);
    addNotice("success", "パスコードを設定しました。");
    setState({ screen: "home" });
    expect(getState().notices.map((n) => n.text)).toEqual(["パスコードを設定しました。"]);
    vi.advanceTimersByTime(5000);
    setState({ screen: "settings" });
    expect(getState().notices).toEqual([]);
  });

  it("the same text is shown once, not stacked", () => {
    for (let i = 0; i < 3; i++) addNotice("success", "パスコードを設定しました。");
    expect(getState().notices).toHaveLength(1);
  });
});
