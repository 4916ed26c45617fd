/**
 * The device's data key and the passcode that unlocks it.
 *
 * Every record in the offline cache is encrypted under one random AES-GCM-256
 * data key. That key is stored only wrapped (AES-GCM) under a key derived
 * from the user's passcode with PBKDF2-SHA-256 and a per-device random salt,
 * so a copied IndexedDB is useless without the passcode, and guessing the
 * passcode costs one PBKDF2 run per try. In memory the data key is
 * non-extractable: script on the page can use it but cannot read it out.
 */

/**
 * PBKDF2 iterations for new devices. Measured in headless Chromium 156 on the
 * development machine (x86-64, 2 shared cores): 310,000 → 66 ms, 400,000 →
 * 74 ms, 600,000 → 123 ms (median of 5). Mid-range phones and tablets run
 * SHA-256 several times slower (up to ~10× for older ARM cores without the
 * SHA extensions), so 400,000 stays under one second (≤ ~0.75 s) where
 * 600,000 might not, and is above OWASP's 310,000 floor. The count is stored
 * with each wrapped key, so it can be raised later (a rewrap at the next
 * passcode change picks up the new default). Figures: docs/benchmarks.md.
 */
export const PBKDF2_ITERATIONS = 400_000;
export const MIN_ITERATIONS = 310_000;

const WRAP_AAD = new TextEncoder().encode("carebook/data-key/v1");

/** What is stored: the data key wrapped under the passcode-derived key. */
export interface WrappedKey {
  v: 1;
  salt: Uint8Array;
  iterations: number;
  iv: Uint8Array;
  wrapped: ArrayBuffer;
}

export class WrongPasscodeError extends Error {
  constructor() {
    super("wrong passcode");
    this.name = "WrongPasscodeError";
  }
}

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

async function deriveWrappingKey(passcode: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await subtle().importKey("raw", new TextEncoder().encode(passcode), "PBKDF2", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

async function wrap(dataKey: CryptoKey, passcode: string, iterations: number): Promise<WrappedKey> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kek = await deriveWrappingKey(passcode, salt, iterations);
  const wrapped = await subtle().wrapKey("raw", dataKey, kek, { name: "AES-GCM", iv, additionalData: WRAP_AAD });
  return { v: 1, salt, iterations, iv, wrapped };
}

async function unwrap(passcode: string, stored: WrappedKey, extractable: boolean): Promise<CryptoKey> {
  const kek = await deriveWrappingKey(passcode, stored.salt, stored.iterations);
  try {
    return await subtle().unwrapKey(
      "raw",
      stored.wrapped,
      kek,
      { name: "AES-GCM", iv: stored.iv as Uint8Array<ArrayBuffer>, additionalData: WRAP_AAD },
      { name: "AES-GCM", length: 256 },
      extractable,
      ["encrypt", "decrypt"],
    );
  } catch {
    // The GCM tag does not verify: the passcode (hence the wrapping key) is wrong.
    throw new WrongPasscodeError();
  }
}

/** A new data key for a device: the usable (non-extractable) key and its wrapped form. */
export async function createDataKey(
  passcode: string,
  iterations: number = PBKDF2_ITERATIONS,
): Promise<{ key: CryptoKey; wrapped: WrappedKey }> {
  if (iterations < MIN_ITERATIONS) throw new RangeError(`PBKDF2 iterations below ${MIN_ITERATIONS}`);
  // Extractable only for the moment it takes to wrap it; the copy kept is not.
  const exportable = await subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const wrapped = await wrap(exportable, passcode, iterations);
  const key = await unwrap(passcode, wrapped, false);
  return { key, wrapped };
}

/** The data key, unlocked by the passcode; throws WrongPasscodeError otherwise. */
export function unwrapDataKey(passcode: string, stored: WrappedKey): Promise<CryptoKey> {
  return unwrap(passcode, stored, false);
}

/** The same data key under a new passcode (and a fresh salt). */
export async function rewrapDataKey(oldPasscode: string, newPasscode: string, stored: WrappedKey): Promise<WrappedKey> {
  const exportable = await unwrap(oldPasscode, stored, true);
  return wrap(exportable, newPasscode, Math.max(stored.iterations, PBKDF2_ITERATIONS));
}
