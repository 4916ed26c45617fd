/**
 * What the contact book fetches rather than syncs: photos and who has read a post.
 * Thumbnails come from the encrypted offline copy first (local/thumbnails.ts, filled in the
 * background after pulls), then from the authorized endpoint (and are kept for next time);
 * full-size photos are online-only. Both are shown as blob: URLs held in memory while the
 * same data key is unlocked.
 */
import { api, ApiError } from "../api";
import { hasKey, requireKey } from "../local/key";
import { enforceBudget, getThumbnail, putThumbnail, setThumbnailFetcher, type ThumbnailFetcher } from "../local/thumbnails";
import { onWipe } from "../wipe";
import type { Readers } from "./wire";

/** Where a thumbnail belongs, so that a copy fetched on demand goes with its room. */
export interface ThumbnailOwner {
  roomId: string;
  postId: string;
  /** False for a closed room: its photos are shown online only and not kept. */
  keep: boolean;
}

const thumbnails = new Map<string, Promise<string | null>>();
/** The key the blob: URLs above were made under: after a lock they are dropped. */
let urlsKey: CryptoKey | null = null;

const JPEG = "image/jpeg";

async function localOrFetched(attachmentId: string, owner: ThumbnailOwner | undefined): Promise<Blob> {
  const cached = await getThumbnail(attachmentId).catch(() => null);
  if (cached) return new Blob([cached], { type: JPEG });
  const blob = await api.attachmentThumbnail(attachmentId);
  if (owner?.keep) {
    const ref = { attachmentId, roomId: owner.roomId, postId: owner.postId };
    void blob
      .arrayBuffer()
      .then((bytes) => putThumbnail(ref, bytes))
      .then(() => enforceBudget())
      .catch(() => undefined); // locked meanwhile: it is fetched again next time
  }
  return blob;
}

/** A blob: URL for a photo's thumbnail (or, with `full`, the photo itself: online only); null when unavailable. */
export function thumbnailUrl(attachmentId: string, full = false, owner?: ThumbnailOwner): Promise<string | null> {
  const key = hasKey() ? requireKey() : null;
  if (key !== urlsKey) {
    forgetThumbnails();
    urlsKey = key;
  }
  const name = `${full ? "full" : "thumb"}:${attachmentId}`;
  let pending = thumbnails.get(name);
  if (!pending) {
    pending = (full ? api.attachment(attachmentId) : localOrFetched(attachmentId, owner))
      .then((blob) => URL.createObjectURL(blob))
      .catch(() => {
        thumbnails.delete(name); // try again next time (offline now)
        return null;
      });
    thumbnails.set(name, pending);
  }
  return pending;
}

export function forgetThumbnails(): void {
  for (const pending of thumbnails.values()) void pending.then((url) => url && URL.revokeObjectURL(url));
  thumbnails.clear();
}

/** The background prefetch's way to the server: a photo deleted or out of reach is "gone". */
export const fetchThumbnailForCache: ThumbnailFetcher = async (attachmentId) => {
  try {
    // Audited as an offline copy, not as somebody looking at the photo.
    return await (await api.attachmentThumbnail(attachmentId, "offline")).arrayBuffer();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404 || error.status === 410)) return "gone";
    throw error;
  }
};

export function loadReaders(roomId: string, postId: string): Promise<Readers> {
  return api.readers(roomId, postId);
}

setThumbnailFetcher(fetchThumbnailForCache);
onWipe(forgetThumbnails);
