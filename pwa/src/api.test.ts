import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, request, resetCsrfToken, setApiHandlers } from "./api";
import { DEVICE_STORAGE_KEY, getDeviceId } from "./device";
import { reloadLang, setLang } from "./i18n";

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: unknown;
}

type Reply = { status?: number; body?: unknown };

/** A fake server: `route` answers each request; every request is recorded. */
function fakeServer(route: (req: Seen, index: number) => Reply) {
  const seen: Seen[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req: Seen = {
      method: init?.method ?? "GET",
      url: String(input),
      headers: new Headers(init?.headers),
      credentials: init?.credentials,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    seen.push(req);
    const reply = route(req, seen.length - 1);
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return seen;
}

const handlers = { onWiped: vi.fn(), onUnauthenticated: vi.fn() };

beforeEach(() => {
  localStorage.clear();
  reloadLang();
  resetCsrfToken();
  handlers.onWiped.mockReset();
  handlers.onUnauthenticated.mockReset();
  setApiHandlers(handlers);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("api requests", () => {
  it("sends the device id, same-origin credentials and no CSRF token on GET", async () => {
    const seen = fakeServer(() => ({ body: { user: { name: "x" } } }));
    await api.me();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/api/me");
    expect(seen[0]?.credentials).toBe("same-origin");
    expect(seen[0]?.headers.get("X-Carebook-Device")).toBe(getDeviceId());
    expect(seen[0]?.headers.get("X-CSRF-Token")).toBeNull();
  });

  it("fetches a CSRF token before the first state change and reuses it", async () => {
    const seen = fakeServer((req) =>
      req.url === "/api/auth/csrf" ? { body: { csrfToken: "tok-1" } } : { body: { next: "totp" } },
    );
    await api.login("nurse01", "correct horse battery");
    await api.totp("123456");
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /api/auth/csrf",
      "POST /api/auth/login",
      "POST /api/auth/totp",
    ]);
    expect(seen[1]?.headers.get("X-CSRF-Token")).toBe("tok-1");
    expect(seen[1]?.headers.get("Content-Type")).toBe("application/json");
    expect(seen[1]?.body).toEqual({ loginId: "nurse01", password: "correct horse battery" });
    expect(seen[2]?.headers.get("X-CSRF-Token")).toBe("tok-1");
    expect(seen[2]?.headers.get("X-Carebook-Device")).toBe(localStorage.getItem(DEVICE_STORAGE_KEY));
  });

  it("takes the new token from any answer that carries one (session rotation)", async () => {
    const seen = fakeServer((req) => {
      if (req.url === "/api/auth/csrf") return { body: { csrfToken: "before-login" } };
      if (req.url === "/api/auth/login") return { body: { next: "totp", csrfToken: "after-login" } };
      return { body: { next: "done", csrfToken: "after-totp" } };
    });
    await api.login("nurse01", "pw");
    await api.totp("123456");
    await api.logout();
    expect(seen[1]?.headers.get("X-CSRF-Token")).toBe("before-login");
    expect(seen[2]?.headers.get("X-CSRF-Token")).toBe("after-login");
    expect(seen[3]?.headers.get("X-CSRF-Token")).toBe("after-totp");
  });

  it("refetches the token and retries once on a CSRF refusal", async () => {
    let tokens = 0;
    const seen = fakeServer((req) => {
      if (req.url === "/api/auth/csrf") return { body: { csrfToken: `tok-${++tokens}` } };
      if (req.headers.get("X-CSRF-Token") === "tok-1") return { status: 403, body: { error: "csrf", message: "x" } };
      return { body: { ok: true } };
    });
    await expect(api.endSession("s1")).resolves.toEqual({ ok: true });
    expect(seen.map((r) => `${r.method} ${r.url} ${r.headers.get("X-CSRF-Token")}`)).toEqual([
      "GET /api/auth/csrf null",
      "DELETE /api/me/sessions/s1 tok-1",
      "GET /api/auth/csrf null",
      "DELETE /api/me/sessions/s1 tok-2",
    ]);
  });

  it("retries only once", async () => {
    const seen = fakeServer((req) =>
      req.url === "/api/auth/csrf" ? { body: { csrfToken: "t" } } : { status: 403, body: { error: "csrf", message: "bad" } },
    );
    const error = await api.logout().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: "csrf" });
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("surfaces server errors as ApiError with status, code, message and body", async () => {
    const body = { error: "invalid_credentials", message: "ログインIDまたはパスワードが違います。" };
    fakeServer((req) => (req.url === "/api/auth/csrf" ? { body: { csrfToken: "t" } } : { status: 401, body }));
    const error = (await api.login("a", "b").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_credentials");
    expect(error.message).toBe(body.message);
    expect(error.body).toEqual(body);
    expect(handlers.onUnauthenticated).not.toHaveBeenCalled();
  });

  it("picks the message in the user's language when the server sends both", async () => {
    setLang("en");
    fakeServer(() => ({ status: 409, body: { error: "conflict", message: { ja: "競合", en: "Conflict" } } }));
    await expect(api.me()).rejects.toMatchObject({ message: "Conflict" });
  });

  it("lists weak-password reasons", async () => {
    fakeServer((req) =>
      req.url === "/api/auth/csrf"
        ? { body: { csrfToken: "t" } }
        : {
            status: 400,
            body: {
              error: "weak_password",
              message: "弱い",
              reasons: [
                { code: "too_short", ja: "短すぎます", en: "Too short" },
                { code: "common", ja: "よく使われています", en: "Too common" },
              ],
            },
          },
    );
    const error = (await api.changePassword("old", "new").catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("weak_password");
    expect(error.reasons).toEqual(["短すぎます", "よく使われています"]);
  });

  it("reports 401 unauthenticated to the app", async () => {
    fakeServer(() => ({ status: 401, body: { error: "unauthenticated", message: "x" } }));
    await expect(api.sessions()).rejects.toMatchObject({ status: 401, code: "unauthenticated" });
    expect(handlers.onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it("wipes the device when an answer says wipe: true", async () => {
    localStorage.setItem("carebook.something", "secret");
    sessionStorage.setItem("carebook.other", "secret");
    const oldId = getDeviceId();
    fakeServer((req) =>
      req.url === "/api/auth/csrf"
        ? { body: { csrfToken: "t" } }
        : { status: 401, body: { error: "device_wiped", wipe: true, message: "消去" } },
    );
    await expect(api.login("a", "b")).rejects.toMatchObject({ status: 401, code: "device_wiped" });
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem("carebook.something")).toBeNull();
    expect(sessionStorage.getItem("carebook.other")).toBeNull();
    expect(localStorage.getItem(DEVICE_STORAGE_KEY)).toBeNull();
    expect(getDeviceId()).not.toBe(oldId);
  });

  it("also wipes on a successful answer carrying wipe: true", async () => {
    localStorage.setItem("carebook.something", "secret");
    fakeServer(() => ({ status: 200, body: { wipe: true } }));
    await expect(request("GET", "/api/me")).rejects.toBeInstanceOf(ApiError);
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem("carebook.something")).toBeNull();
  });

  it("does not wipe again for a late answer to a request sent before the wipe", async () => {
    // The wiped app had a request on its way; the answer comes after the nurse signed in anew.
    const wipedId = getDeviceId();
    let answerLate: (reply: Response) => void = () => {};
    const late = new Promise<Response>((resolve) => (answerLate = resolve));
    const wipeAnswer = () =>
      new Response(JSON.stringify({ error: "device_wiped", wipe: true }), { status: 401, headers: { "Content-Type": "application/json" } });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const device = new Headers(init?.headers).get("X-Carebook-Device");
        if (String(input) === "/api/slow") return late;
        if (device === wipedId) return wipeAnswer();
        return new Response(JSON.stringify({ ok: true }), { headers: { "Content-Type": "application/json" } });
      }),
    );
    const slow = request("GET", "/api/slow");
    await expect(request("GET", "/api/me")).rejects.toMatchObject({ code: "device_wiped" });
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    const newId = getDeviceId(); // the new sign-in's install id …
    expect(newId).not.toBe(wipedId);
    localStorage.setItem("carebook.something", "the new sign-in");
    await expect(request("GET", "/api/me")).resolves.toEqual({ ok: true });

    answerLate(wipeAnswer()); // … is still there after the late answer
    await expect(slow).rejects.toMatchObject({ status: 401, code: "device_wiped" });
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(DEVICE_STORAGE_KEY)).toBe(newId);
    expect(localStorage.getItem("carebook.something")).toBe("the new sign-in");
  });

  it("wipes when the browser cleared storage first and a new id went out meanwhile", async () => {
    // Clear-Site-Data on the wipe answer: the browser empties storage before the app reads
    // the answer, and another request of the app has already made a new id.
    const wipedId = getDeviceId();
    localStorage.setItem("carebook.something", "secret");
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        localStorage.clear();
        getDeviceId();
        localStorage.setItem("carebook.something", "still here");
        return new Response(JSON.stringify({ error: "device_wiped", wipe: true }), { status: 401 });
      }),
    );
    await expect(request("GET", "/api/me")).rejects.toMatchObject({ code: "device_wiped" });
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem("carebook.something")).toBeNull();
    expect(getDeviceId()).not.toBe(wipedId);
  });

  it("still wipes when the order names the device's current id", async () => {
    // The same request, answered while the wiped id is still this app's: it wipes.
    const id = getDeviceId();
    localStorage.setItem("carebook.something", "secret");
    fakeServer((req) => (req.headers.get("X-Carebook-Device") === id ? { status: 401, body: { error: "device_wiped", wipe: true } } : {}));
    await expect(request("GET", "/api/me")).rejects.toMatchObject({ code: "device_wiped" });
    expect(handlers.onWiped).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem("carebook.something")).toBeNull();
  });

  it("does not wipe on wipe: false", async () => {
    localStorage.setItem("carebook.something", "kept");
    fakeServer(() => ({ body: { wipe: false } }));
    await expect(request("GET", "/api/x")).resolves.toEqual({ wipe: false });
    expect(handlers.onWiped).not.toHaveBeenCalled();
    expect(localStorage.getItem("carebook.something")).toBe("kept");
  });

  it("turns a network failure into ApiError status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("uses the fixed Japanese text for 429 when the server gives none", async () => {
    fakeServer((req) => (req.url === "/api/auth/csrf" ? { body: { csrfToken: "t" } } : { status: 429 }));
    await expect(api.login("a", "b")).rejects.toMatchObject({
      status: 429,
      message: "試行回数が多すぎます。しばらくしてからお試しください。",
    });
  });
});
