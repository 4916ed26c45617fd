import "fake-indexeddb/auto";
import { openDB } from "idb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importDataKey, randomBytes } from "../crypto/keys";
import { seal } from "../crypto/records";
import type { Change, PullResponse } from "../sync/wire";
import { deleted, postData, pullAnswer, roomData } from "../sync/wire-fixtures";

const ROOM = "01a217ec-0000-7000-8000-000000000001";
const OTHER = "01a217ec-0000-7000-8000-000000000002";

/** Bytes that start like a JPEG (SOI + APP0 "JFIF"), as the server's thumbnails do. */
function jpeg(size: number, fill = 0x41): ArrayBuffer {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  return bytes.buffer;
}

function hasJpegMagic(buffer: ArrayBuffer | Uint8Array): boolean {
  const b = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xff && b[i + 1] === 0xd8 && b[i + 2] === 0xff) return true;
  return false;
}

function roomPut(id: string, status: "open" | "closed" = "open"): Change {
  return { type: "room", op: "put", id, version: 1, data: roomData(id, { status }) };
}

function postPut(id: string, room: string, attachmentIds: string[], version = 2): Change {
  return {
    type: "post",
    op: "put",
    id,
    version,
    data: postData(id, room, version, { body: "褥瘡の処置", attachmentIds, createdAt: "2026-11-26T00:00:00Z" }),
  };
}

function answer(rooms: Record<string, Change[]>, extra: Partial<PullResponse> = {}): PullResponse {
  return pullAnswer(rooms, { cursor: `c${Math.random()}`, ...extra });
}

let key: CryptoKey;

beforeEach(async () => {
  vi.resetModules();
  key = await importDataKey(randomBytes(32));
  (await import("./key")).setKey(key);
  await (await import("../db/database")).deleteDataDb();
});

afterEach(async () => {
  await (await import("../db/database")).closeDataDb();
});

async function modules() {
  return { thumbs: await import("./thumbnails"), db: await import("../db/database"), pull: await import("../sync/pull") };
}

/** A fetcher that answers from a table of bytes, recording how many run at once. */
function fakeFetcher(files: Record<string, ArrayBuffer | "gone" | "offline">) {
  const state = { inFlight: 0, maxInFlight: 0, calls: [] as string[] };
  const fetch = async (id: string): Promise<ArrayBuffer | "gone"> => {
    state.calls.push(id);
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    state.inFlight--;
    const file = files[id];
    if (file === undefined || file === "offline") throw new TypeError("Failed to fetch");
    return file;
  };
  return { fetch, state };
}

describe("what a pull means for thumbnails", () => {
  it("wants each new photo, drops deleted posts and closed rooms, ignores revoked rooms", async () => {
    const { thumbs } = await modules();
    const effects = thumbs.thumbnailEffects(
      answer(
        {
          [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ["a1", "a2"]), postPut("p2", ROOM, []), deleted("post", "p0", 3)],
          [OTHER]: [roomPut(OTHER, "closed"), postPut("p9", OTHER, ["a9"])],
          gone: [postPut("p8", "gone", ["a8"])],
        },
        { revokedRooms: ["gone"] },
      ),
    );
    expect(effects.wanted).toEqual([
      { attachmentId: "a1", roomId: ROOM, postId: "p1" },
      { attachmentId: "a2", roomId: ROOM, postId: "p1" },
    ]);
    expect(effects.deletedPosts).toEqual(["p0"]);
    expect(effects.closedRooms).toEqual([OTHER]);
  });
});

