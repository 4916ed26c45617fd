/**
 * Offline copies of photo thumbnails (and of documents' first pages), so that a nurse who
 * opens a room in a car without signal still sees the photos other members posted. The
 * machinery is local/offlineFiles.ts (shared with documents); this module says what a
 * thumbnail is: one per attachment of a post, JPEGs of at most 320 px, within a fixed
 * budget. Full-size photos are not kept: they stay online-only, opened on demand.
 */
import { dataDb, getAll, THUMBNAIL_BACKFILL_MARK } from "../db/database";
import type { PostData, PullResponse } from "../sync/wire";
import { onWipe } from "../wipe";
import { OfflineFiles, pullEffects, type FileEffects, type FileFetcher, type FileRef } from "./offlineFiles";

/**
 * At most 50 MB of sealed thumbnails per device. The server's thumbnails are JPEGs of at
 * most 320 px (typically 10–40 KB), so this keeps some 1,500–5,000 photos: months of a
 * nurse's rooms, within what mobile browsers grant a site without asking. Past the budget
 * the least recently stored or shown thumbnails are evicted first.
 */
export const THUMBNAIL_BUDGET_BYTES = 50 * 1024 * 1024;
/** Thumbnails fetched at once in the background: enough to fill a room quickly, gentle on a weak link. */
export const PREFETCH_CONCURRENCY = 2;

export type ThumbnailRef = FileRef;
export type ThumbnailEffects = FileEffects;
export type ThumbnailFetcher = FileFetcher;

let backfilled = false;

export const thumbnails = new OfflineFiles("thumbnails", {
  budget: async () => THUMBNAIL_BUDGET_BYTES,
  concurrency: PREFETCH_CONCURRENCY,
  beforeRun: backfillThumbnails,
});

function refsOf(roomId: string, postId: string, ids: unknown): ThumbnailRef[] {
  if (!Array.isArray(ids)) return [];
  return ids.filter((id): id is string => typeof id === "string" && id !== "").map((attachmentId) => ({ attachmentId, roomId, postId }));
}

/** Thumbnails to fetch, posts gone and rooms closed in a pull answer (pure; exported for tests). */
export function thumbnailEffects(response: PullResponse): ThumbnailEffects {
  return pullEffects(response, (roomId, postId, data) => refsOf(roomId, postId, data?.["attachmentIds"]));
}

export const noteThumbnails = (effects: ThumbnailEffects): Promise<void> => thumbnails.note(effects);
export const wantedThumbnails = (limit?: number): Promise<ThumbnailRef[]> => thumbnails.wanted(limit);
export const forgetWanted = (ids: string[]): Promise<void> => thumbnails.forgetWanted(ids);
export const putThumbnail = (ref: ThumbnailRef, bytes: ArrayBuffer, options?: { onlyIfWanted?: boolean }): Promise<boolean> =>
  thumbnails.put(ref, bytes, options);
export const getThumbnail = (attachmentId: string): Promise<ArrayBuffer | null> => thumbnails.get(attachmentId);
export const enforceBudget = (budget: number = THUMBNAIL_BUDGET_BYTES): Promise<{ kept: number; evicted: number }> =>
  thumbnails.enforceBudget(budget);
export const clearThumbnails = (): Promise<void> => thumbnails.clear();
export const setThumbnailFetcher = (next: ThumbnailFetcher | null): void => thumbnails.setFetcher(next);
export const kickThumbnailPrefetch = (): void => thumbnails.kick();
export const prefetchThumbnails = (fetch: ThumbnailFetcher, options: { concurrency?: number; budget?: number } = {}): Promise<void> =>
  thumbnails.prefetch(fetch, options);

/**
 * Once, on a device upgraded from schema 1: the posts it already had get their thumbnails
 * noted too (the upgrade left a mark). Later posts are noted by the pull that brings them.
 */
export async function backfillThumbnails(): Promise<void> {
  if (backfilled) return;
  const database = await dataDb();
  if ((await database.getKey("meta", THUMBNAIL_BACKFILL_MARK)) !== undefined) {
    const posts = await getAll<PostData>("posts");
    await noteThumbnails({ wanted: posts.flatMap((p) => refsOf(p.roomId, p.id, p.attachmentIds)), deletedPosts: [], closedRooms: [] });
    await database.delete("meta", THUMBNAIL_BACKFILL_MARK);
  }
  backfilled = true;
}

onWipe(() => {
  backfilled = false;
});
