import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Me } from "../types";

const ME: Me = {
  user: {
    id: "u1",
    loginId: "demo-nurse",
    name: "鈴木 真理子",
    nameKana: "",
    jobType: "nurse",
    jobTypeLabel: "看護師",
    role: "member",
    status: "active",
    visitsHomes: true,
    officeId: "o1",
    officeName: "みどり訪問看護ステーション",
    officeKind: "visiting_nurse_station",
  },
  factors: { totp: true, passkeys: [] },
  device: null,
  sessionExpiresAt: "2026-11-20T12:00:00Z",
  terms: null,
};

/** What the server holds for this device: its recovery secret, once made. */
let serverSecret: string | null = null;
/** Whether the server releases an existing secret (a fresh full sign-in). */
let freshSignIn = false;

function stubFetch(): void {
  vi.stubGlobal("EventSource", undefined); // no live stream in unit tests
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      if (url === "/api/me") return new Response(JSON.stringify(ME), { status: 200 });
      if (url === "/api/auth/csrf") return new Response(JSON.stringify({ csrfToken: "t" }), { status: 200 });
      if (url === "/api/device-keys/recovery") {
        if (serverSecret === null) {
          serverSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
          return new Response(JSON.stringify({ secret: serverSecret, created: true }), { status: 200 });
        }
        if (!freshSignIn) return new Response(JSON.stringify({ error: "reauth_required" }), { status: 401 });
        return new Response(JSON.stringify({ secret: serverSecret, created: false }), { status: 200 });
      }
      return new Response(JSON.stringify({ error: "network" }), { status: 503 });
    }),
  );
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? "").sort();
}

beforeEach(async () => {
  serverSecret = null;
  freshSignIn = false;
  vi.resetModules();
  stubFetch();
  for (const name of await databaseNames()) {
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = r.onblocked = resolve;
    });
  }
  localStorage.clear();
});

afterEach(() => vi.unstubAllGlobals());

async function modules() {
  const store = await import("../store");
  const session = await import("./session");
  const key = await import("./key");
  const keystore = await import("../db/keystore");
  const db = await import("../db/database");
  const sync = await import("../sync/client");
  return { store, session, key, keystore, db, sync };
}

