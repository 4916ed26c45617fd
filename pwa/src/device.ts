/**
 * The device id names this installation of the PWA to the server (for the
 * device list, per-device wipe and failed-sign-in counting). It is random,
 * made once per install, and made again lazily after a wipe.
 */

export const DEVICE_STORAGE_KEY = "carebook.deviceId";

let memoryFallback: string | null = null;

function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // Fallback for old browsers: a v4 UUID from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function getDeviceId(): string {
  try {
    const stored = localStorage.getItem(DEVICE_STORAGE_KEY);
    if (stored) return stored;
    const id = newId();
    localStorage.setItem(DEVICE_STORAGE_KEY, id);
    return id;
  } catch {
    // Storage unavailable: keep one id for the life of the page.
    memoryFallback ??= newId();
    return memoryFallback;
  }
}

/** A wipe: the next request names a new install (storage itself is cleared by the wipe). */
export function forgetDeviceId(): void {
  memoryFallback = null;
}

/**
 * Keep using `id` (after a local wipe that must not end the session just made on this
 * device: the server binds a session to the device it was made on).
 */
export function adoptDeviceId(id: string): void {
  memoryFallback = id;
  try {
    localStorage.setItem(DEVICE_STORAGE_KEY, id);
  } catch {
    // Storage unavailable: the in-memory id serves for the life of the page.
  }
}
