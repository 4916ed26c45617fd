/**
 * Offline copies of photo thumbnails, so that a nurse who opens a room in a car without
 * signal still sees the photos other members posted. Thumbnails are fetched in the
 * background after a pull brings posts with attachments (a few at a time, never holding
 * up the pull), sealed with the data key like every other record, and kept within a size
 * budget. Full-size photos are not kept: they stay online-only, opened on demand.
 *
 * A thumbnail goes with its room: a revoked room's rows are purged with its posts (see
 * sync/pull.ts), a closed room's on the pull that says it closed, a deleted post's with the
 * tombstone, and all of them on wipe or sign-out.
 */
import { openBytes, sealBytes, type Sealed } from "../crypto/records";
import { dataDb, getAll, THUMBNAIL_BACKFILL_MARK, type StoredThumbnail } from "../db/database";
import type { PostData, PullResponse, RoomData } from "../sync/wire";
import { onWipe } from "../wipe";
import { hasKey, requireKey } from "./key";

/**
 * At most 50 MB of sealed thumbnails per device. The server's thumbnails are JPEGs of at
 * most 320 px (typically 10–40 KB), so this keeps some 1,500–5,000 photos: months of a
 * nurse's rooms, within what mobile browsers grant a site without asking. Past the budget
 * the least recently stored or shown thumbnails are evicted first.
 */
export const THUMBNAIL_BUDGET_BYTES = 50 * 1024 * 1024;
/** Thumbnails fetched at once in the background: enough to fill a room quickly, gentle on a weak link. */
export const PREFETCH_CONCURRENCY = 2;

const STORE = "thumbnails";
const BATCH = 50;

export interface ThumbnailRef {
  attachmentId: string;
  roomId: string;
  postId: string;
}

/** What one pull answer means for the thumbnails. */
export interface ThumbnailEffects {
  wanted: ThumbnailRef[];
  deletedPosts: string[];
  closedRooms: string[];
}

/** Thumbnails to fetch, posts gone and rooms closed in a pull answer (pure; exported for tests). */
export function thumbnailEffects(response: PullResponse): ThumbnailEffects {
  const effects: ThumbnailEffects = { wanted: [], deletedPosts: [], closedRooms: [] };
  const revoked = new Set(response.revokedRooms ?? []);
  for (const [roomId, { changes }] of Object.entries(response.rooms ?? {})) {
    if (revoked.has(roomId)) continue;
    for (const change of changes ?? []) {
      if (change.type === "room" && change.op === "put" && change.data?.["status"] === "closed") effects.closedRooms.push(roomId);
      if (change.type !== "post") continue;
      if (change.op === "del") effects.deletedPosts.push(change.id);
      else effects.wanted.push(...refsOf(roomId, change.id, change.data?.["attachmentIds"]));
    }
  }
  const closed = new Set(effects.closedRooms);
  effects.wanted = effects.wanted.filter((ref) => !closed.has(ref.roomId));
  return effects;
}

function refsOf(roomId: string, postId: string, ids: unknown): ThumbnailRef[] {
  if (!Array.isArray(ids)) return [];
  return ids.filter((id): id is string => typeof id === "string" && id !== "").map((attachmentId) => ({ attachmentId, roomId, postId }));
}

/** Records what a pull asked for: rows to fetch (only for thumbnails not yet here) and rows to drop. */
export async function noteThumbnails(effects: ThumbnailEffects): Promise<void> {
  if (!effects.wanted.length && !effects.deletedPosts.length && !effects.closedRooms.length) return;
  const tx = (await dataDb()).transaction(STORE, "readwrite");
  const store = tx.store;
  for (const room of effects.closedRooms) {
    for (const key of await store.index("room").getAllKeys(IDBKeyRange.only(room))) await store.delete(key);
  }
  for (const post of effects.deletedPosts) {
    for (const key of await store.index("post").getAllKeys(IDBKeyRange.only(post))) await store.delete(key);
  }
  for (const ref of effects.wanted) {
    if ((await store.getKey(ref.attachmentId)) === undefined) await store.put({ id: ref.attachmentId, r: ref.roomId, p: ref.postId, w: 1 });
  }
  await tx.done;
}

/** Thumbnails waiting to be fetched. */
export async function wantedThumbnails(limit = BATCH): Promise<ThumbnailRef[]> {
  const rows = await (await dataDb()).getAllFromIndex(STORE, "wanted", 1, limit);
  return rows.map((row) => ({ attachmentId: row.id, roomId: row.r, postId: row.p }));
}

/** Gives up on thumbnails the server will never serve (deleted photo, no longer a member). */
export async function forgetWanted(ids: string[]): Promise<void> {
  const tx = (await dataDb()).transaction(STORE, "readwrite");
  for (const id of ids) {
    const row = await tx.store.get(id);
    if (row?.w) await tx.store.delete(id);
  }
  await tx.done;
}

let lastUse: Promise<number> | null = null;

/** The next use counter: an order of use, deliberately not a time. */
function nextUse(): Promise<number> {
  // A failed read (database closing) restarts the order at 1: eviction order, nothing more.
  lastUse = (lastUse ?? highestUse()).catch(() => 0).then((n) => n + 1);
  return lastUse;
}

async function highestUse(): Promise<number> {
  const cursor = await (await dataDb()).transaction(STORE).store.index("lru").openKeyCursor(null, "prev");
  return cursor ? (cursor.key as [number, number])[0] : 0;
}

/**
 * Seals and keeps one thumbnail. `onlyIfWanted` (the background fetch) stores it only if
 * its row is still there, so a room revoked or a post deleted during the fetch stays gone;
 * otherwise (a thumbnail fetched on demand) only while its room is on the device.
 * Answers whether it was kept.
 */
