import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it, vi } from "vitest";

async function dataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function fresh() {
  vi.resetModules();
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase("carebook-keys");
    r.onsuccess = r.onerror = r.onblocked = resolve;
  });
  const proof = await import("./unlockProof");
  const keystore = await import("../db/keystore");
  return { proof, keystore };
}

describe("unlock proof", () => {
  beforeEach(() => localStorage.clear());

  it("is kept only sealed at rest, and an unlock (offline) brings it back", async () => {
    const { proof, keystore } = await fresh();
    const key = await dataKey();
    proof.adoptIssuedProof("issued-secret-0123456789-abcdefghijklmnopqrstu", key);
    expect(proof.unlockProof()).toBe("issued-secret-0123456789-abcdefghijklmnopqrstu");
    await proof.restoreUnlockProof(key); // waits for the sealing
    const stored = JSON.stringify(await keystore.readUnlockProof(), (_k, v) =>
      v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? Array.from(new Uint8Array(v as ArrayBuffer)) : v,
    );
    expect(stored).not.toContain("issued-secret");
    // Locking forgets it; the server is told the next one, sealed before it is sent.
    const told: Array<[string, string]> = [];
    await proof.retireUnlockProof(key, async (next, old) => {
      told.push([next, old]);
    });
    expect(proof.unlockProof()).toBeNull();
    expect(told).toHaveLength(1);
    const [next, old] = told[0]!;
    expect(old).toBe("issued-secret-0123456789-abcdefghijklmnopqrstu");
    expect(next).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The unlock opens the new one; the old one is kept for a lock that never arrived.
    await proof.restoreUnlockProof(key);
    expect(proof.unlockProof()).toBe(next);
    expect(proof.usePreviousProof()).toBe(true);
    expect(proof.unlockProof()).toBe(old);
    expect(proof.usePreviousProof()).toBe(false); // once
  });

  it("offline at lock: the sealed proofs still open, the server never heard of the new one", async () => {
    const { proof } = await fresh();
    const key = await dataKey();
    proof.adoptIssuedProof("offline-secret-0123456789-abcdefghijklmnopqrst", key);
    await proof.restoreUnlockProof(key);
    await proof.retireUnlockProof(key, () => Promise.reject(new TypeError("offline")));
    await proof.restoreUnlockProof(key);
    expect(proof.usePreviousProof()).toBe(true);
    expect(proof.unlockProof()).toBe("offline-secret-0123456789-abcdefghijklmnopqrst");
  });

  it("a proof issued before the passcode exists is sealed when the key arrives", async () => {
    const { proof, keystore } = await fresh();
    proof.adoptIssuedProof("before-key-secret-0123456789-abcdefghijklmnop", null);
    expect(await keystore.readUnlockProof()).toBeNull();
    const key = await dataKey();
    await proof.restoreUnlockProof(key);
    expect(await keystore.readUnlockProof()).not.toBeNull();
    proof.forgetUnlockProof();
    expect(proof.unlockProof()).toBeNull();
    await proof.restoreUnlockProof(key);
    expect(proof.unlockProof()).toBe("before-key-secret-0123456789-abcdefghijklmnop");
  });

  it("another key cannot open it", async () => {
    const { proof } = await fresh();
    proof.adoptIssuedProof("sealed-secret-0123456789-abcdefghijklmnopqrstu", await dataKey());
    await proof.restoreUnlockProof(await dataKey());
    proof.forgetUnlockProof();
    await proof.restoreUnlockProof(await dataKey());
    expect(proof.unlockProof()).toBeNull();
  });
});