describe("device passcode", { timeout: 30_000 }, () => {
  it("refuses obvious passcodes and mismatches, then sets one and unlocks the cache", async () => {
    const { store, session, key, keystore } = await modules();
    store.setState({ me: ME });
    expect(await session.setPasscode("123456", "123456")).toMatchObject({ ok: false });
    expect(await session.setPasscode("482916", "482917")).toMatchObject({ ok: false });
    expect(await session.setPasscode("482916", "482916")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
    expect(key.hasKey()).toBe(true);
    expect(store.getState().screen).toBe("home");
    const record = await keystore.readDeviceKey();
    expect(record?.userId).toBe("u1");
    // Argon2id at the shipped parameters, never PBKDF2 for a new device.
    expect(record?.wrapped).toMatchObject({ v: 2, passcode: { kdf: { alg: "argon2id", memoryKiB: 65536, iterations: 3 } } });

    session.lock("idle");
    expect(key.hasKey()).toBe(false);
    expect(store.getState().screen).toBe("unlock");
    expect(await session.unlock("482916")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
    expect(key.hasKey()).toBe(true);
  });

  it("counts wrong passcodes across reloads and wipes everything on the fifth", async () => {
    let { store, session, db } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await db.putOne("posts", "p1", { body: "褥瘡の処置" }, "r1");
    session.lock("idle");
    for (let i = 1; i <= 3; i++) {
      expect(await session.unlock("000001")).toMatchObject({ ok: false, message: expect.stringContaining(`あと${5 - i}回`) });
    }
    // Reload: fresh modules, same IndexedDB; the count is still 3.
    await db.closeDataDb();
    await (await import("../db/keystore")).closeKeystore();
    vi.resetModules();
    stubFetch();
    ({ store, session, db } = await modules());
    expect((await (await import("../db/keystore")).readLockState()).failedAttempts).toBe(3);
    expect(await session.unlock("000002")).toMatchObject({ ok: false, message: expect.stringContaining("あと1回") });
    expect(await databaseNames()).toEqual(["carebook", "carebook-keys"]);
    expect(await session.unlock("000003")).toMatchObject({ ok: false });
    expect(await databaseNames()).toEqual([]);
    expect(store.getState().screen).toBe("signIn");
    // No unsent record was waiting, so none is mentioned.
    expect(store.getState().notices.map((n) => n.text)).toEqual([expect.stringContaining("パスコードを続けて間違えた")]);
    expect(store.getState().notices[0]?.text).not.toContain("件");
  });

  it("a right passcode resets the count", async () => {
    const { store, session, keystore } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    session.lock("idle");
    await session.unlock("111112");
    await session.unlock("482916");
    (await import("../sync/client")).stopSync();
    expect((await keystore.readLockState()).failedAttempts).toBe(0);
  });

  it("the wipe destroys the wrapped key before deleting the data", async () => {
    const { store, session, keystore } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    const order: string[] = [];
    const realDelete = indexedDB.deleteDatabase.bind(indexedDB);
    const destroy = keystore.destroyDeviceKey;
    expect(destroy).toBeTypeOf("function");
    vi.spyOn(indexedDB, "deleteDatabase").mockImplementation((name: string) => {
      order.push(`delete:${name}`);
      return realDelete(name);
    });
    const wipe = await import("../wipe");
    const before = await keystore.readDeviceKey();
    expect(before).not.toBeNull();
    await wipe.wipeDevice();
    expect(order[0]).toBe("delete:carebook-keys");
    expect(order).toContain("delete:carebook");
    expect(await databaseNames()).toEqual([]);
  });

  it("a different user signing in on the device wipes the first user's data", async () => {
    const { store, session, db } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await db.putOne("posts", "p1", { body: "x" }, "r1");
    await session.afterSignIn({ ...ME, user: { ...ME.user, id: "u2" } });
    expect(store.getState().screen).toBe("setPasscode");
    expect(await databaseNames()).not.toContain("carebook");
  });

  it("wipes at start after too long without contact", async () => {
    const { store, session, keystore } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await keystore.updateLockState(() => ({ lastContactAt: Date.now() - 31 * 24 * 3600_000 }));
    session.lock("start");
    expect(await session.bootLocked()).toBe(true);
    expect(store.getState().screen).toBe("signIn");
    expect(await databaseNames()).toEqual([]);
  });

  it("locks after 12 hours offline until the server answers", async () => {
    const { store, session, keystore, key } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await keystore.updateLockState(() => ({ lastContactAt: Date.now() - 13 * 3600_000 }));
    session.lock("start");
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
    expect(await session.unlock("482916")).toEqual({ ok: true });
    expect(store.getState().screen).toBe("offlineLocked");
    expect(key.hasKey()).toBe(false);
    expect(await session.checkServer()).toBe(false);
    stubFetch();
    expect(await session.checkServer()).toBe(true);
    (await import("../sync/client")).stopSync();
    expect(key.hasKey()).toBe(true);
    expect(store.getState().screen).toBe("home");
  });
});

/** The data key wrapped exactly as version 1 stored it (PBKDF2-SHA-256, 400,000 iterations). */
async function legacyWrap(passcode: string, dataKey: CryptoKey) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(passcode), "PBKDF2", false, ["deriveKey"]);
  const kek = await crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 400_000 }, material, { name: "AES-GCM", length: 256 }, false, ["wrapKey"]);
  const wrapped = await crypto.subtle.wrapKey("raw", dataKey, kek, { name: "AES-GCM", iv, additionalData: new TextEncoder().encode("carebook/data-key/v1") });
  return { v: 1 as const, salt, iterations: 400_000, iv, wrapped };
}

