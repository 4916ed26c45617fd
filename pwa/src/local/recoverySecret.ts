/**
 * The recovery slot: the data key wrapped under a random per-device secret
 * that only the server keeps (server/auth/device_keys.py) and releases to
 * this device after a full sign-in. It is what lets a forgotten passcode be
 * replaced without losing the unsent records (docs/security.md).
 */
import { api } from "../api";
import { base64urlDecode } from "../base64";
import { forget, secretSlot, type OpenedKey } from "../crypto/keys";
import { readDeviceKey, writeDeviceKey } from "../db/keystore";

/** The server's per-device recovery secret: made on first request, released after a full sign-in. */
export async function fetchRecoverySecret(): Promise<{ secret: Uint8Array; created: boolean } | null> {
  try {
    const answer = await api.deviceRecoveryKey();
    return { secret: new Uint8Array(base64urlDecode(answer.secret)), created: answer.created };
  } catch {
    return null; // offline, or the session is not fresh enough: the next unlock online tries again
  }
}

/**
 * Adds the recovery slot when the record has none (a new device, or one
 * migrated from version 1): from then on a forgotten passcode costs nothing.
 */
async function ensureRecoverySlot(raw: Uint8Array): Promise<void> {
  const record = await readDeviceKey();
  if (!record || record.wrapped.v !== 2 || record.wrapped.recovery) return;
  // Made now, or an existing one released after a fresh sign-in; withheld otherwise (the next
  // unlock online tries again).
  const answer = await fetchRecoverySecret();
  if (!answer) return;
  const recovery = await secretSlot(answer.secret, raw, "recovery");
  answer.secret.fill(0);
  const latest = await readDeviceKey();
  if (latest && latest.wrapped.v === 2 && !latest.wrapped.recovery) {
    await writeDeviceKey({ ...latest, wrapped: { ...latest.wrapped, recovery } });
  }
}

/** Runs the recovery-slot top-up in the background, then zeroes the raw key. */
export function finishWithRaw(opened: OpenedKey): void {
  void ensureRecoverySlot(opened.raw)
    .catch(() => undefined)
    .finally(() => forget(opened));
}
