/// <reference lib="webworker" />
/**
 * carebook's service worker (built to /sw.js, scope /).
 *
 * - App shell offline: the build's files are precached in a cache named by
 *   the build's version; old versions are deleted on activation. A new
 *   version waits until the user accepts 「更新があります」 (skipWaiting).
 * - It NEVER stores or answers `/api/` requests: patient data lives only in
 *   the encrypted IndexedDB.
 * - Push (issue 7): a generic notification per room (tag `room-<id>`,
 *   renotify when urgent); a click opens that room; a `wipe` push erases the
 *   device's carebook data even while the app is closed.
 */
import { countUnsentIn } from "./db/unsent";
import { CACHE_PREFIX, isNetworkOnly, notificationFor, parsePush, roomUrl, TEXT, wipedText } from "./sw-logic";

declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: string[];
declare const __SW_VERSION__: string;

const CACHE = `${CACHE_PREFIX}${__SW_VERSION__}`;
const SHELL = "/index.html";
const KNOWN_DATABASES = ["carebook-keys", "carebook", "carebook-sync"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([SHELL, ...__PRECACHE__]);
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "skipWaiting") void self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (isNetworkOnly(url, request.method, self.location.origin)) return; // the browser fetches; nothing is cached
  if (request.mode === "navigate") {
    event.respondWith(
      (async () => {
        const cached = await caches.match(SHELL, { cacheName: CACHE });
        if (cached) return cached;
        return fetch(request);
      })(),
    );
    return;
  }
  event.respondWith(
    (async () => {
      const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
      return cached ?? fetch(request);
    })(),
  );
});

// --- push ------------------------------------------------------------------------------------

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    // Open pages close their connections on `versionchange`; give them a moment.
    request.onblocked = () => setTimeout(resolve, 3000);
  });
}

/** Destroys the wrapped data key inside its database before anything else. */
function destroyKey(): Promise<void> {
  return new Promise((resolve) => {
    const open = indexedDB.open("carebook-keys");
    open.onerror = () => resolve();
    open.onsuccess = () => {
      const db = open.result;
      try {
        if (!db.objectStoreNames.contains("device")) {
          db.close();
          resolve();
          return;
        }
        const tx = db.transaction("device", "readwrite");
        tx.objectStore("device").delete("key");
        tx.oncomplete = tx.onerror = tx.onabort = () => {
          db.close();
          resolve();
        };
      } catch {
        db.close();
        resolve();
      }
    };
  });
}

async function step(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.warn("carebook sw: wipe step failed", error);
  }
}

/** How many unsent records the wipe is about to erase (null when they cannot be counted). */
function countUnsent(): Promise<number | null> {
  return new Promise((resolve) => {
    const open = indexedDB.open("carebook");
    open.onerror = () => resolve(null);
    open.onupgradeneeded = () => open.transaction?.abort(); // no cache here: nothing to count
    open.onsuccess = () => {
      const db = open.result;
      countUnsentIn(db)
        .then(resolve, () => resolve(null))
        .finally(() => db.close());
    };
  });
}

async function wipe(): Promise<void> {
  const unsent = await countUnsent().catch(() => null);
  await step(destroyKey);
  // Tell open pages first: they drop their key and close their databases.
  await step(async () => {
    for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) client.postMessage({ type: "wiped", unsent });
  });
  await step(async () => {
    const listed = typeof indexedDB.databases === "function" ? (await indexedDB.databases()).map((d) => d.name ?? "") : [];
    const names = [...new Set([...KNOWN_DATABASES, ...listed.filter(Boolean)])];
    for (const name of names) await deleteDatabase(name);
  });
  await step(async () => {
    for (const key of await caches.keys()) await caches.delete(key);
  });
  await step(async () => {
    const subscription = await self.registration.pushManager.getSubscription();
    await subscription?.unsubscribe();
  });
  await self.registration.showNotification(TEXT.title, { body: wipedText(unsent), tag: "carebook-wipe", icon: "/icons/icon-192.png", lang: "ja" });
}

self.addEventListener("push", (event) => {
  let text: string | null = null;
  try {
    text = event.data?.text() ?? null;
  } catch {
    text = null;
  }
  const payload = parsePush(text);
  if (payload?.type === "wipe") {
    event.waitUntil(wipe());
    return;
  }
  const plan = payload ? notificationFor(payload) : null;
  // A push must show something (userVisibleOnly); without a usable payload, the generic text.
  event.waitUntil(
    plan
      ? self.registration.showNotification(plan.title, plan.options)
      : self.registration.showNotification(TEXT.title, { body: TEXT.newPost, tag: "carebook", icon: "/icons/icon-192.png", lang: "ja" }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const room = (event.notification.data as { room?: string | null } | null)?.room ?? null;
  const target = roomUrl(self.location.origin, room);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const existing = windows.find((c) => new URL(c.url).origin === self.location.origin);
      if (existing) {
        await existing.focus();
        existing.postMessage({ type: "open-room", room });
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
