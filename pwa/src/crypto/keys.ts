/**
 * The device's data key and the secrets that unlock it.
 *
 * Every record in the offline cache is encrypted under one random AES-GCM-256
 * data key. The key is stored only wrapped, once per way in (a "slot", as in
 * LUKS), each slot AES-GCM under its own key-encryption key:
 *
 * - `passcode`: Argon2id of the passcode (crypto/kdf.ts). Always there: it is
 *   how a device opens offline without biometrics. A copied profile can be
 *   attacked through it at the Argon2id cost per guess (docs/security.md).
 * - `prf`: the WebAuthn PRF output of a platform authenticator (biometric
 *   unlock, crypto/prf.ts). The secret never leaves the authenticator, so a
 *   copied profile holds nothing to guess against.
 * - `recovery`: a random per-device secret that the server keeps and releases
 *   only to this device after a full sign-in (password and second factor).
 *   It lets a person who forgot the passcode set a new one without losing
 *   what the outbox still holds.
 *
 * Version 1 (until 2026-12) wrapped the key under PBKDF2-SHA-256 of the
 * passcode; such a record is read once more, at the next unlock, and
 * rewritten as version 2 (`migrated`).
 *
 * In memory the usable data key is non-extractable. Its raw bytes exist only
 * while an unlock or a slot change runs, and are zeroed after.
 */
import { argon2Bytes, newArgon2Params, type Argon2Params } from "./kdf";

/** What version 1 stored: the data key wrapped under PBKDF2-SHA-256 of the passcode. */
export interface LegacyWrappedKey {
  v: 1;
  salt: Uint8Array;
  iterations: number;
  iv: Uint8Array;
  wrapped: ArrayBuffer;
}

export interface Slot {
  iv: Uint8Array;
  ct: ArrayBuffer;
}

export interface PasscodeSlot extends Slot {
  kdf: Argon2Params;
  /** Letters or symbols in the passcode (not only digits): shown, never used to decide. */
  long: boolean;
}

export interface PrfSlot extends Slot {
  /** The platform credential whose PRF output wraps the key. */
  credentialId: Uint8Array;
  /** The PRF input (`eval.first`), random per device. */
  prfSalt: Uint8Array;
  /** False for a synced passkey (backup-eligible): its PRF follows the account to other devices. */
  deviceBound: boolean;
}

export interface KeySlots {
  v: 2;
  passcode: PasscodeSlot;
  prf?: PrfSlot;
  recovery?: Slot;
}

export type StoredKey = LegacyWrappedKey | KeySlots;
export type SlotName = "passcode" | "prf" | "recovery";

export class WrongPasscodeError extends Error {
  constructor() {
    super("wrong passcode");
    this.name = "WrongPasscodeError";
  }
}

/** A slot's secret (PRF output, recovery secret) does not open it. */
export class WrongSecretError extends Error {
  constructor() {
    super("wrong unlock secret");
    this.name = "WrongSecretError";
  }
}

const V1_AAD = new TextEncoder().encode("carebook/data-key/v1");
const slotAad = (name: SlotName) => new TextEncoder().encode(`carebook/data-key/v2/${name}`);

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

