/**
 * Web Push on this device (issue 7): subscribe with the server's VAPID key,
 * unsubscribe, and the user's notification preferences. `subscribe()` talks
 * to the browser's push service on the internet and can hang without it, so
 * it is always raced against a timeout with a message that says so.
 */
import { api, type PushPreferences } from "../api";
import { base64urlEncode, base64urlDecode } from "../base64";
import { t } from "../i18n";
import { TimeoutError, withTimeout } from "../timeout";
import { failure, type Result } from "./result";

export const SUBSCRIBE_TIMEOUT_MS = 10_000;

export type PushSupport = "supported" | "unsupported" | "iosNeedsHomeScreen" | "denied";

export function isIos(): boolean {
  const ua = navigator.userAgent;
  return /iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export function isStandalone(): boolean {
  return (
    (navigator as Navigator & { standalone?: boolean }).standalone === true ||
    (typeof matchMedia === "function" && matchMedia("(display-mode: standalone)").matches)
  );
}

export function pushSupport(): PushSupport {
  if (isIos() && !isStandalone()) return "iosNeedsHomeScreen";
  if (!("serviceWorker" in navigator) || typeof PushManager === "undefined" || typeof Notification === "undefined") return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return "supported";
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return withTimeout(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS);
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!("serviceWorker" in navigator)) return null;
  try {
    return await (await registration()).pushManager.getSubscription();
  } catch {
    return null;
  }
}

/** The part of a subscription the server stores: endpoint and keys. */
export function subscriptionBody(subscription: PushSubscription): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const p256dh = subscription.getKey("p256dh");
  const auth = subscription.getKey("auth");
  if (!p256dh || !auth) throw new TypeError("subscription without keys");
  return { endpoint: subscription.endpoint, keys: { p256dh: base64urlEncode(p256dh), auth: base64urlEncode(auth) } };
}

export async function enablePush(timeoutMs = SUBSCRIBE_TIMEOUT_MS): Promise<Result> {
  const support = pushSupport();
  if (support === "iosNeedsHomeScreen") return { ok: false, code: "ios", message: t("push.iosFirst"), reasons: [] };
  if (support === "unsupported") return { ok: false, code: "unsupported", message: t("push.unsupported"), reasons: [] };
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return { ok: false, code: "denied", message: t("push.denied"), reasons: [] };
  try {
    const { publicKey } = await api.pushKey();
    const reg = await registration();
    let subscription = await reg.pushManager.getSubscription();
    if (!subscription) {
      subscription = await withTimeout(
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlDecode(publicKey) }),
        timeoutMs,
      );
    }
    await api.pushSubscribe(subscriptionBody(subscription) as unknown as PushSubscriptionJSON);
    return { ok: true };
  } catch (error) {
    if (error instanceof TimeoutError) return { ok: false, code: "timeout", message: t("push.timeout"), reasons: [] };
    if (error instanceof DOMException) return { ok: false, code: "push_failed", message: t("push.failed"), reasons: [] };
    return failure(error);
  }
}

export async function disablePush(): Promise<Result> {
  try {
    const subscription = await currentSubscription();
    if (subscription) {
      await api.pushUnsubscribe().catch(() => undefined);
      await subscription.unsubscribe();
    }
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}

export async function loadPreferences(): Promise<{ ok: true; value: PushPreferences } | (Result & { ok: false })> {
  try {
    return { ok: true, value: await api.pushPreferences() };
  } catch (error) {
    return failure(error);
  }
}

export async function savePreferences(prefs: PushPreferences): Promise<Result> {
  try {
    await api.savePushPreferences(prefs);
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}
