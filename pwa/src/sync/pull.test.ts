import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importDataKey, randomBytes } from "../crypto/keys";
import type { Change, PullRequest, PullResponse } from "./wire";
import { leakedSecrets, storedTexts } from "../db/stored-text.testing";
import { deleted, memberData, patientData, postData, reportTitleData, roomData } from "./wire-fixtures";

const ROOM = "01a217ec-0000-7000-8000-000000000001";
const OTHER = "01a217ec-0000-7000-8000-000000000002";

function post(id: string, room: string, version: number, body: string): Change {
  return {
    type: "post",
    op: "put",
    id,
    version,
    data: postData(id, room, version, { body, vitals: { systolic: 158 }, createdAt: `2026-11-2${version}T00:00:00Z` }),
  };
}

function firstPull(): PullResponse {
  return {
    cursor: "c1",
    rooms: {
      [ROOM]: {
        hasMore: true,
        changes: [
          { type: "room", op: "put", id: ROOM, version: 1, data: roomData(ROOM, { patientId: "pa1" }) },
          { type: "patient", op: "put", id: "pa1", version: 1, data: patientData("pa1") },
          { type: "member", op: "put", id: "m1", version: 1, data: memberData("m1", ROOM, "u1", { officeName: "みどり訪問看護ステーション", officePhone: "012-555-0105" }) },
          { type: "reportTitle", op: "put", id: "t1", version: 1, data: reportTitleData("t1", ROOM, { name: "バイタル", position: 1, vitals: true }) },
          post("p1", ROOM, 2, "血圧やや高め"),
        ],
      },
      [OTHER]: {
        hasMore: false,
        changes: [
          { type: "room", op: "put", id: OTHER, version: 1, data: roomData(OTHER, { patientId: "pa2" }) },
          { type: "patient", op: "put", id: "pa2", version: 1, data: patientData("pa2", { name: "石川 茂", nameKana: "イシカワ シゲル", sex: "male", birthDate: "1926-08-03", careLevel: "care_3" }) },
          post("p9", OTHER, 3, "別の部屋"),
        ],
      },
    },
    revokedRooms: [],
    resetRooms: [],
    lastMutationIds: {},
    wipe: false,
  };
}

beforeEach(async () => {
  vi.resetModules();
  const key = await importDataKey(randomBytes(32));
  (await import("../local/key")).setKey(key);
  await (await import("../db/database")).deleteDataDb();
});

afterEach(async () => {
  await (await import("../db/database")).closeDataDb();
});

function server(pages: PullResponse[]) {
  const requests: PullRequest[] = [];
  return {
    requests,
    transport: async (request: PullRequest) => {
      requests.push(request);
      const page = pages.shift();
      if (!page) throw new Error("no more pages");
      return page;
    },
  };
}