describe("background prefetch after a pull", () => {
  it("fetches new thumbnails two at a time, sealed, and does not hold up the pull", async () => {
    const { thumbs, pull, db } = await modules();
    const ids = ["a1", "a2", "a3", "a4", "a5"];
    // A fetcher that never answers: the pull must still finish.
    let started = 0;
    thumbs.setThumbnailFetcher(() => {
      started++;
      return new Promise(() => undefined);
    });
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ids.slice(0, 3)), postPut("p2", ROOM, ids.slice(3))] }));
    expect((await thumbs.wantedThumbnails()).map((r) => r.attachmentId).sort()).toEqual(ids);
    await vi.waitFor(() => expect(started).toBe(2)); // bounded: two in flight, the rest wait
    thumbs.setThumbnailFetcher(null);

    vi.resetModules(); // a fresh page: the hung run is gone, the wanted rows are not
    await db.closeDataDb();
    (await import("./key")).setKey(key);
    const again = await import("./thumbnails");
    const files = Object.fromEntries(ids.map((id, i) => [id, jpeg(2000 + i)]));
    const { fetch, state } = fakeFetcher(files);
    await again.prefetchThumbnails(fetch);
    expect(state.calls.sort()).toEqual(ids);
    expect(state.maxInFlight).toBe(2);
    expect(await again.wantedThumbnails()).toEqual([]);
    for (const [i, id] of ids.entries()) {
      expect(new Uint8Array((await again.getThumbnail(id))!)).toEqual(new Uint8Array(jpeg(2000 + i)));
    }
    // Encrypted at rest: the stored bytes are not the JPEG's, and nothing starts like one.
    const raw = (await (await import("../db/database")).rawRecords("thumbnails")) as { id: string; ct: ArrayBuffer; iv: Uint8Array; r: string; p: string }[];
    expect(raw).toHaveLength(5);
    for (const row of raw) {
      expect(Object.keys(row).sort()).toEqual(["ct", "id", "iv", "n", "p", "r", "s"]);
      expect(hasJpegMagic(row.ct)).toBe(false);
      expect(new Uint8Array(row.ct).slice(0, 2000)).not.toEqual(new Uint8Array(files[row.id] as ArrayBuffer).slice(0, 2000));
    }
  });

  it("retries later when offline, and gives up on photos the server will not serve", async () => {
    const { thumbs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ["a1", "a2", "a3"])] }));
    const offline = fakeFetcher({ a1: "offline", a2: "offline", a3: "offline" });
    await thumbs.prefetchThumbnails(offline.fetch);
    expect(offline.state.calls.length).toBeLessThanOrEqual(2); // stops at the first failure per worker
    expect((await thumbs.wantedThumbnails()).length).toBe(3);

    const online = fakeFetcher({ a1: jpeg(500), a2: "gone", a3: jpeg(600) });
    await thumbs.prefetchThumbnails(online.fetch);
    expect(await thumbs.wantedThumbnails()).toEqual([]);
    expect(await thumbs.getThumbnail("a1")).not.toBeNull();
    expect(await thumbs.getThumbnail("a2")).toBeNull();
    expect(await thumbs.getThumbnail("a3")).not.toBeNull();
  });

  it("does not fetch for a closed room, and a second pull does not fetch again", async () => {
    const { thumbs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ["a1"])] }));
    const first = fakeFetcher({ a1: jpeg(300) });
    await thumbs.prefetchThumbnails(first.fetch);
    expect(first.state.calls).toEqual(["a1"]);
    // An edit of the post comes back with the same attachment: nothing to fetch.
    await pull.pullAll(async () => answer({ [ROOM]: [postPut("p1", ROOM, ["a1"], 5)] }));
    const second = fakeFetcher({});
    await thumbs.prefetchThumbnails(second.fetch);
    expect(second.state.calls).toEqual([]);
    expect(await thumbs.getThumbnail("a1")).not.toBeNull();
  });
});

describe("size budget", () => {
  it("evicts the least recently used thumbnails first, down to the budget", async () => {
    const { thumbs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM)] }));
    for (const id of ["a1", "a2", "a3", "a4", "a5"]) {
      expect(await thumbs.putThumbnail({ attachmentId: id, roomId: ROOM, postId: "p1" }, jpeg(1000))).toBe(true);
    }
    await thumbs.getThumbnail("a1"); // shown again: now the most recently used
    const sealedSize = 1000 + 16; // AES-GCM adds a 16-byte tag
    const result = await thumbs.enforceBudget(3 * sealedSize + 10);
    expect(result).toEqual({ kept: 3 * sealedSize, evicted: 2 });
    const left = [];
    for (const id of ["a1", "a2", "a3", "a4", "a5"]) if (await thumbs.getThumbnail(id)) left.push(id);
    expect(left).toEqual(["a1", "a4", "a5"]);
    expect(thumbs.THUMBNAIL_BUDGET_BYTES).toBe(50 * 1024 * 1024);
  });

  it("keeps the prefetch within the budget it is given", async () => {
    const { thumbs, pull } = await modules();
    const ids = Array.from({ length: 8 }, (_, i) => `a${i}`);
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ids)] }));
    const { fetch } = fakeFetcher(Object.fromEntries(ids.map((id) => [id, jpeg(1000)])));
    await thumbs.prefetchThumbnails(fetch, { budget: 4 * 1016 });
    const raw = (await (await import("../db/database")).rawRecords("thumbnails")) as { n: number }[];
    expect(raw).toHaveLength(4);
    expect(raw.reduce((sum, r) => sum + r.n, 0)).toBeLessThanOrEqual(4 * 1016);
  });
});

