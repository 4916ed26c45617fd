import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { createDataKey, rewrapDataKey, unwrapDataKey, WrongPasscodeError, MIN_ITERATIONS } from "./keys";
import { open, seal } from "./records";
import { passcodeProblem } from "./passcode";

const FAST = MIN_ITERATIONS; // the floor: keeps the suite quick

describe("data key", () => {
  it("wraps and unwraps with the passcode; the key in memory is not extractable", async () => {
    const { key, wrapped } = await createDataKey("482916", FAST);
    expect(key.extractable).toBe(false);
    expect(wrapped.salt.byteLength).toBe(16);
    expect(wrapped.iv.byteLength).toBe(12);
    const again = await unwrapDataKey("482916", wrapped);
    expect(again.extractable).toBe(false);
    const sealed = await seal(key, "posts", "p1", { body: "褥瘡の処置" });
    expect(await open(again, "posts", "p1", sealed)).toEqual({ body: "褥瘡の処置" });
    await expect(crypto.subtle.exportKey("raw", again)).rejects.toThrow();
  });

  it("refuses a wrong passcode", async () => {
    const { wrapped } = await createDataKey("482916", FAST);
    await expect(unwrapDataKey("482917", wrapped)).rejects.toBeInstanceOf(WrongPasscodeError);
  });

  it("refuses iteration counts below the floor", async () => {
    await expect(createDataKey("482916", 1000)).rejects.toThrow(RangeError);
  });

  it("rewraps the same key under a new passcode with a new salt", async () => {
    const { key, wrapped } = await createDataKey("482916", FAST);
    const sealed = await seal(key, "posts", "p1", "x");
    const rewrapped = await rewrapDataKey("482916", "739204", wrapped);
    expect(rewrapped.salt).not.toEqual(wrapped.salt);
    await expect(unwrapDataKey("482916", rewrapped)).rejects.toBeInstanceOf(WrongPasscodeError);
    expect(await open(await unwrapDataKey("739204", rewrapped), "posts", "p1", sealed)).toBe("x");
  });
});

describe("record sealing", () => {
  it("binds the ciphertext to the store and record id", async () => {
    const { key } = await createDataKey("482916", FAST);
    const sealed = await seal(key, "posts", "p1", { body: "secret" });
    await expect(open(key, "posts", "p2", sealed)).rejects.toThrow();
    await expect(open(key, "comments", "p1", sealed)).rejects.toThrow();
  });

  it("uses a fresh 96-bit IV on every write and leaves no plaintext", async () => {
    const { key } = await createDataKey("482916", FAST);
    const a = await seal(key, "posts", "p1", { name: "青木 ハナ" });
    const b = await seal(key, "posts", "p1", { name: "青木 ハナ" });
    expect(a.iv.byteLength).toBe(12);
    expect(a.iv).not.toEqual(b.iv);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(a.ct);
    expect(text).not.toContain("青木");
    expect(text).not.toContain("name");
  });
});

describe("passcode rules", () => {
  it.each([
    ["12345", "short"],
    ["12a456", "digits"],
    ["123456", "obvious"],
    ["654321", "obvious"],
    ["000000", "obvious"],
    ["111111", "obvious"],
    ["121212", "obvious"],
    ["123123", "obvious"],
    ["890123", "obvious"],
    ["482916", null],
    ["30419527", null],
  ])("%s → %s", (code, problem) => {
    expect(passcodeProblem(code)).toBe(problem);
  });
});
