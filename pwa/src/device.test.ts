import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEVICE_STORAGE_KEY, forgetDeviceId, getDeviceId } from "./device";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("device id", () => {
  beforeEach(() => localStorage.clear());

  it("is a random UUID kept in localStorage and stable across calls", () => {
    const id = getDeviceId();
    expect(id).toMatch(UUID);
    expect(getDeviceId()).toBe(id);
    expect(localStorage.getItem(DEVICE_STORAGE_KEY)).toBe(id);
  });

  it("is made anew after storage is cleared (a wipe)", () => {
    const before = getDeviceId();
    localStorage.clear();
    const after = getDeviceId();
    expect(after).toMatch(UUID);
    expect(after).not.toBe(before);
  });

  describe("where storage is unavailable", () => {
    beforeEach(() => {
      const refuse = () => {
        throw new Error("storage disabled");
      };
      vi.stubGlobal("localStorage", { getItem: refuse, setItem: refuse, clear: refuse });
    });
    afterEach(() => vi.unstubAllGlobals());

    it("keeps one id for the page, and a wipe forgets it", () => {
      const id = getDeviceId();
      expect(getDeviceId()).toBe(id);
      forgetDeviceId();
      expect(getDeviceId()).not.toBe(id);
    });
  });
});
