/**
 * The unlocked data key, held only in memory while the app is unlocked.
 * Locking drops the reference; the key object is non-extractable, so even
 * while held it cannot be read out by script.
 */

let dataKey: CryptoKey | null = null;

export class LockedError extends Error {
  constructor() {
    super("carebook is locked");
    this.name = "LockedError";
  }
}

export function setKey(key: CryptoKey | null): void {
  dataKey = key;
}

export function hasKey(): boolean {
  return dataKey !== null;
}

export function requireKey(): CryptoKey {
  if (!dataKey) throw new LockedError();
  return dataKey;
}
