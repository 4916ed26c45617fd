import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importDataKey, randomBytes } from "../crypto/keys";
import type { OutboxTransport } from "./outbox";
import type { Mutation, PushRequest, PushResponse } from "./wire";
import { leakedSecrets, storedTexts } from "../db/stored-text.testing";
import { postData } from "./wire-fixtures";

let key: CryptoKey;

beforeEach(async () => {
  vi.resetModules();
  key = await importDataKey(randomBytes(32));
  (await import("../local/key")).setKey(key);
  await (await import("../db/database")).deleteDataDb();
});

afterEach(async () => {
  await (await import("../db/database")).closeDataDb();
});

async function rawRecords(store: "outbox" | "photos"): Promise<unknown[]> {
  return (await import("../db/database")).rawRecords(store);
}

/** A fake server that applies each mutation id once, like the real one. */
function fakeServer(decide: (m: PushRequest["mutations"][number]) => "ok" | "conflict" | "rejected" = () => "ok") {
  const applied: (Mutation & { clientId: string })[] = [];
  const lastApplied = new Map<string, number>();
  const requests: PushRequest[] = [];
  let offline = false;
  const transport: OutboxTransport = {
    async push(request: PushRequest): Promise<PushResponse> {
      if (offline) throw new Error("network down");
      requests.push(structuredClone(request));
      const results = request.mutations.map((m) => {
        const last = lastApplied.get(request.clientId) ?? 0;
        if (m.id <= last) return { id: m.id, status: "ok" as const };
        lastApplied.set(request.clientId, m.id);
        const status = decide(m);
        if (status === "ok") applied.push({ clientId: request.clientId, ...m });
        return status === "rejected"
          ? { id: m.id, status, reason: { code: "read_only", ja: "書き込み権限がありません。", en: "No write permission." } }
          : status === "conflict"
            ? { id: m.id, status, serverState: postData("id" in m.args ? m.args.id : "", "r1", 9, { body: "server" }) }
            : { id: m.id, status };
      });
      return { results };
    },
    async upload() {
      return { id: "att-1", contentType: "image/jpeg", size: 10, width: 1, height: 1 };
    },
  };
  return {
    transport,
    applied,
    requests,
    setOffline(value: boolean) {
      offline = value;
    },
  };
}

