import { describe, expect, it } from "vitest";
import { isNetworkOnly, notificationFor, parsePush, roomUrl, wipedText } from "./sw-logic";

const ORIGIN = "https://carebook.example.jp";

describe("service worker rules", () => {
  it("never answers API requests, other origins or writes from the cache", () => {
    expect(isNetworkOnly(new URL(`${ORIGIN}/api/sync/pull`), "POST", ORIGIN)).toBe(true);
    expect(isNetworkOnly(new URL(`${ORIGIN}/api/attachments/1/thumbnail`), "GET", ORIGIN)).toBe(true);
    expect(isNetworkOnly(new URL(`${ORIGIN}/api`), "GET", ORIGIN)).toBe(true);
    expect(isNetworkOnly(new URL("https://elsewhere.example/x.js"), "GET", ORIGIN)).toBe(true);
    expect(isNetworkOnly(new URL(`${ORIGIN}/assets/index-abc.js`), "GET", ORIGIN)).toBe(false);
    expect(isNetworkOnly(new URL(`${ORIGIN}/apiary.png`), "GET", ORIGIN)).toBe(false);
  });

  it("shows generic text with one tag per room, renotifying urgent posts", () => {
    const plain = notificationFor({ type: "post", room: "01a2-b3", count: 1, urgent: false });
    expect(plain).toMatchObject({ title: "carebook", options: { body: "新しい投稿があります", tag: "room-01a2-b3", renotify: false, data: { room: "01a2-b3" } } });
    const urgent = notificationFor({ type: "post", room: "r1", count: 3, urgent: true, label: "A棟" });
    expect(urgent?.options).toMatchObject({ body: "至急の投稿があります（3件）：A棟", tag: "room-r1", renotify: true });
  });

  it("says a post is addressed to me, still without saying anything about it", () => {
    const mine = notificationFor({ type: "post", room: "r1", count: 1, urgent: false, addressed: true });
    expect(mine?.options).toMatchObject({ body: "あなた宛ての投稿があります", renotify: true });
    const urgentMine = notificationFor({ type: "post", room: "r1", count: 2, urgent: true, addressed: true });
    expect(urgentMine?.options.body).toBe("あなた宛ての至急の投稿があります（2件）");
  });

  it("ignores malformed payloads and room ids that are not opaque ids", () => {
    expect(parsePush("not json")).toBeNull();
    expect(parsePush(JSON.stringify({ no: "type" }))).toBeNull();
    expect(parsePush(JSON.stringify({ type: "wipe" }))).toEqual({ type: "wipe" });
    expect(notificationFor({ type: "post", room: "<script>" })).toBeNull();
    expect(notificationFor({ type: "wipe" })).toBeNull();
  });

  it("opens the room's contact book on click", () => {
    expect(roomUrl(ORIGIN, "r1")).toBe(`${ORIGIN}/#/rooms/r1`);
    expect(roomUrl(ORIGIN, null)).toBe(`${ORIGIN}/`);
  });

  it("a push-ordered wipe says how many unsent records it erased, and no more than a count", () => {
    expect(wipedText(0)).toBe("この端末のcarebookデータを消去しました");
    expect(wipedText(3)).toBe("この端末のcarebookデータを消去しました。まだ送信していなかった記録 3 件も消去されました。もう一度書いてください");
    expect(wipedText(null)).toContain("未送信の記録があった場合");
  });
});
