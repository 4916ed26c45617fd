import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { importDataKey, randomBytes } from "../crypto/keys";
import { writeBatch, type Write } from "../db/database";
import { getData, openRoom, reloadOpenRoom } from "./data";
import { setKey } from "./key";

function post(roomId: string, i: number): Write {
  const id = `${roomId}-p${i}`;
  const value = { id, roomId, authorId: "u1", reportTitleId: null, kind: "normal", body: `本文 ${i}`, urgent: false, vitals: null, attachmentIds: [], createdAt: `2026-12-01T00:00:${String(i % 60).padStart(2, "0")}Z`, editedAt: null, version: i };
  return { store: "posts", op: "put", id, room: roomId, value };
}

beforeEach(async () => {
  setKey(await importDataKey(randomBytes(32)));
  // Room A is big (slow to decrypt), room B small: A's opening finishes after B's.
  await writeBatch(Array.from({ length: 400 }, (_, i) => post("room-a", i)));
  await writeBatch([post("room-b", 1)]);
});

describe("opening rooms while a sync reloads another (issue 13: a room stuck on 「読み込み中…」)", () => {
  it("the room asked for last is the one left open, whichever decryption ends last", async () => {
    // The sync reloads room A (where the nurse just posted) while she switches to room B.
    const slow = openRoom("room-a");
    const fast = openRoom("room-b");
    await Promise.all([slow, fast]);
    expect(getData().open?.roomId).toBe("room-b");
    expect(await slow).toBeNull();
    expect((await fast)?.posts.length).toBe(1);
  });

  it("a sync that changed the room just left does not bring it back; one that changed the room shown reloads it", async () => {
    await openRoom("room-a");
    const switching = openRoom("room-b");
    await reloadOpenRoom(new Set(["room-a"])); // the pull began while A was open
    await switching;
    expect(getData().open?.roomId).toBe("room-b");
    await writeBatch([post("room-b", 2)]);
    await reloadOpenRoom(new Set(["room-b"]));
    expect(getData().open?.roomId).toBe("room-b");
    expect(getData().open?.posts.map((p) => p.id).sort()).toEqual(["room-b-p1", "room-b-p2"]);
  });
});
