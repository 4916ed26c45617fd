/**
 * What the contact book fetches rather than syncs: photos, documents and who has read a post.
 * Thumbnails come from the encrypted offline copy first (local/thumbnails.ts, filled in the
 * background after pulls), then from the authorized endpoint (and are kept for next time);
 * full-size photos are online-only. Both are shown as blob: URLs held in memory while the
 * same data key is unlocked. Documents come from their encrypted offline copy
 * (local/documents.ts) or are fetched with the app's own headers (never by navigating to
 * the API), kept, and handed to the device as a download.
 */
import { api, ApiError } from "../api";
import { documentBudget, documents } from "../local/documents";
import { hasKey, requireKey } from "../local/key";
import { enforceBudget, getThumbnail, putThumbnail, setThumbnailFetcher, type ThumbnailFetcher } from "../local/thumbnails";
import { onWipe } from "../wipe";
import type { DocumentRef, Readers } from "./wire";

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

/** The background prefetch's way to the server: a file deleted or out of reach is "gone". */
function fetcherFor(get: (attachmentId: string) => Promise<Blob>): ThumbnailFetcher {
  return async (attachmentId) => {
    try {
      return await (await get(attachmentId)).arrayBuffer();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404 || error.status === 410)) return "gone";
      throw error;
    }
  };
}

// Audited as offline copies, not as somebody looking at the file.
export const fetchThumbnailForCache = fetcherFor((id) => api.attachmentThumbnail(id, "offline"));
const fetchDocumentForCache = fetcherFor((id) => api.attachment(id, "offline"));

/** A document's bytes as a PDF blob: the offline copy, else fetched (and kept while its room is open). */
export async function loadDocument(doc: DocumentRef, owner: ThumbnailOwner): Promise<Blob> {
  const kept = await documents.get(doc.id).catch(() => null);
  if (kept) return new Blob([kept], { type: "application/pdf" });
  const blob = await api.attachment(doc.id);
  if (owner.keep && (await documentBudget()) > 0) {
    const ref = { attachmentId: doc.id, roomId: owner.roomId, postId: owner.postId };
    void blob
      .arrayBuffer()
      .then((bytes) => documents.put(ref, bytes))
      .then(() => documents.enforceBudget())
      .catch(() => undefined); // locked meanwhile: fetched again next time
  }
  return new Blob([blob], { type: "application/pdf" });
}

export function loadReaders(roomId: string, postId: string): Promise<Readers> {
  return api.readers(roomId, postId);
}

setThumbnailFetcher(fetchThumbnailForCache);
documents.setFetcher(fetchDocumentForCache);
onWipe(forgetThumbnails);
