/**
 * Erases everything carebook keeps on this device: after a remote wipe
 * order, an ID stop, a logout, or too many wrong passcodes. The order
 * follows SECURITY.md §24 (key material first, then databases, caches and
 * push/service workers, then storage), and each step runs even when an
 * earlier one fails, so a partial failure never leaves more behind than it
 * must.
 */

import { closeDataDb, countUnsent } from "./db/database";
import { forgetDeviceId } from "./device";
import { destroyDeviceKey } from "./db/keystore";
import { setKey } from "./local/key";
import { TimeoutError, withTimeout } from "./timeout";

/** Databases to delete where `indexedDB.databases()` is missing (old Safari/Firefox). */
export const KNOWN_DATABASES = ["carebook", "carebook-keys", "carebook-sync"];

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    // Another tab holds it open; the deletion completes when it closes.
    request.onblocked = () => resolve();
  });
}

async function wipeDatabases(): Promise<void> {
  if (typeof indexedDB === "undefined") return;
  let names = KNOWN_DATABASES;
  if (typeof indexedDB.databases === "function") {
    const listed = await indexedDB.databases();
    names = [...new Set([...names, ...listed.map((db) => db.name).filter((n): n is string => !!n)])];
  }
  await Promise.all(names.map(deleteDatabase));
}

async function wipeCaches(): Promise<void> {
  if (typeof caches === "undefined") return;
  const keys = await caches.keys();
  await Promise.all(keys.map((key) => caches.delete(key)));
}

async function wipeServiceWorkers(): Promise<void> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  const registrations = await navigator.serviceWorker.getRegistrations();
  for (const registration of registrations) {
    try {
      const subscription = await registration.pushManager?.getSubscription();
      await subscription?.unsubscribe();
    } catch {
      // Push may be unavailable; unregistering still drops the subscription.
    }
    await registration.unregister();
  }
}

function wipeStorage(): void {
  forgetDeviceId();
  for (const storage of [globalThis.localStorage, globalThis.sessionStorage]) {
    try {
      storage?.clear();
    } catch {
      // Storage disabled: nothing stored there to clear.
    }
  }
}

/**
 * How long one step may take. A step can hang rather than fail: the browser may be
 * clearing the same storage itself (the wipe answer's Clear-Site-Data header), which
 * closes open databases under the app and can leave a request without any answer. A
 * stalled step must not keep the person from the sign-in screen.
 */
export const STEP_LIMIT_MS = 4000;

function bounded<T>(name: string, run: () => Promise<T> | T): Promise<T> {
  return withTimeout(Promise.resolve().then(run), STEP_LIMIT_MS).catch((error: unknown) => {
    throw error instanceof TimeoutError ? new TimeoutError(`${name}: no answer in ${STEP_LIMIT_MS} ms`) : error;
  });
}

async function step(name: string, run: () => Promise<void> | void): Promise<void> {
  try {
    await bounded(name, run);
  } catch (error) {
    console.warn(`carebook: wipe step ${name} failed`, error);
  }
}

/** Parts of the app that hold data in memory or open connections (the sync client, the local store). */
const listeners = new Set<() => void>();

export function onWipe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function destroyKeyMaterial(): Promise<void> {
  // The in-memory key first, then the stored wrapped key: from here on the
  // ciphertext left in the databases can no longer be opened, even if a
  // later step fails or the tab is closed mid-way.
  setKey(null);
  await destroyDeviceKey();
}

let running: Promise<number | null> | null = null;

/** Whether a wipe is under way (a second order for the same device joins it). */
export function isWiping(): boolean {
  return running !== null;
}

/**
 * Erases the device; answers how many unsent records went with it (null when
 * they could not be counted), so the screen afterwards can say so.
 */
export function wipeDevice(): Promise<number | null> {
  running ??= (async () => {
    const unsent = await bounded("count unsent", countUnsent).catch(() => null);
    await step("key material", destroyKeyMaterial);
    for (const listener of listeners) await step("listener", listener);
    await step("close database", closeDataDb);
    await step("databases", wipeDatabases);
    await step("caches", wipeCaches);
    await step("service workers", wipeServiceWorkers);
    await step("storage", wipeStorage);
    return unsent;
  })().finally(() => {
    running = null;
  });
  return running;
}
