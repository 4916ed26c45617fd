import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetCsrfToken } from "../api";
import { reloadLang } from "../i18n";
import { getState, resetState } from "../store";
import { boot, changePassword, signIn, submitTotp } from "./auth";
import { loadDevices, loadSessions } from "./settings";

const ME = {
  user: { id: "u1", loginId: "nurse01", name: "看護 花子", nameKana: "", jobType: "nurse", jobTypeLabel: "看護師", role: "member", officeName: "みどり訪問看護" },
  factors: { totp: true, passkeys: [] },
  device: null,
};

type Handler = (body: unknown) => { status?: number; body: unknown };

function serve(routes: Record<string, Handler>) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      const key = `${init?.method ?? "GET"} ${url}`;
      const handler = routes[key] ?? (() => ({ status: 404, body: { error: "not_found" } }));
      const reply = handler(typeof init?.body === "string" ? JSON.parse(init.body) : undefined);
      return new Response(JSON.stringify(reply.body), { status: reply.status ?? 200 });
    }),
  );
}

beforeEach(async () => {
  localStorage.clear();
  reloadLang();
  resetCsrfToken();
  resetState();
  // boot() installs the api handlers; with no session it lands on sign-in, and never
  // asks /api/me (a 401 there would show as an error in the browser console).
  serve({
    "GET /api/auth/session": () => ({ body: { signedIn: false, stage: null, csrfToken: "t" } }),
  });
  await boot();
});

afterEach(() => vi.unstubAllGlobals());

describe("sign-in flow", () => {
  it("starts at sign-in without a 'session expired' notice", () => {
    expect(getState().screen).toBe("signIn");
    expect(getState().notices).toEqual([]);
  });

  it("follows next: totp, then done loads /api/me and shows home", async () => {
    serve({
      "GET /api/auth/csrf": () => ({ body: { csrfToken: "t0" } }),
      "POST /api/auth/login": () => ({ body: { next: "totp", csrfToken: "t1" } }),
      "POST /api/auth/totp": (body) =>
        (body as { code: string }).code === "123456"
          ? { body: { next: "done", csrfToken: "t2" } }
          : { status: 401, body: { error: "invalid_code", message: "コードが違います。" } },
      "GET /api/me": () => ({ body: ME }),
    });
    expect(await signIn("nurse01", "pw")).toEqual({ ok: true });
    expect(getState()).toMatchObject({ screen: "secondFactor", factor: "totp" });
    expect(await submitTotp("000000")).toMatchObject({ ok: false, message: "コードが違います。" });
    expect(getState().screen).toBe("secondFactor");
    expect(await submitTotp("123456")).toEqual({ ok: true });
    // First sign-in on this device: a passcode comes before any data.
    expect(getState().screen).toBe("setPasscode");
    expect(getState().me?.user.name).toBe("看護 花子");
  });

  it("goes through password change and enrolment", async () => {
    serve({
      "GET /api/auth/csrf": () => ({ body: { csrfToken: "t0" } }),
      "POST /api/auth/login": () => ({ body: { next: "changePassword" } }),
      "POST /api/auth/password": () => ({ body: { next: "enroll" } }),
    });
    await signIn("nurse01", "initial");
    expect(getState().screen).toBe("changePassword");
    await changePassword("initial", "a much longer passphrase");
    expect(getState().screen).toBe("enroll");
  });

  it("shows the fixed text on 429", async () => {
    serve({
      "GET /api/auth/csrf": () => ({ body: { csrfToken: "t0" } }),
      "POST /api/auth/login": () => ({ status: 429, body: { error: "throttled", message: "x" } }),
    });
    expect(await signIn("a", "b")).toMatchObject({
      ok: false,
      message: "試行回数が多すぎます。しばらくしてからお試しください。",
    });
  });

  it("sends a signed-in user whose session expired back to sign-in with a notice", async () => {
    serve({
      "GET /api/auth/session": () => ({ body: { signedIn: true, stage: "full", csrfToken: "t" } }),
      "GET /api/me": () => ({ body: ME }),
    });
    await boot();
    expect(getState().screen).toBe("setPasscode");
    serve({ "GET /api/me/sessions": () => ({ status: 401, body: { error: "unauthenticated", message: "x" } }) });
    await loadSessions();
    expect(getState().screen).toBe("signIn");
    expect(getState().me).toBeNull();
    expect(getState().notices.map((n) => n.text)).toEqual([
      "セッションの有効期限が切れました。もう一度ログインしてください。",
    ]);
  });

  it("a wipe order erases local data and returns to sign-in with a notice", async () => {
    serve({ "GET /api/me": () => ({ body: ME }) });
    await boot();
    localStorage.setItem("carebook.secret", "x");
    serve({ "GET /api/me/devices": () => ({ status: 401, body: { error: "device_wiped", wipe: true } }) });
    await loadDevices();
    expect(localStorage.getItem("carebook.secret")).toBeNull();
    expect(getState().screen).toBe("signIn");
    expect(getState().notices[0]?.text).toBe("この端末のデータは消去されました。もう一度ログインしてください。");
  });
});
