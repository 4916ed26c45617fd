/**
 * Where a sign-in lands. The signed-in screen lives in the URL hash; a sign-out (which
 * happens on #/settings) or another user signing in must not bring the next sign-in back
 * to the old screen: a fresh sign-in starts at the room list. A lock or an expired session
 * of the same user keeps the route, so that user resumes where they were.
 */
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const user = (id: string, loginId: string) => ({
  user: { id, loginId, name: "看護 花子", nameKana: "", jobType: "nurse", jobTypeLabel: "看護師", role: "member", officeName: "みどり訪問看護" },
  factors: { totp: true, passkeys: [] },
  device: null,
});
const NURSE = user("u1", "nurse01");
const DOCTOR = user("u2", "doctor01");

type Handler = () => { status?: number; body: unknown };

function serve(routes: Record<string, Handler>) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      const handler = routes[`${init?.method ?? "GET"} ${url}`] ?? (() => ({ status: 503, body: { error: "network" } }));
      const reply = handler();
      return new Response(JSON.stringify(reply.body), { status: reply.status ?? 200 });
    }),
  );
}

/** The server side of a sign-in with a TOTP code, as `me`. */
function signInRoutes(me: unknown): Record<string, Handler> {
  return {
    "GET /api/auth/csrf": () => ({ body: { csrfToken: "t0" } }),
    "POST /api/auth/login": () => ({ body: { next: "totp", csrfToken: "t1" } }),
    "POST /api/auth/totp": () => ({ body: { next: "done", csrfToken: "t2" } }),
    "GET /api/me": () => ({ body: me }),
    "POST /api/auth/logout": () => ({ body: { ok: true } }),
  };
}

async function modules() {
  const store = await import("../store");
  const auth = await import("./auth");
  const session = await import("../local/session");
  const sync = await import("../sync/client");
  const settings = await import("./settings");
  return { store, auth, session, sync, settings };
}

beforeEach(async () => {
  vi.resetModules();
  vi.stubGlobal("EventSource", undefined); // no live stream in unit tests
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = r.onblocked = resolve;
    });
  }
  localStorage.clear();
  history.replaceState(null, "", "/");
});

afterEach(async () => {
  // Let the sync run started on unlock finish against the stub, not against a real fetch.
  await new Promise((resolve) => setTimeout(resolve, 100));
  vi.unstubAllGlobals();
});

/** Signs `me` in from the sign-in screen and sets the device passcode: the app opens. */
async function signInAndOpen(m: Awaited<ReturnType<typeof modules>>, me: typeof NURSE): Promise<void> {
  serve(signInRoutes(me));
  expect(await m.auth.signIn(me.user.loginId, "pw")).toEqual({ ok: true });
  expect(await m.auth.submitTotp("123456")).toEqual({ ok: true });
  if (m.store.getState().screen === "setPasscode") {
    expect(await m.session.setPasscode("482916", "482916")).toEqual({ ok: true });
  }
  m.sync.stopSync();
}

async function bootSignedOut(): Promise<Awaited<ReturnType<typeof modules>>> {
  const m = await modules();
  serve({ "GET /api/auth/session": () => ({ body: { signedIn: false, stage: null, csrfToken: "t" } }) });
  await m.auth.boot();
  expect(m.store.getState().screen).toBe("signIn");
  return m;
}

describe("where a sign-in lands", () => {
  it("after a sign-out on Settings, the next sign-in opens the room list", async () => {
    const m = await bootSignedOut();
    await signInAndOpen(m, NURSE);
    expect(m.store.getState().screen).toBe("home");
    history.replaceState(null, "", "/#/settings"); // the nurse went to Settings …
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    m.store.setState({ screen: "settings" });

    serve(signInRoutes(NURSE));
    await m.auth.logout(); // … and signed out there
    expect(m.store.getState().screen).toBe("signIn");
    expect(location.hash).toBe("");

    await signInAndOpen(m, DOCTOR);
    expect(m.store.getState().me?.user.id).toBe("u2");
    expect(m.store.getState().screen).toBe("home");
    expect(m.store.getState().roomId).toBeNull();
    expect(location.hash).toBe("#/");
  });

  it("another user signing in after an expired session does not land on the first user's room", async () => {
    const m = await bootSignedOut();
    await signInAndOpen(m, NURSE);
    history.replaceState(null, "", "/#/rooms/r-of-nurse");
    m.store.setState({ screen: "room", roomId: "r-of-nurse" });

    serve({ "GET /api/me/sessions": () => ({ status: 401, body: { error: "unauthenticated", message: "x" } }) });
    await m.settings.loadSessions(); // the session expired: back to sign-in
    expect(m.store.getState().screen).toBe("signIn");

    await signInAndOpen(m, DOCTOR); // someone else takes the tablet
    expect(m.store.getState().me?.user.id).toBe("u2");
    expect(m.store.getState()).toMatchObject({ screen: "home", roomId: null });
    expect(location.hash).toBe("#/");
  });

  it("the same user after an expired session resumes where they were", async () => {
    const m = await bootSignedOut();
    await signInAndOpen(m, NURSE);
    history.replaceState(null, "", "/#/settings");
    m.store.setState({ screen: "settings" });

    serve({ "GET /api/me/sessions": () => ({ status: 401, body: { error: "unauthenticated", message: "x" } }) });
    await m.settings.loadSessions();
    expect(m.store.getState().screen).toBe("signIn");

    await signInAndOpen(m, NURSE);
    expect(m.store.getState().screen).toBe("settings");
    expect(location.hash).toBe("#/settings");
  });
});
