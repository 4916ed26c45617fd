import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { reloadLang } from "../i18n";
import type { Me, PublicHelp } from "../types";
import { loadPublicHelp, noteTerms, termsDue } from "./help";

function me(required: boolean | null): Me {
  return {
    user: { id: "u1", loginId: "demo-nurse", name: "鈴木 真理子", nameKana: "", jobType: "nurse", jobTypeLabel: "看護師", role: "member", status: "active", officeId: null, officeName: null, officeKind: null, visitsHomes: false },
    factors: { totp: true, passkeys: [] },
    device: null,
    sessionExpiresAt: "2026-11-20T12:00:00Z",
    terms: required === null ? null : { version: "2026-04", required, acceptedVersion: null, acceptedAt: null },
  };
}

const PUBLISHED: PublicHelp = { cityName: "みどり市", signInNote: "お困りのときは", contacts: [] };

beforeEach(() => {
  localStorage.clear();
  reloadLang();
  noteTerms(me(false), true);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("when the terms of use are asked", () => {
  it("asks at a start that reached the server, not when resuming after an idle lock", () => {
    noteTerms(me(true), false);
    expect(termsDue()).toBe(false); // mid-visit: the nurse goes on
    noteTerms(me(true), true);
    expect(termsDue()).toBe(true);
  });

  it("keeps asking until answered, and stops once accepted or when there are no terms", () => {
    noteTerms(me(true), true);
    noteTerms(me(true), false);
    expect(termsDue()).toBe(true);
    noteTerms(me(false), false);
    expect(termsDue()).toBe(false);
    noteTerms(me(true), true);
    noteTerms(me(null), true);
    expect(termsDue()).toBe(false);
  });
});

describe("the sign-in page's contacts", () => {
  it("shows the copy last read when the server cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(PUBLISHED), { status: 200, headers: { "Content-Type": "application/json" } })));
    expect(await loadPublicHelp()).toEqual({ value: PUBLISHED, offline: false });
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
    expect(await loadPublicHelp()).toEqual({ value: PUBLISHED, offline: true });
    localStorage.clear(); // as after a wipe
    expect(await loadPublicHelp()).toEqual({ value: null, offline: true });
  });
});
