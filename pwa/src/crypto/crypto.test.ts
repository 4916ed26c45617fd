import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { ARGON2_ITERATIONS, ARGON2_MEMORY_KIB, ARGON2_MIN_MEMORY_KIB, argon2Bytes, newArgon2Params } from "./kdf";
import {
  createDataKey,
  openWithPasscode,
  openWithSecret,
  passcodeSlot,
  randomBytes,
  secretSlot,
  WrongPasscodeError,
  WrongSecretError,
  type LegacyWrappedKey,
} from "./keys";
import { open, seal } from "./records";
import { isLongPasscode, passcodeProblem } from "./passcode";
import { backupEligible } from "./prf";

/** The floor: keeps the suite quick (the shipped parameters are checked apart). */
const fast = () => newArgon2Params(ARGON2_MIN_MEMORY_KIB, 1);

/** The data key wrapped exactly as version 1 (before 2026-12) stored it: PBKDF2-SHA-256, 400,000. */
async function legacyRecord(passcode: string): Promise<{ key: CryptoKey; wrapped: LegacyWrappedKey }> {
  const subtle = crypto.subtle;
  const dataKey = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const material = await subtle.importKey("raw", new TextEncoder().encode(passcode), "PBKDF2", false, ["deriveKey"]);
  const kek = await subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 400_000 }, material, { name: "AES-GCM", length: 256 }, false, ["wrapKey"]);
  const wrapped = await subtle.wrapKey("raw", dataKey, kek, { name: "AES-GCM", iv, additionalData: new TextEncoder().encode("carebook/data-key/v1") });
  return { key: dataKey, wrapped: { v: 1, salt, iterations: 400_000, iv, wrapped } };
}

describe("data key under Argon2id", () => {
  it("ships 64 MiB, 3 passes, one lane, a fresh 16-byte salt per wrap, and refuses less than the floor", () => {
    const params = newArgon2Params();
    expect(params).toMatchObject({ alg: "argon2id", memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 });
    expect(ARGON2_MEMORY_KIB).toBe(65536);
    expect(ARGON2_ITERATIONS).toBe(3);
    expect(params.salt.byteLength).toBe(16);
    expect(newArgon2Params().salt).not.toEqual(params.salt);
    expect(() => newArgon2Params(8 * 1024, 3)).toThrow(RangeError);
  });

  it("matches the RFC 9106 construction (argon2-cffi gives the same bytes for these inputs)", async () => {
    const salt = new TextEncoder().encode("carebook-salt-16");
    const bytes = await argon2Bytes("k7p2x9q4", { alg: "argon2id", memoryKiB: ARGON2_MIN_MEMORY_KIB, iterations: 2, parallelism: 1, salt });
    // argon2.low_level.hash_secret_raw(b"k7p2x9q4", b"carebook-salt-16", time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, type=Type.ID)
    expect(Buffer.from(bytes).toString("hex")).toBe(ARGON2_VECTOR);
  });

  it("wraps and opens with the passcode; the key in memory is not extractable", async () => {
    const { key, slots } = await createDataKey("482916", fast());
    expect(key.extractable).toBe(false);
    expect(slots.v).toBe(2);
    expect(slots.passcode.kdf.alg).toBe("argon2id");
    expect(slots.passcode.iv.byteLength).toBe(12);
    const again = await openWithPasscode("482916", slots);
    expect(again.migrated).toBeNull();
    expect(again.key.extractable).toBe(false);
    const sealed = await seal(key, "posts", "p1", { body: "褥瘡の処置" });
    expect(await open(again.key, "posts", "p1", sealed)).toEqual({ body: "褥瘡の処置" });
    await expect(crypto.subtle.exportKey("raw", again.key)).rejects.toThrow();
  });

  it("refuses a wrong passcode", async () => {
    const { slots } = await createDataKey("482916", fast());
    await expect(openWithPasscode("482917", slots)).rejects.toBeInstanceOf(WrongPasscodeError);
  });

  it("accepts letters, and the same letters typed in another Unicode form", async () => {
    const { slots } = await createDataKey("Café-2026", fast());
    expect(slots.passcode.long).toBe(true);
    // "é" as e + combining acute (as some keyboards send it): NFC makes it the same passcode.
    await expect(openWithPasscode("Cafe\u0301-2026", slots)).resolves.toBeTruthy();
    await expect(openWithPasscode("cafe-2026", slots)).rejects.toBeInstanceOf(WrongPasscodeError);
  });

  it("rewraps the same key under a new passcode with a new salt", async () => {
    const { key, raw, slots } = await createDataKey("482916", fast());
    const sealed = await seal(key, "posts", "p1", "x");
    const next = await passcodeSlot("739204", raw, fast());
    expect(next.kdf.salt).not.toEqual(slots.passcode.kdf.salt);
    const rewrapped = { ...slots, passcode: next };
    await expect(openWithPasscode("482916", rewrapped)).rejects.toBeInstanceOf(WrongPasscodeError);
    expect(await open((await openWithPasscode("739204", rewrapped)).key, "posts", "p1", sealed)).toBe("x");
  });
});

