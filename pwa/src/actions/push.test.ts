import { afterEach, describe, expect, it, vi } from "vitest";
import { withTimeout } from "../timeout";
import { enablePush, subscriptionBody } from "./push";

function stubBrowser(subscribe: () => Promise<unknown>) {
  const calls: string[] = [];
  vi.stubGlobal("PushManager", class {});
  vi.stubGlobal("Notification", { permission: "default", requestPermission: async () => "granted" });
  Object.defineProperty(navigator, "serviceWorker", {
    configurable: true,
    value: { ready: Promise.resolve({ pushManager: { getSubscription: async () => null, subscribe } }) },
  });
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? "GET"} ${url}`);
      if (url === "/api/push/key") return new Response(JSON.stringify({ publicKey: "BEl62iUYgUivxIkv69yViEuiBIa" }), { status: 200 });
      if (url === "/api/auth/csrf") return new Response(JSON.stringify({ csrfToken: "t" }), { status: 200 });
      return new Response("{}", { status: 200 });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, "serviceWorker");
});

describe("push subscription", () => {
  it("races subscribe() against a timeout and says why it gave up", async () => {
    const calls = stubBrowser(() => new Promise(() => {})); // never settles: no internet
    const result = await enablePush(50);
    expect(result).toMatchObject({ ok: false, code: "timeout" });
    expect(!result.ok && result.message).toContain("インターネット");
    expect(calls).not.toContain("POST /api/push/subscriptions");
  });

  it("sends the endpoint and keys (only) to the server once subscribed", async () => {
    const key = (n: number) => new Uint8Array([n, n, n]).buffer;
    const calls = stubBrowser(async () => ({ endpoint: "https://push.example/abc", getKey: (name: string) => key(name === "auth" ? 1 : 2) }));
    const result = await enablePush(1000);
    expect(result).toEqual({ ok: true });
    expect(calls).toContain("POST /api/push/subscriptions");
    const body = subscriptionBody({ endpoint: "https://push.example/abc", getKey: (name: string) => key(name === "auth" ? 1 : 2) } as unknown as PushSubscription);
    expect(body).toEqual({ endpoint: "https://push.example/abc", keys: { p256dh: "AgIC", auth: "AQEB" } });
  });

  it("withTimeout passes results and errors through", async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error("x")), 50)).rejects.toThrow("x");
  });
});
