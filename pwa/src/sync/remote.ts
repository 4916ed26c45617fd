/**
 * What the contact book fetches on demand rather than syncs: photo
 * thumbnails (through the authorized endpoint, shown as blob: URLs, kept in
 * memory only) and who has read a post.
 */
import { api } from "../api";
import { onWipe } from "../wipe";
import type { Readers } from "./wire";

const thumbnails = new Map<string, Promise<string | null>>();

export function thumbnailUrl(attachmentId: string, full = false): Promise<string | null> {
  const key = `${full ? "full" : "thumb"}:${attachmentId}`;
  let pending = thumbnails.get(key);
  if (!pending) {
    pending = (full ? api.attachment(attachmentId) : api.attachmentThumbnail(attachmentId))
      .then((blob) => URL.createObjectURL(blob))
      .catch(() => {
        thumbnails.delete(key); // try again next time (offline now)
        return null;
      });
    thumbnails.set(key, pending);
  }
  return pending;
}

export function forgetThumbnails(): void {
  for (const pending of thumbnails.values()) void pending.then((url) => url && URL.revokeObjectURL(url));
  thumbnails.clear();
}

export function loadReaders(roomId: string, postId: string): Promise<Readers> {
  return api.readers(roomId, postId);
}

onWipe(forgetThumbnails);