describe("pull", () => {
  it("applies pages until no room has more, storing the cursor with the data", async () => {
    const { pullAll, storedCursor } = await import("./pull");
    const { getAll } = await import("../db/database");
    const second: PullResponse = { cursor: "c2", rooms: { [ROOM]: { hasMore: false, changes: [post("p2", ROOM, 4, "二ページ目")] } }, revokedRooms: [], resetRooms: [], lastMutationIds: {}, wipe: false };
    const fake = server([firstPull(), second]);
    const report = await pullAll(fake.transport, 2);
    expect(fake.requests).toEqual([{ cursor: null, limit: 2 }, { cursor: "c1", limit: 2 }]);
    expect(report.pages).toBe(2);
    expect([...report.changedRooms].sort()).toEqual([ROOM, OTHER].sort());
    expect(await storedCursor()).toBe("c2");
    const posts = await getAll<{ id: string; version: number }>("posts", ROOM);
    expect(posts.map((p) => [p.id, p.version]).sort()).toEqual([["p1", 2], ["p2", 4]]);
  });

  it("deletes tombstones, purges revoked rooms entirely and refills reset rooms", async () => {
    const { pullAll } = await import("./pull");
    const { getAll, putOne, getOne, rawRecords } = await import("../db/database");
    await pullAll(server([{ ...firstPull(), rooms: { ...firstPull().rooms, [ROOM]: { ...firstPull().rooms[ROOM]!, hasMore: false } } }]).transport);
    await putOne("meta", `draft:${OTHER}`, { id: `draft:${OTHER}`, value: { body: "下書き" } });
    await putOne("photos", "ph1", { x: 1 }, OTHER);
    const next: PullResponse = {
      cursor: "c3",
      rooms: { [ROOM]: { hasMore: false, changes: [deleted("post", "p1", 5), post("p3", ROOM, 6, "再取得")] } },
      revokedRooms: [OTHER],
      resetRooms: [ROOM],
      lastMutationIds: {},
      wipe: false,
    };
    const report = await pullAll(server([next]).transport);
    expect([...report.revokedRooms]).toEqual([OTHER]);
    expect((await getAll<{ id: string }>("posts", ROOM)).map((p) => p.id)).toEqual(["p3"]);
    // Reset: the room's other records were purged before the refill.
    expect(await getAll("patients", ROOM)).toEqual([]);
    // Revoked: nothing of the room is left, not even its draft or photos.
    for (const store of ["rooms", "patients", "posts", "photos"] as const) {
      expect(JSON.stringify(await rawRecords(store))).not.toContain(OTHER);
    }
    expect(await getOne("meta", `draft:${OTHER}`)).toBeNull();
  });

  it("stores only ciphertext, with opaque ids as keys and index values", async () => {
    const { pullAll } = await import("./pull");
    const { rawRecords } = await import("../db/database");
    await pullAll(server([{ ...firstPull(), rooms: { ...firstPull().rooms, [ROOM]: { ...firstPull().rooms[ROOM]!, hasMore: false } } }]).transport);
    const stored = await Promise.all((["rooms", "patients", "members", "reportTitles", "posts", "meta"] as const).map((s) => rawRecords(s)));
    expect(storedTexts(stored).length).toBeGreaterThan(1); // the ciphertext itself was searched
    expect(leakedSecrets(stored, ["青木", "アオキ", "1930-04-12", "血圧", "158", "鈴木", "バイタル", "012-555"])).toEqual([]);
  });

  it("raises the local mutation counter to the server's last applied id", async () => {
    const { pullAll } = await import("./pull");
    const outbox = await import("./outbox");
    const clientId = await outbox.getClientId();
    await pullAll(server([{ cursor: "c", rooms: {}, revokedRooms: [], resetRooms: [], lastMutationIds: { [clientId]: 41 }, wipe: false }]).transport);
    expect((await outbox.enqueue("receipt.mark", { roomId: ROOM, upToVersion: 1 })).id).toBe(42);
  });
});

describe("local data store", () => {
  it("loads rooms, patients and care teams from the cache and opens a room newest first", async () => {
    const { pullAll } = await import("./pull");
    const data = await import("../local/data");
    await pullAll(server([{ ...firstPull(), rooms: { ...firstPull().rooms, [ROOM]: { ...firstPull().rooms[ROOM]!, changes: [...firstPull().rooms[ROOM]!.changes, post("p5", ROOM, 7, "最新")], hasMore: false } } }]).transport);
    await data.loadRooms();
    const state = data.getData();
    expect(state.rooms.map((r) => r.id).sort()).toEqual([ROOM, OTHER].sort());
    expect(state.patients.get(ROOM)?.name).toBe("青木 ハナ");
    expect(state.members.get(ROOM)?.[0]?.officePhone).toBe("012-555-0105");
    expect(state.titles.get(ROOM)?.[0]?.vitals).toBe(true);
    expect(state.summaries.get(ROOM)).toMatchObject({ postCount: 2, unread: 2, maxVersion: 7 });
    const open = (await data.openRoom(ROOM))!;
    expect(open.posts.map((p) => p.body)).toEqual(["最新", "血圧やや高め"]);
    data.clearData();
    expect(data.getData().rooms).toEqual([]);
  });
});