describe("outbox", () => {
  it("allocates ids rising by one and sends them in order", async () => {
    const { enqueue, sendOutbox, listOutbox } = await import("./outbox");
    const a = await enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "一件目" });
    const b = await enqueue("comment.create", { id: "c1", postId: "p1", body: "二件目" });
    const c = await enqueue("receipt.mark", { roomId: "r1", upToVersion: 3 });
    expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
    const server = fakeServer();
    const report = await sendOutbox(server.transport);
    expect(server.applied.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(report.sent.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(await listOutbox()).toEqual([]);
  });

  it("survives a reload while offline, then delivers each mutation exactly once", async () => {
    let outbox = await import("./outbox");
    const server = fakeServer();
    await outbox.enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "オフラインで記録" });
    await outbox.enqueue("post.create", { id: "p2", roomId: "r1", reportTitleId: "t1", body: "二件目" });
    server.setOffline(true);
    await expect(outbox.sendOutbox(server.transport)).rejects.toThrow("network down");
    const clientId = await outbox.getClientId();

    // "Reload": close the database, forget every module's memory, unlock again.
    await (await import("../db/database")).closeDataDb();
    vi.resetModules();
    const db = await import("../db/database");
    const keyModule = await import("../local/key");
    keyModule.setKey(key);
    outbox = await import("./outbox");
    expect((await outbox.listOutbox()).map((e) => ("body" in e.args ? e.args.body : undefined))).toEqual(["オフラインで記録", "二件目"]);
    expect(await outbox.getClientId()).toBe(clientId);

    server.setOffline(false);
    await outbox.sendOutbox(server.transport);
    // Sending again (say, the answer was lost) applies nothing twice.
    await outbox.enqueue("post.create", { id: "p3", roomId: "r1", reportTitleId: "t1", body: "三件目" });
    await outbox.sendOutbox(server.transport);
    expect(server.applied.map((m) => ("id" in m.args ? m.args.id : undefined))).toEqual(["p1", "p2", "p3"]);
    expect(server.applied.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(await outbox.listOutbox()).toEqual([]);
    await db.closeDataDb();
  });

  it("resending after a lost answer is answered ok and not applied again", async () => {
    const { enqueue, sendOutbox, listOutbox } = await import("./outbox");
    const server = fakeServer();
    await enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "x" });
    const lossy: OutboxTransport = {
      ...server.transport,
      async push(request) {
        await server.transport.push(request);
        throw new Error("connection reset"); // applied, but the answer never arrives
      },
    };
    await expect(sendOutbox(lossy)).rejects.toThrow();
    expect(await listOutbox()).toHaveLength(1);
    await sendOutbox(server.transport);
    expect(server.applied).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
    expect(await listOutbox()).toEqual([]);
  });

  it("a rejected mutation is kept with its reason and does not block the others", async () => {
    const { enqueue, sendOutbox, listOutbox, discard, resubmit } = await import("./outbox");
    const server = fakeServer((m) => ("body" in m.args && m.args.body === "bad" ? "rejected" : "ok"));
    await enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "bad" });
    await enqueue("post.create", { id: "p2", roomId: "r1", reportTitleId: "t1", body: "good" });
    const report = await sendOutbox(server.transport, "ja");
    expect(report.rejected.map((e) => [e.id, e.reason])).toEqual([[1, "書き込み権限がありません。"]]);
    expect(server.applied.map((m) => ("id" in m.args ? m.args.id : undefined))).toEqual(["p2"]);
    const left = await listOutbox();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ id: 1, status: "rejected" });

    // A later send does not resend it; fixing it makes a new mutation after the others.
    await enqueue("comment.create", { id: "c1", postId: "p2", body: "later" });
    await sendOutbox(server.transport);
    expect(server.applied.map((m) => m.id)).toEqual([2, 3]);
    const fixed = await resubmit(1, "post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "fixed" });
    expect(fixed.id).toBe(4);
    await sendOutbox(server.transport);
    expect(server.applied.map((m) => ("body" in m.args ? m.args.body : undefined))).toEqual(["good", "later", "fixed"]);

    await enqueue("post.create", { id: "p9", roomId: "r1", reportTitleId: "t1", body: "bad" });
    await sendOutbox(server.transport);
    const [rejected] = await listOutbox();
    await discard(rejected!.id);
    expect(await listOutbox()).toEqual([]);
  });

  it("reports conflicts (server state wins) and drops them from the queue", async () => {
    const { enqueue, sendOutbox, listOutbox } = await import("./outbox");
    const server = fakeServer(() => "conflict");
    await enqueue("post.edit", { id: "p1", baseVersion: 3, body: "mine" });
    const report = await sendOutbox(server.transport);
    expect(report.conflicts).toEqual([expect.objectContaining({ serverState: expect.objectContaining({ id: "p1", body: "server" }) })]);
    expect(await listOutbox()).toEqual([]);
  });

  it("concurrent enqueues never share an id", async () => {
    const { enqueue } = await import("./outbox");
    const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => enqueue("receipt.mark", { roomId: "r", upToVersion: i })));
    expect(entries.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("stores only ciphertext", async () => {
    const { enqueue } = await import("./outbox");
    await enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "青木 ハナ様 血圧158/88" });
    const stored = await rawRecords("outbox");
    expect(storedTexts(stored).length).toBeGreaterThan(1); // the ciphertext itself was searched
    expect(leakedSecrets(stored, ["青木", "158", "post.create"])).toEqual([]);
  });

  it("uploads a queued photo once, then sends its attachment id with the post", async () => {
    const { enqueue, sendOutbox } = await import("./outbox");
    const { putBytes } = await import("../db/database");
    await putBytes("ph1", new Uint8Array([1, 2, 3]).buffer, "r1");
    await enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "写真" }, [
      { localId: "ph1", contentType: "image/jpeg", width: 1, height: 1 },
    ]);
    const server = fakeServer();
    const uploads: string[] = [];
    const transport: OutboxTransport = {
      push: server.transport.push,
      async upload(roomId, photo, bytes) {
        uploads.push(`${roomId}:${photo.localId}:${bytes.byteLength}`);
        return { id: "att-9", contentType: "image/jpeg", size: 3, width: 1, height: 1 };
      },
    };
    await sendOutbox(transport);
    expect(uploads).toEqual(["r1:ph1:3"]);
    expect(server.applied.map((m) => ("attachmentIds" in m.args ? m.args.attachmentIds : undefined))[0]).toEqual(["att-9"]);
    expect(await rawRecords("photos")).toEqual([]);
  });
});
