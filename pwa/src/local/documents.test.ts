import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importDataKey, randomBytes } from "../crypto/keys";
import type { Change, DocumentRef, PullResponse } from "../sync/wire";
import { deleted, postData, pullAnswer, roomData } from "../sync/wire-fixtures";

const ROOM = "01a217ec-0000-7000-8000-000000000001";
const OTHER = "01a217ec-0000-7000-8000-000000000002";
const MB = 1024 * 1024;

/** Bytes that start like a PDF, as the server's documents do. */
function pdf(size: number, fill = 0x30): ArrayBuffer {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([...new TextEncoder().encode("%PDF-1.7\n")]);
  return bytes.buffer;
}

function roomPut(id: string, status: "open" | "closed" = "open"): Change {
  return { type: "room", op: "put", id, version: 1, data: roomData(id, { status }) };
}

/** A post with documents (their ids also in attachmentIds, as the server sends them). */
function postWith(id: string, room: string, docs: DocumentRef[], photos: string[] = [], version = 2): Change {
  return {
    type: "post",
    op: "put",
    id,
    version,
    data: postData(id, room, version, { attachmentIds: [...photos, ...docs.map((d) => d.id)], documents: docs }),
  };
}

function doc(id: string, size: number): DocumentRef {
  return { id, name: `${id}.pdf`, pages: 2, size };
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
  return { docs: await import("./documents"), pull: await import("../sync/pull"), db: await import("../db/database") };
}

/** A fetcher answering from a table; records the order of the calls. */
function fetcher(files: Record<string, ArrayBuffer | "gone">) {
  const calls: string[] = [];
  const fetch = async (id: string): Promise<ArrayBuffer | "gone"> => {
    calls.push(id);
    const file = files[id];
    if (file === undefined) throw new TypeError("Failed to fetch");
    return file;
  };
  return { fetch, calls };
}

describe("what a pull means for documents", () => {
  it("wants each post's documents with their sizes, not its photos; drops deleted posts and closed rooms", async () => {
    const { docs } = await modules();
    const effects = docs.documentEffects(
      answer({
        [ROOM]: [roomPut(ROOM), postWith("p1", ROOM, [doc("d1", 3 * MB)], ["photo1"]), deleted("post", "p0", 3)],
        [OTHER]: [roomPut(OTHER, "closed"), postWith("p9", OTHER, [doc("d9", MB)])],
      }),
    );
    expect(effects.wanted).toEqual([{ attachmentId: "d1", roomId: ROOM, postId: "p1", size: 3 * MB }]);
    expect(effects.deletedPosts).toEqual(["p0"]);
    expect(effects.closedRooms).toEqual([OTHER]);
  });

  it("reads posts cached before documents existed as having none", async () => {
    const { docs } = await modules();
    const { documents: _none, ...old } = postData("p1", ROOM, 2);
    expect(docs.documentsOf(old as never)).toEqual([]);
  });
});