async function settle(): Promise<void> {
  // Lets the background recovery-slot top-up (an unlock's tail) finish.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("migration of a version 1 (PBKDF2) device", { timeout: 30_000 }, () => {
  it("unlocks with the old passcode, rewrites the key under Argon2id, and keeps the unsent records", async () => {
    const { store, session, keystore, key } = await modules();
    store.setState({ me: ME });
    // A device set up by the old code: its outbox sealed under a PBKDF2-wrapped key.
    const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
    key.setKey(dataKey);
    const outbox = await import("../sync/outbox");
    await outbox.enqueue("post.create", { id: "p-offline", roomId: "r1", reportTitleId: "t1", body: "オフラインで書いた訪問記録" });
    key.setKey(null);
    await keystore.writeDeviceKey({ wrapped: await legacyWrap("482916", dataKey), userId: "u1", createdAt: Date.now() });

    expect(await session.unlock("482916")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
    const record = await keystore.readDeviceKey();
    expect(record?.wrapped.v).toBe(2);
    expect(record?.wrapped).toMatchObject({ passcode: { kdf: { alg: "argon2id" } } });
    expect((await outbox.listOutbox()).map((e) => (e.args as { body?: string }).body)).toEqual(["オフラインで書いた訪問記録"]);
    await settle();
    // Online at that unlock: the recovery slot was added too.
    expect((await keystore.readDeviceKey())?.wrapped).toHaveProperty("recovery");

    // The next unlock runs on the version 2 record alone.
    session.lock("idle");
    expect(await session.unlock("482916")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
    expect((await outbox.listOutbox()).length).toBe(1);
  });
});

describe("a forgotten passcode", { timeout: 30_000 }, () => {
  it("the lock screen counts unsent records (read marks aside) before anyone chooses", async () => {
    const { store, session } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    const outbox = await import("../sync/outbox");
    await outbox.enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "a" });
    await outbox.enqueue("comment.create", { id: "c1", postId: "p0", body: "b" });
    await outbox.enqueue("receipt.mark", { roomId: "r1", upToVersion: 3 });
    await settle();
    session.lock("idle");
    expect(await session.forgotPasscodeFacts()).toEqual({ unsent: 2, canKeep: true });
  });

  it("after a full sign-in, a new passcode opens the same data and the outbox survives", async () => {
    const { store, session, keystore, key } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await settle();
    const outbox = await import("../sync/outbox");
    await outbox.enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "電波のない家で書いた記録" });
    session.lock("idle");

    session.startPasscodeRecovery();
    expect(store.getState().screen).toBe("signIn");
    freshSignIn = true; // password and second factor, just now
    await session.afterSignIn(ME);
    expect(store.getState().screen).toBe("setPasscode");
    expect(session.isResettingPasscode()).toBe(true);
    expect(await session.setPasscode("hana2026", "hana2026")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
    expect(key.hasKey()).toBe(true);
    expect((await outbox.listOutbox()).map((e) => (e.args as { body?: string }).body)).toEqual(["電波のない家で書いた記録"]);
    expect((await keystore.readLockState()).failedAttempts).toBe(0);

    session.lock("idle");
    expect(await session.unlock("482916")).toMatchObject({ ok: false });
    expect(await session.unlock("hana2026")).toEqual({ ok: true });
    (await import("../sync/client")).stopSync();
  });

  it("without the server's release (no fresh sign-in) nothing opens and the lock screen says so", async () => {
    const { store, session, key } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    await settle();
    session.lock("idle");
    session.startPasscodeRecovery();
    freshSignIn = false;
    await session.afterSignIn(ME);
    expect(store.getState().screen).toBe("unlock");
    expect(key.hasKey()).toBe(false);
    expect(store.getState().notices.at(-1)?.text).toContain("記録を残したままパスコードを設定し直すことができませんでした");
  });

  it("erasing on purpose says how many unsent records went, and that they must be written again", async () => {
    const { store, session } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    const outbox = await import("../sync/outbox");
    await outbox.enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "a" });
    await outbox.enqueue("post.create", { id: "p2", roomId: "r1", reportTitleId: "t1", body: "b" });
    await settle();
    session.lock("idle");
    await session.wipeForForgottenPasscode();
    expect(await databaseNames()).toEqual([]);
    expect(store.getState().screen).toBe("signIn");
    expect(store.getState().notices.map((n) => n.text)).toEqual([
      "ログアウトし、この端末の carebook データを消去しました。 まだ送信していなかった記録 2 件も消去されました。お手数ですが、もう一度書いてください。",
    ]);
  });

  it("five wrong passcodes say how many unsent records were erased", async () => {
    const { store, session } = await modules();
    store.setState({ me: ME });
    await session.setPasscode("482916", "482916");
    (await import("../sync/client")).stopSync();
    const outbox = await import("../sync/outbox");
    await outbox.enqueue("post.create", { id: "p1", roomId: "r1", reportTitleId: "t1", body: "a" });
    await settle();
    session.lock("idle");
    for (let i = 0; i < 5; i++) await session.unlock(`00000${i + 1}`);
    expect(await databaseNames()).toEqual([]);
    expect(store.getState().notices.at(-1)?.text).toContain("まだ送信していなかった記録 1 件も消去されました");
  });
});