async function aesKey(bytes: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("raw", buffer(bytes), { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** A slot key from a high-entropy secret (PRF output, recovery secret): HKDF, one label per slot. */
async function secretKek(secret: Uint8Array, name: SlotName): Promise<CryptoKey> {
  const material = await subtle().importKey("raw", buffer(secret), "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: new TextEncoder().encode(`carebook/kek/${name}`) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function passcodeKek(passcode: string, kdf: Argon2Params): Promise<CryptoKey> {
  const bytes = await argon2Bytes(passcode, kdf);
  try {
    return await aesKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

async function seal(kek: CryptoKey, raw: Uint8Array, name: SlotName): Promise<Slot> {
  const iv = randomBytes(12);
  const ct = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: slotAad(name) }, kek, buffer(raw));
  return { iv, ct };
}

async function openSlot(kek: CryptoKey, slot: Slot, name: SlotName): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    const raw = await subtle().decrypt({ name: "AES-GCM", iv: buffer(slot.iv), additionalData: slotAad(name) }, kek, slot.ct);
    return new Uint8Array(raw);
  } catch {
    return null; // the GCM tag does not verify: the secret is wrong
  }
}

/** The usable data key: non-extractable, for encrypt/decrypt only. */
export function importDataKey(raw: Uint8Array): Promise<CryptoKey> {
  return aesKey(raw);
}

/** The usable key and its raw bytes, in memory for one operation; `forget` zeroes them. */
export interface OpenedKey {
  key: CryptoKey;
  raw: Uint8Array;
}

export function forget(opened: { raw: Uint8Array } | null | undefined): void {
  opened?.raw.fill(0);
}

export function hasLetters(passcode: string): boolean {
  return !/^[0-9]*$/.test(passcode);
}

export async function passcodeSlot(passcode: string, raw: Uint8Array, kdf: Argon2Params = newArgon2Params()): Promise<PasscodeSlot> {
  const slot = await seal(await passcodeKek(passcode, kdf), raw, "passcode");
  return { ...slot, kdf, long: hasLetters(passcode) };
}

export async function secretSlot(secret: Uint8Array, raw: Uint8Array, name: "prf" | "recovery"): Promise<Slot> {
  return seal(await secretKek(secret, name), raw, name);
}

/** A new data key for a device, with its passcode slot. */
export async function createDataKey(passcode: string, kdf?: Argon2Params): Promise<OpenedKey & { slots: KeySlots }> {
  const raw = randomBytes(32);
  const slots: KeySlots = { v: 2, passcode: await passcodeSlot(passcode, raw, kdf) };
  return { key: await importDataKey(raw), raw, slots };
}

async function openLegacy(passcode: string, stored: LegacyWrappedKey): Promise<Uint8Array<ArrayBuffer>> {
  const material = await subtle().importKey("raw", new TextEncoder().encode(passcode), "PBKDF2", false, ["deriveKey"]);
  const kek = await subtle().deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: buffer(stored.salt), iterations: stored.iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["unwrapKey"],
  );
  let key: CryptoKey;
  try {
    key = await subtle().unwrapKey(
      "raw",
      stored.wrapped,
      kek,
      { name: "AES-GCM", iv: buffer(stored.iv), additionalData: V1_AAD },
      { name: "AES-GCM", length: 256 },
      true, // extractable once, to be rewrapped under Argon2id
      ["encrypt", "decrypt"],
    );
  } catch {
    throw new WrongPasscodeError();
  }
  return new Uint8Array(await subtle().exportKey("raw", key));
}

/**
 * Opens the data key with the passcode. A version 1 record comes back with
 * `migrated`: the same key in a version 2 record, for the caller to store.
 */
export async function openWithPasscode(passcode: string, stored: StoredKey, kdf?: Argon2Params): Promise<OpenedKey & { migrated: KeySlots | null }> {
  if (stored.v === 1) {
    const raw = await openLegacy(passcode, stored);
    const migrated: KeySlots = { v: 2, passcode: await passcodeSlot(passcode, raw, kdf) };
    return { key: await importDataKey(raw), raw, migrated };
  }
  const raw = await openSlot(await passcodeKek(passcode, stored.passcode.kdf), stored.passcode, "passcode");
  if (!raw) throw new WrongPasscodeError();
  return { key: await importDataKey(raw), raw, migrated: null };
}

/** Opens the data key with a slot's secret (PRF output, recovery secret). */
export async function openWithSecret(name: "prf" | "recovery", secret: Uint8Array, slots: KeySlots): Promise<OpenedKey> {
  const slot = slots[name];
  if (!slot) throw new WrongSecretError();
  const raw = await openSlot(await secretKek(secret, name), slot, name);
  if (!raw) throw new WrongSecretError();
  return { key: await importDataKey(raw), raw };
}
