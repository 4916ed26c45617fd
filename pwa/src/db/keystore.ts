/**
 * The small `carebook-keys` database: the wrapped data key (crypto/keys.ts),
 * the unlock proof sealed under it (local/unlockProof.ts) and the device's lock state (wrong-passcode count, last contact with the server, lock
 * settings). Nothing here is patient data, which is why it is not itself
 * encrypted: it has to be readable before the passcode is entered. The
 * wrong-passcode count lives here, not in memory, so reloading the page does
 * not reset it.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { StoredKey } from "../crypto/keys";
import type { Sealed } from "../crypto/records";

export const KEYS_DB = "carebook-keys";

export interface LockSettings {
  /** Lock after this many minutes without a touch or key press. */
  idleLockMinutes: number;
  /** Wipe after this many wrong passcodes in a row. */
  maxPasscodeAttempts: number;
  /** Lock (until the server is reached) after this long without contact. */
  offlineLockHours: number;
  /** Wipe after this long without contact. */
  offlineWipeDays: number;
}

export const DEFAULT_LOCK_SETTINGS: LockSettings = {
  idleLockMinutes: 5,
  maxPasscodeAttempts: 5,
  offlineLockHours: 12,
  offlineWipeDays: 30,
};

export interface DeviceKeyRecord {
  /** Version 2: the key's slots (passcode, biometric, recovery); version 1: PBKDF2, migrated at the next unlock. */
  wrapped: StoredKey;
  /** The opaque id of the user the data belongs to: another user's sign-in wipes it first. */
  userId: string;
  createdAt: number;
}

export interface LockState {
  failedAttempts: number;
  /** Epoch ms of the last answer from the server; null before the first. */
  lastContactAt: number | null;
  settings: LockSettings;
}

/**
 * The unlock proof, sealed under the data key (local/unlockProof.ts): the current one, and
 * the one before the last lock in case that lock never reached the server.
 */
export interface SealedUnlockProof {
  current: Sealed;
  previous: Sealed | null;
}

interface KeysSchema extends DBSchema {
  device: { key: string; value: DeviceKeyRecord | LockState | SealedUnlockProof };
}

let dbPromise: Promise<IDBPDatabase<KeysSchema>> | null = null;

function db(): Promise<IDBPDatabase<KeysSchema>> {
  dbPromise ??= openDB<KeysSchema>(KEYS_DB, 1, {
    upgrade(database) {
      database.createObjectStore("device");
    },
    blocking() {
      void closeKeystore();
    },
    terminated() {
      // The browser closed it (storage cleared, e.g. by a wipe answer's Clear-Site-Data):
      // the next call opens a new connection instead of failing on this one.
      dbPromise = null;
    },
  });
  return dbPromise;
}

export async function closeKeystore(): Promise<void> {
  const pending = dbPromise;
  dbPromise = null;
  if (pending) (await pending.catch(() => null))?.close();
}

export async function readDeviceKey(): Promise<DeviceKeyRecord | null> {
  const value = await (await db()).get("device", "key");
  return (value as DeviceKeyRecord | undefined) ?? null;
}

export async function writeDeviceKey(record: DeviceKeyRecord): Promise<void> {
  await (await db()).put("device", record, "key");
}

/** Step one of every wipe: without the wrapped key the ciphertext is noise. */
export async function destroyDeviceKey(): Promise<void> {
  try {
    const database = await db();
    await database.delete("device", "key");
  } finally {
    await closeKeystore();
    await deleteDB(KEYS_DB).catch(() => undefined);
  }
}

export async function readLockState(): Promise<LockState> {
  const value = (await (await db()).get("device", "state")) as LockState | undefined;
  return {
    failedAttempts: value?.failedAttempts ?? 0,
    lastContactAt: value?.lastContactAt ?? null,
    settings: { ...DEFAULT_LOCK_SETTINGS, ...(value?.settings ?? {}) },
  };
}

export async function updateLockState(patch: (state: LockState) => Partial<LockState>): Promise<LockState> {
  const database = await db();
  const tx = database.transaction("device", "readwrite");
  const current = (await tx.store.get("state")) as LockState | undefined;
  const base: LockState = {
    failedAttempts: current?.failedAttempts ?? 0,
    lastContactAt: current?.lastContactAt ?? null,
    settings: { ...DEFAULT_LOCK_SETTINGS, ...(current?.settings ?? {}) },
  };
  const next = { ...base, ...patch(base) };
  await tx.store.put(next, "state");
  await tx.done;
  return next;
}

export async function readUnlockProof(): Promise<SealedUnlockProof | null> {
  const value = await (await db()).get("device", "unlockProof");
  return (value as SealedUnlockProof | undefined) ?? null;
}

export async function writeUnlockProof(record: SealedUnlockProof): Promise<void> {
  await (await db()).put("device", record, "unlockProof");
}