describe("migration from version 1 (PBKDF2)", () => {
  it("opens a key wrapped by the old code and hands back the same key as version 2 under Argon2id", async () => {
    const old = await legacyRecord("482916");
    const sealedBefore = await seal(old.key, "outbox", 7, { name: "post.create", args: { body: "訪問記録" } });
    const opened = await openWithPasscode("482916", old.wrapped, fast());
    expect(opened.migrated).not.toBeNull();
    const migrated = opened.migrated!;
    expect(migrated.v).toBe(2);
    expect(migrated.passcode.kdf.alg).toBe("argon2id");
    expect(Object.keys(migrated).sort()).toEqual(["passcode", "v"]); // nothing of the PBKDF2 record is kept
    // What the old key sealed opens with the migrated one: nothing is lost.
    const reopened = await openWithPasscode("482916", migrated);
    expect(reopened.migrated).toBeNull();
    expect(await open(reopened.key, "outbox", 7, sealedBefore)).toEqual({ name: "post.create", args: { body: "訪問記録" } });
    expect(reopened.key.extractable).toBe(false);
  });

  it("refuses a wrong passcode for an old record without migrating anything", async () => {
    const old = await legacyRecord("482916");
    await expect(openWithPasscode("000001", old.wrapped, fast())).rejects.toBeInstanceOf(WrongPasscodeError);
  });
});

describe("secret slots (biometric PRF, server-held recovery secret)", () => {
  it("open with their own secret only, and only their own slot", async () => {
    const { key, raw, slots } = await createDataKey("482916", fast());
    const prfSecret = randomBytes(32);
    const recoverySecret = randomBytes(32);
    const withSlots = {
      ...slots,
      prf: { ...(await secretSlot(prfSecret, raw, "prf")), credentialId: randomBytes(16), prfSalt: randomBytes(32), deviceBound: true },
      recovery: await secretSlot(recoverySecret, raw, "recovery"),
    };
    const sealed = await seal(key, "posts", "p1", "ok");
    expect(await open((await openWithSecret("prf", prfSecret, withSlots)).key, "posts", "p1", sealed)).toBe("ok");
    expect(await open((await openWithSecret("recovery", recoverySecret, withSlots)).key, "posts", "p1", sealed)).toBe("ok");
    await expect(openWithSecret("prf", randomBytes(32), withSlots)).rejects.toBeInstanceOf(WrongSecretError);
    // A slot's ciphertext moved to another slot does not open: each has its own label.
    const swapped = { ...withSlots, recovery: { iv: withSlots.prf.iv, ct: withSlots.prf.ct } };
    await expect(openWithSecret("recovery", prfSecret, swapped)).rejects.toBeInstanceOf(WrongSecretError);
    await expect(openWithSecret("recovery", recoverySecret, slots)).rejects.toBeInstanceOf(WrongSecretError);
  });

  it("reads backup eligibility (a synced passkey) from the authenticator data flags", () => {
    const data = new Uint8Array(37);
    data[32] = 0x45; // UP, UV, AT
    expect(backupEligible(data.buffer)).toBe(false);
    data[32] = 0x5d; // UP, UV, BE, BS, AT
    expect(backupEligible(data.buffer)).toBe(true);
  });
});

describe("record sealing", () => {
  it("binds the ciphertext to the store and record id", async () => {
    const { key } = await createDataKey("482916", fast());
    const sealed = await seal(key, "posts", "p1", { body: "secret" });
    await expect(open(key, "posts", "p2", sealed)).rejects.toThrow();
    await expect(open(key, "comments", "p1", sealed)).rejects.toThrow();
  });

  it("uses a fresh 96-bit IV on every write and leaves no plaintext", async () => {
    const { key } = await createDataKey("482916", fast());
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
    ["123456", "obvious"],
    ["654321", "obvious"],
    ["000000", "obvious"],
    ["111111", "obvious"],
    ["121212", "obvious"],
    ["123123", "obvious"],
    ["890123", "obvious"],
    ["abcdef", "obvious"],
    ["qwerty", "obvious"],
    ["Password", "obvious"],
    ["aaaaaaaa", "obvious"],
    ["482916", null],
    ["30419527", null],
    ["12a456", null],
    ["hana2026", null],
    ["はなこ2026", null],
    ["x".repeat(65), "tooLong"],
  ])("%s → %s", (code, problem) => {
    expect(passcodeProblem(code)).toBe(problem);
  });

  it.each([
    ["482916", "long"],
    ["4829163057", "long"],
    ["hana202", "long"],
    ["hana2026", null],
    ["まつもと訪問26", null],
  ])("as the fallback of biometric unlock: %s → %s", (code, problem) => {
    expect(passcodeProblem(code, { fallback: true })).toBe(problem);
    expect(isLongPasscode(code)).toBe(problem === null);
  });
});

// Computed with argon2-cffi 25.1 (the reference C implementation), see the test above.
const ARGON2_VECTOR = "79fb937731ff180fd8c6ec5e54bf28642dc064a871dee43231a376b9ffa0f602";
