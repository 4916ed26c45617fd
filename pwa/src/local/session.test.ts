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
    officeId: "o1",
    officeName: "みどり訪問看護ステーション",
    officeKind: "visiting_nurse_station",
  },
  factors: { totp: true, passkeys: [] },
  device: null,
  sessionExpiresAt: "2026-11-20T12:00:00Z",
};

function stubFetch(): void {
  vi.stubGlobal("EventSource", undefined); // no live stream in unit tests
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      if (url === "/api/me") return new Response(JSON.stringify(ME), { status: 200 });
      if (url === "/api/auth/csrf") return new Response(JSON.stringify({ csrfToken: "t" }), { status: 200 });
      return new Response(JSON.stringify({ error: "network" }), { status: 503 });
    }),
  );
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? "").sort();
}

beforeEach(async () => {
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

describe("device passcode", () => {
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
    expect(record?.wrapped.iterations).toBeGreaterThanOrEqual(310_000);

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