export async function putThumbnail(ref: ThumbnailRef, bytes: ArrayBuffer, options: { onlyIfWanted?: boolean } = {}): Promise<boolean> {
  const sealed = await sealBytes(requireKey(), STORE, ref.attachmentId, bytes);
  const use = await nextUse();
  const tx = (await dataDb()).transaction([STORE, "rooms"], "readwrite");
  const thumbnails = tx.objectStore(STORE);
  const present = options.onlyIfWanted
    ? (await thumbnails.getKey(ref.attachmentId)) !== undefined
    : (await tx.objectStore("rooms").getKey(ref.roomId)) !== undefined;
  if (present) {
    await thumbnails.put({ id: ref.attachmentId, r: ref.roomId, p: ref.postId, s: use, n: sealed.ct.byteLength, iv: sealed.iv, ct: sealed.ct });
  }
  await tx.done;
  return present;
}

/** The thumbnail's JPEG bytes from the device, or null; a hit counts as a use for eviction. */
export async function getThumbnail(attachmentId: string): Promise<ArrayBuffer | null> {
  const row = await (await dataDb()).get(STORE, attachmentId);
  if (!row?.ct || !row.iv) return null;
  const bytes = await openBytes(requireKey(), STORE, attachmentId, row as StoredThumbnail & Sealed);
  const use = await nextUse();
  const tx = (await dataDb()).transaction(STORE, "readwrite");
  const current = await tx.store.get(attachmentId);
  // Read again in this transaction: a purge in between must not be undone by the touch.
  if (current?.ct) await tx.store.put({ ...current, s: use });
  await tx.done;
  return bytes;
}

/** Evicts the least recently used thumbnails beyond `budget` bytes; answers the bytes kept and rows evicted. */
export async function enforceBudget(budget: number = THUMBNAIL_BUDGET_BYTES): Promise<{ kept: number; evicted: number }> {
  const tx = (await dataDb()).transaction(STORE, "readwrite");
  let kept = 0;
  const evict: IDBValidKey[] = [];
  // The `lru` index holds [use, size]: newest first, summed from the keys alone.
  let cursor = await tx.store.index("lru").openKeyCursor(null, "prev");
  while (cursor) {
    const size = (cursor.key as [number, number])[1];
    if (evict.length || kept + size > budget) evict.push(cursor.primaryKey);
    else kept += size;
    cursor = await cursor.continue();
  }
  for (const key of evict) await tx.store.delete(key as string);
  await tx.done;
  return { kept, evicted: evict.length };
}

/** Deletes every thumbnail row (wipe, sign-out: the key is already gone, the rows go too). */
export async function clearThumbnails(): Promise<void> {
  lastUse = null;
  await (await dataDb()).clear(STORE);
}

// --- the background fetch --------------------------------------------------------------------

/** Fetches one thumbnail's bytes; "gone" when the server will never serve it; throws when offline. */
export type ThumbnailFetcher = (attachmentId: string) => Promise<ArrayBuffer | "gone">;

let fetcher: ThumbnailFetcher | null = null;
let running: Promise<void> | null = null;
let again = false;
let generation = 0;
let backfilled = false;

/** Set by sync/remote.ts (the only module that may reach the network for photos). */
export function setThumbnailFetcher(next: ThumbnailFetcher | null): void {
  fetcher = next;
}

/** After a pull: fetch what is wanted in the background. Never awaited by the pull. */
export function kickThumbnailPrefetch(): void {
  if (fetcher) void prefetchThumbnails(fetcher);
}

/** One run at a time; a request during a run asks for one more. Resolves when idle. */
export function prefetchThumbnails(fetch: ThumbnailFetcher, options: { concurrency?: number; budget?: number } = {}): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  const started = generation;
  running = (async () => {
    do {
      again = false;
      await prefetchOnce(fetch, started, options.concurrency ?? PREFETCH_CONCURRENCY, options.budget ?? THUMBNAIL_BUDGET_BYTES);
    } while (again && started === generation);
  })()
    .catch(() => undefined) // locked or wiped mid-run: the next pull after unlock starts again
    .finally(() => {
      running = null;
    });
  return running;
}

/** Rooms closed on this device: their photos are shown online only. */
async function closedRooms(): Promise<Set<string>> {
  return new Set((await getAll<RoomData>("rooms")).filter((r) => r.status === "closed").map((r) => r.id));
}

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

async function prefetchOnce(fetch: ThumbnailFetcher, started: number, concurrency: number, budget: number): Promise<void> {
  await backfillThumbnails();
  const closed = await closedRooms();
  for (;;) {
    const batch = await wantedThumbnails();
    if (!batch.length) return;
    const skipped = batch.filter((ref) => closed.has(ref.roomId)).map((ref) => ref.attachmentId);
    if (skipped.length) await forgetWanted(skipped);
    const queue = batch.filter((ref) => !closed.has(ref.roomId));
    let stopped = false;
    const worker = async (): Promise<void> => {
      for (let ref = queue.shift(); ref && !stopped; ref = queue.shift()) {
        if (started !== generation || !hasKey()) {
          stopped = true;
          return;
        }
        try {
          const got = await fetch(ref.attachmentId);
          if (got === "gone") await forgetWanted([ref.attachmentId]);
          else await putThumbnail(ref, got, { onlyIfWanted: true });
        } catch {
          // Offline, signed out or locked: the rows stay wanted; the next pull tries again.
          stopped = true;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await enforceBudget(budget);
    if (stopped) return;
  }
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

onWipe(async () => {
  generation += 1;
  again = false;
  backfilled = false;
  // Bounded: a wipe must never wait on a database another tab holds at an old version.
  await Promise.race([clearThumbnails().catch(() => undefined), timeout(1500)]);
});