describe("the background fill", () => {
  it("fetches the newest documents first, sealed, only while they fit the budget, and evicts nothing", async () => {
    const { docs, pull, db } = await modules();
    // d1 is the oldest (ids are time-ordered UUIDv7 on the server; here, in name order).
    const sizes = { d1: 40 * MB, d2: 30 * MB, d3: 50 * MB };
    await pull.pullAll(async () =>
      answer({ [ROOM]: [roomPut(ROOM), postWith("p1", ROOM, [doc("d1", sizes.d1)]), postWith("p2", ROOM, [doc("d2", sizes.d2)]), postWith("p3", ROOM, [doc("d3", sizes.d3)])] }),
    );
    const { fetch, calls } = fetcher({ d1: pdf(1000), d2: pdf(2000), d3: pdf(3000) });
    // 100 MB: d3 (50) and d2 (30) fit, d1 (40) would not.
    await docs.documents.prefetch(fetch, { budget: 100 * MB });
    expect(calls).toEqual(["d3", "d2"]);
    expect(new Uint8Array((await docs.documents.get("d3"))!)).toEqual(new Uint8Array(pdf(3000)));
    expect(await docs.documents.has("d1")).toBe(false);
    expect((await docs.documents.wanted()).map((r) => r.attachmentId)).toEqual(["d1"]);
    // Sealed at rest: the stored bytes do not start like a PDF.
    const raw = (await db.rawRecords("documents")) as { ct?: ArrayBuffer }[];
    for (const row of raw.filter((r) => r.ct)) expect(new TextDecoder().decode(new Uint8Array(row.ct!).slice(0, 5))).not.toBe("%PDF-");
    // A larger budget lets the next run take the rest.
    const again = fetcher({ d1: pdf(1000) });
    await docs.documents.prefetch(again.fetch, { budget: 200 * MB });
    expect(again.calls).toEqual(["d1"]);
    expect(await docs.documents.wanted()).toEqual([]);
  });

  it("keeps nothing with a budget of zero", async () => {
    const { docs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postWith("p1", ROOM, [doc("d1", 1000)])] }));
    const { fetch, calls } = fetcher({ d1: pdf(1000) });
    await docs.documents.prefetch(fetch, { budget: 0 });
    expect(calls).toEqual([]);
  });
});

describe("the budget the user chooses", () => {
  it("defaults to 100 MB, offers only listed sizes, and a smaller one evicts the least recently opened", async () => {
    const { docs, pull } = await modules();
    expect(await docs.documentBudget()).toBe(100 * MB);
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM)] }));
    for (const id of ["d1", "d2", "d3"]) {
      expect(await docs.documents.put({ attachmentId: id, roomId: ROOM, postId: "p1" }, pdf(30 * MB))).toBe(true);
    }
    await docs.documents.get("d1"); // opened again: now the most recently used
    expect(await docs.documents.usage()).toEqual({ bytes: 3 * (30 * MB + 16), files: 3 });
    await docs.setDocumentBudget(50 * MB);
    expect(await docs.documentBudget()).toBe(50 * MB);
    expect(await docs.documents.has("d1")).toBe(true);
    expect(await docs.documents.has("d2")).toBe(false);
    expect(await docs.documents.has("d3")).toBe(false);
    await expect(docs.setDocumentBudget(70 * MB)).rejects.toThrow(RangeError);
    await docs.setDocumentBudget(0);
    expect(await docs.documents.usage()).toEqual({ bytes: 0, files: 0 });
  });
});

describe("documents go with their room", () => {
  it("are purged with a revoked room and dropped with a deleted post", async () => {
    const { docs, pull } = await modules();
    await pull.pullAll(async () => answer({ [ROOM]: [roomPut(ROOM), postWith("p1", ROOM, [doc("d1", 1000)])], [OTHER]: [roomPut(OTHER), postWith("p9", OTHER, [doc("d9", 1000)])] }));
    await docs.documents.prefetch(fetcher({ d1: pdf(1000), d9: pdf(1000) }).fetch, { budget: 10 * MB });
    expect(await docs.documents.has("d1")).toBe(true);
    await pull.pullAll(async () => answer({ [ROOM]: [deleted("post", "p1", 5)] }, { revokedRooms: [OTHER] }));
    expect(await docs.documents.has("d1")).toBe(false);
    expect(await docs.documents.has("d9")).toBe(false);
  });
});

describe("checks before a document joins a draft", () => {
  it("refuses what is not a PDF, or is over 20 MB, at once", async () => {
    const { docs } = await modules();
    expect(await docs.documentProblem(new Blob([pdf(1000)]))).toBeNull();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await docs.documentProblem(new Blob([png], { type: "application/pdf" }))).toBe("notPdf");
    expect(await docs.documentProblem(new Blob([pdf(20 * MB + 1)]))).toBe("tooLarge");
    expect(docs.formatBytes(1536 * 1024)).toBe("1.5 MB");
    expect(docs.formatBytes(0)).toBe("0 KB");
  });
});
