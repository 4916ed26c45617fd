/**
 * Registers the service worker (/sw.js, scope /) and watches for updates.
 * A new version installs in the background and waits; the page offers
 * 「更新があります」 and only on the user's word tells it to take over
 * (skipWaiting), then reloads once it controls the page. Messages from the
 * service worker: a notification click (open a room) and a wipe done while
 * the app was closed.
 */
import { setState } from "./store";

let waiting: ServiceWorker | null = null;
let onMessage: ((data: { type?: string; room?: string }) => void) | null = null;

function offer(worker: ServiceWorker | null): void {
  if (!worker || !navigator.serviceWorker.controller) return; // first install: nothing to replace
  waiting = worker;
  setState({ updateReady: true });
}

export function applyUpdate(): void {
  waiting?.postMessage({ type: "skipWaiting" });
}

export function onServiceWorkerMessage(handler: (data: { type?: string; room?: string; unsent?: number | null }) => void): void {
  onMessage = handler;
}

export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator) || import.meta.env.DEV) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !waiting) return;
    reloading = true;
    location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    onMessage?.((event.data ?? {}) as { type?: string; room?: string });
  });
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const installing = registration.installing;
      installing?.addEventListener("statechange", () => {
        if (installing.state === "installed") offer(installing);
      });
    });
    // Check for a new version now and then (the app may stay open all day).
    setInterval(() => void registration.update().catch(() => undefined), 30 * 60_000);
  } catch (error) {
    console.warn("carebook: service worker registration failed", error);
  }
}