describe("thumbnails go with their room", () => {
  async function filled() {
    const { thumbs, pull, db } = await modules();
    await pull.pullAll(async () =>
      answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ["a1"]), postPut("p2", ROOM, ["a2"])], [OTHER]: [roomPut(OTHER), postPut("p9", OTHER, ["a9"])] }),
    );
    await thumbs.prefetchThumbnails(fakeFetcher({ a1: jpeg(400), a2: jpeg(400), a9: jpeg(400) }).fetch);
    const ids = async () => ((await db.rawRecords("thumbnails")) as { id: string }[]).map((r) => r.id).sort();
    expect(await ids()).toEqual(["a1", "a2", "a9"]);
    return { thumbs, pull, db, ids };
  }

  it("purges a revoked room's thumbnails with its posts", async () => {
    const { pull, db, ids } = await filled();
    await pull.pullAll(async () => answer({}, { revokedRooms: [OTHER] }));
    expect(await ids()).toEqual(["a1", "a2"]);
    expect(JSON.stringify(await db.rawRecords("thumbnails"))).not.toContain(OTHER);
  });

  it("drops a closed room's thumbnails and a deleted post's", async () => {
    const { pull, ids } = await filled();
    await pull.pullAll(async () => answer({ [OTHER]: [roomPut(OTHER, "closed")], [ROOM]: [deleted("post", "p2", 9)] }));
    expect(await ids()).toEqual(["a1"]);
  });

  it("does not store a thumbnail that arrives after its room was revoked", async () => {
    const { thumbs, pull, db } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postPut("p1", ROOM, ["a1"])] }));
    let release: ((bytes: ArrayBuffer) => void) | null = null;
    const running = thumbs.prefetchThumbnails(() => new Promise((resolve) => (release = resolve)));
    await vi.waitFor(() => expect(release).not.toBeNull());
    await pull.pullAll(async () => answer({}, { revokedRooms: [ROOM] }));
    release!(jpeg(400));
    await running;
    expect(await db.rawRecords("thumbnails")).toEqual([]);
    // Nor one fetched on demand for a room this device no longer has.
    expect(await thumbs.putThumbnail({ attachmentId: "a1", roomId: ROOM, postId: "p1" }, jpeg(400))).toBe(false);
    expect(await db.rawRecords("thumbnails")).toEqual([]);
  });

  it("deletes every row on wipe, even when the database cannot be deleted at once", async () => {
    const { thumbs, db } = await filled();
    void thumbs;
    // Another tab keeps the database open (and ignores the request to close it).
    const other = await openDB(db.DATA_DB);
    const { wipeDevice } = await import("../wipe");
    await wipeDevice();
    expect(await other.count("thumbnails")).toBe(0);
    other.close();
  });
});

describe("schema upgrade 1 → current", () => {
  it("keeps the data a device already had, notes its older photos once and pulls every room afresh", async () => {
    // A device on schema 1, with one post carrying a photo.
    const v1 = await openDB("carebook", 1, {
      upgrade(database) {
        for (const name of ["rooms", "patients", "members", "reportTitles", "posts", "comments", "receipts", "photos"]) {
          database.createObjectStore(name, { keyPath: "id" }).createIndex("room", "r");
        }
        database.createObjectStore("outbox", { keyPath: "id" });
        database.createObjectStore("meta", { keyPath: "id" });
      },
    });
    const post = postPut("p1", ROOM, ["a1"]).data;
    await v1.put("posts", { id: "p1", r: ROOM, ...(await seal(key, "posts", "p1", post)) });
    await v1.put("rooms", { id: ROOM, r: ROOM, ...(await seal(key, "rooms", ROOM, { id: ROOM, status: "open" })) });
    await v1.put("meta", { id: "cursor", ...(await seal(key, "meta", "cursor", { id: "cursor", value: "c7" })) });
    v1.close();

    const { thumbs, db, pull } = await modules();
    const database = await db.dataDb();
    expect(database.version).toBe(db.DATA_DB_VERSION);
    // Schema 3 adds thresholds, addressees and personal state: rooms are served again from scratch.
    expect(await pull.storedCursor()).toBeNull();
    expect((await db.getAll<{ body: string }>("posts", ROOM)).map((p) => p.body)).toEqual(["褥瘡の処置"]);
    expect([...database.objectStoreNames]).toEqual(expect.arrayContaining(["thumbnails", "thresholds", "addressees", "personal"]));

    const { fetch, state } = fakeFetcher({ a1: jpeg(700) });
    await thumbs.prefetchThumbnails(fetch);
    expect(state.calls).toEqual(["a1"]);
    expect(await thumbs.getThumbnail("a1")).not.toBeNull();
    expect(await database.getKey("meta", db.THUMBNAIL_BACKFILL_MARK)).toBeUndefined();
  });
});

describe("thumbnailUrl", () => {
  it("reads the encrypted copy first, and keeps what it fetched", async () => {
    const { thumbs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM)] }));
    await thumbs.putThumbnail({ attachmentId: "a1", roomId: ROOM, postId: "p1" }, jpeg(800));
    const fetchMock = vi.fn(async () => new Response(new Uint8Array(jpeg(900)), { status: 200, headers: { "Content-Type": "image/jpeg" } }));
    vi.stubGlobal("fetch", fetchMock);
    const remote = await import("../sync/remote");
    expect(await remote.thumbnailUrl("a1", false, { roomId: ROOM, postId: "p1", keep: true })).toMatch(/^blob:/);
    expect(fetchMock).not.toHaveBeenCalled();

    expect(await remote.thumbnailUrl("a2", false, { roomId: ROOM, postId: "p2", keep: true })).toMatch(/^blob:/);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String((fetchMock.mock.calls[0] as unknown[])[0])).toBe("/api/attachments/a2/thumbnail");
    await vi.waitFor(async () => expect(await thumbs.getThumbnail("a2")).not.toBeNull());

    // A closed room's photo is shown but not kept.
    expect(await remote.thumbnailUrl("a3", false, { roomId: ROOM, postId: "p3", keep: false })).toMatch(/^blob:/);
    await new Promise((r) => setTimeout(r, 20));
    expect(await thumbs.getThumbnail("a3")).toBeNull();
    vi.unstubAllGlobals();
  });
});
