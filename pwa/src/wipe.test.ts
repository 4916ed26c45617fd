import { afterEach, describe, expect, it, vi } from "vitest";
import { KNOWN_DATABASES, STEP_LIMIT_MS, wipeDevice } from "./wipe";

afterEach(() => vi.unstubAllGlobals());

describe("wipeDevice", () => {
  it("deletes databases, caches, push and service workers, then storage, in that order", async () => {
    const log: string[] = [];
    vi.stubGlobal("indexedDB", {
      databases: async () => [{ name: "carebook" }, { name: "other-db" }],
      deleteDatabase: (name: string) => {
        log.push(`db:${name}`);
        const request: { onsuccess?: () => void } = {};
        queueMicrotask(() => request.onsuccess?.());
        return request;
      },
    });
    vi.stubGlobal("caches", {
      keys: async () => ["static-v1", "static-v2"],
      delete: async (key: string) => {
        log.push(`cache:${key}`);
        return true;
      },
    });
    const registration = {
      pushManager: { getSubscription: async () => ({ unsubscribe: async () => log.push("push:unsubscribe") }) },
      unregister: async () => log.push("sw:unregister"),
    };
    Object.defineProperty(navigator, "serviceWorker", {
      configurable: true,
      value: { getRegistrations: async () => [registration] },
    });
    localStorage.setItem("carebook.deviceId", "abc");
    sessionStorage.setItem("x", "y");
    const clear = vi.spyOn(Storage.prototype, "clear");

    await wipeDevice();

    expect([...new Set(log.filter((l) => l.startsWith("db:")))].sort()).toEqual(
      [...new Set([...KNOWN_DATABASES, "carebook", "other-db"])].map((n) => `db:${n}`).sort(),
    );
    const lastDb = Math.max(...log.map((l, i) => (l.startsWith("db:") ? i : -1)));
    expect(log.indexOf("cache:static-v1")).toBeGreaterThan(lastDb);
    expect(log.indexOf("push:unsubscribe")).toBeGreaterThan(log.indexOf("cache:static-v2"));
    expect(log.indexOf("sw:unregister")).toBeGreaterThan(log.indexOf("push:unsubscribe"));
    expect(clear).toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    Reflect.deleteProperty(navigator, "serviceWorker");
  });

  it("carries on when a step fails", async () => {
    vi.stubGlobal("indexedDB", {
      databases: async () => {
        throw new Error("boom");
      },
      deleteDatabase: () => {
        throw new Error("boom");
      },
    });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    localStorage.setItem("carebook.deviceId", "abc");
    await wipeDevice();
    expect(localStorage.getItem("carebook.deviceId")).toBeNull();
  });
});

describe("wipeDevice when a step never answers", () => {
  it("goes on after the step's time limit, so the sign-in screen still comes", async () => {
    vi.useFakeTimers();
    try {
      vi.stubGlobal("indexedDB", {
        databases: () => new Promise(() => {}), // the browser is clearing storage itself
        deleteDatabase: () => ({}),
      });
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      localStorage.setItem("carebook.deviceId", "abc");
      const done = wipeDevice();
      await vi.advanceTimersByTimeAsync(STEP_LIMIT_MS * 3);
      await expect(done).resolves.toBeNull(); // unsent records could not be counted
      expect(localStorage.getItem("carebook.deviceId")).toBeNull();
      expect(warn.mock.calls.some(([text]) => String(text).includes("wipe step databases"))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
