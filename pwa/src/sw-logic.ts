/**
 * What the service worker decides, as plain functions (tested without a
 * worker): which requests it may answer from the cache, and what a push
 * shows. A push never carries patient data, and the notification text is
 * generic; the room label (set by an admin, not the patient's name) appears
 * only when the server includes it, which it does only on the user's opt-in.
 */

export const CACHE_PREFIX = "carebook-shell-";

export type PushPayload =
  | { type: "post"; room: string; count?: number; urgent?: boolean; label?: string; addressed?: boolean }
  | { type: "wipe" }
  | { type: string; [key: string]: unknown };

export interface NotificationPlan {
  title: string;
  options: NotificationOptions & { renotify?: boolean; data: { room: string | null } };
}

export const TEXT = {
  title: "carebook",
  newPost: "新しい投稿があります",
  urgentPost: "至急の投稿があります",
  addressedPost: "あなた宛ての投稿があります",
  urgentAddressedPost: "あなた宛ての至急の投稿があります",
  wiped: "この端末のcarebookデータを消去しました",
};

/** The wipe notification's text: with the unsent records it erased, which must be written again. */
export function wipedText(unsent: number | null): string {
  if (unsent === null) return `${TEXT.wiped}。未送信の記録があった場合、それも消去されています`;
  if (unsent === 0) return TEXT.wiped;
  return `${TEXT.wiped}。まだ送信していなかった記録 ${unsent} 件も消去されました。もう一度書いてください`;
}

/** Requests the service worker must leave to the network: the API (never cached), other origins, non-GET. */
export function isNetworkOnly(url: URL, method: string, origin: string): boolean {
  return method !== "GET" || url.origin !== origin || url.pathname === "/api" || url.pathname.startsWith("/api/");
}

export function parsePush(text: string | null): PushPayload | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") return value as PushPayload;
  } catch {
    // Not JSON: ignore.
  }
  return null;
}

export function notificationFor(payload: PushPayload): NotificationPlan | null {
  if (payload.type !== "post") return null;
  const room = typeof payload["room"] === "string" ? (payload["room"] as string) : null;
  if (!room || !/^[A-Za-z0-9-]{1,64}$/.test(room)) return null;
  const urgent = payload["urgent"] === true;
  const count = typeof payload["count"] === "number" && payload["count"] > 1 ? Math.floor(payload["count"] as number) : 1;
  const label = typeof payload["label"] === "string" && payload["label"] ? (payload["label"] as string).slice(0, 40) : null;
  const addressed = payload["addressed"] === true;
  let body = addressed ? (urgent ? TEXT.urgentAddressedPost : TEXT.addressedPost) : urgent ? TEXT.urgentPost : TEXT.newPost;
  if (count > 1) body += `（${count}件）`;
  if (label) body += `：${label}`;
  return {
    title: TEXT.title,
    options: {
      body,
      tag: `room-${room}`,
      renotify: urgent || addressed,
      requireInteraction: urgent,
      icon: "/icons/icon-192.png",
      badge: "/icons/favicon-32.png",
      lang: "ja",
      data: { room },
    },
  };
}

/** The app URL a notification click opens. */
export function roomUrl(origin: string, room: string | null): string {
  return room ? `${origin}/#/rooms/${encodeURIComponent(room)}` : `${origin}/`;
}
