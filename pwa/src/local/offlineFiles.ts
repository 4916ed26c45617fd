/**
 * Offline copies of files other members attached — photo thumbnails (local/thumbnails.ts)
 * and documents (local/documents.ts) — so that a nurse in a car without signal still sees
 * them. Each kind has its own store and budget; both work the same way: a pull notes which
 * files its posts bring ("wanted" rows, never holding up the pull), a background run fetches
 * them a few at a time, each is sealed with the data key like every other record, and the
 * store is kept within its size budget, the least recently stored or shown evicted first.
 *
 * A file goes with its room: a revoked room's rows are purged with its posts (sync/pull.ts),
 * a closed room's on the pull that says it closed, a deleted post's with the tombstone, and
 * all of them on wipe or sign-out.
 *
 * In the clear, per row, only what IndexedDB needs: opaque ids (attachment, room `r`, post
 * `p`), a use counter `s` (an order, not a date), the ciphertext size `n` (indexed with `s`
 * as `lru`, so the budget is enforced from keys alone) and `w: 1` on a row still to fetch.
 */
import { openBytes, sealBytes, type Sealed } from "../crypto/records";
import { dataDb, getAll, type FileStore, type StoredThumbnail } from "../db/database";
import type { PullResponse, RoomData } from "../sync/wire";
import { onWipe } from "../wipe";
import { hasKey, requireKey } from "./key";

const BATCH = 50;

export interface FileRef {
  attachmentId: string;
  roomId: string;
  postId: string;
  /** The expected size in bytes, when the post says (documents): for filling within the budget. */
  size?: number;
}

/** What one pull answer means for a store of offline files. */
export interface FileEffects {
  wanted: FileRef[];
  deletedPosts: string[];
  closedRooms: string[];
}

/** Fetches one file's bytes; "gone" when the server will never serve it; throws when offline. */
export type FileFetcher = (attachmentId: string) => Promise<ArrayBuffer | "gone">;

/** Files to fetch, posts gone and rooms closed in a pull answer (pure; exported for tests). */
export function pullEffects(response: PullResponse, refsOf: (roomId: string, postId: string, data: Record<string, unknown> | null | undefined) => FileRef[]): FileEffects {
  const effects: FileEffects = { wanted: [], deletedPosts: [], closedRooms: [] };
  const revoked = new Set(response.revokedRooms ?? []);
  for (const [roomId, { changes }] of Object.entries(response.rooms ?? {})) {
    if (revoked.has(roomId)) continue;
    for (const change of changes ?? []) {
      if (change.type === "room" && change.op === "put" && change.data?.["status"] === "closed") effects.closedRooms.push(roomId);
      if (change.type !== "post") continue;
      if (change.op === "del") effects.deletedPosts.push(change.id);
      else effects.wanted.push(...refsOf(roomId, change.id, change.data as Record<string, unknown> | null));
    }
  }
  const closed = new Set(effects.closedRooms);
  effects.wanted = effects.wanted.filter((ref) => !closed.has(ref.roomId));
  return effects;
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface OfflineFilesOptions {
  /** The budget in bytes now (0: keep nothing). */
  budget: () => Promise<number>;
  /** Fetched at once in the background: enough to fill a room quickly, gentle on a weak link. */
  concurrency: number;
  /**
   * Documents: the background run only fills free room, newest first, and never evicts
   * (a file opened on demand does); thumbnails: fetch all, then evict past the budget.
   */
  fillOnly?: boolean;
  /** Work to do once before a background run (thumbnails: notes older posts once). */
  beforeRun?: () => Promise<void>;
}

export class OfflineFiles {
  private fetcher: FileFetcher | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private generation = 0;
  private lastUse: Promise<number> | null = null;

  constructor(
    readonly store: FileStore,
    private readonly options: OfflineFilesOptions,
  ) {
    onWipe(async () => {
      this.generation += 1;
      this.again = false;
      // Bounded: a wipe must never wait on a database another tab holds at an old version.
      await Promise.race([this.clear().catch(() => undefined), timeout(1500)]);
    });
  }

  /** Records what a pull asked for: rows to fetch (only for files not yet here) and rows to drop. */
  async note(effects: FileEffects): Promise<void> {
    if (!effects.wanted.length && !effects.deletedPosts.length && !effects.closedRooms.length) return;
    const tx = (await dataDb()).transaction(this.store, "readwrite");
    const store = tx.store;
    for (const room of effects.closedRooms) {
      for (const key of await store.index("room").getAllKeys(IDBKeyRange.only(room))) await store.delete(key);
    }
    for (const post of effects.deletedPosts) {
      for (const key of await store.index("post").getAllKeys(IDBKeyRange.only(post))) await store.delete(key);
    }
    for (const ref of effects.wanted) {
      if ((await store.getKey(ref.attachmentId)) === undefined) {
        await store.put({ id: ref.attachmentId, r: ref.roomId, p: ref.postId, w: 1, ...(ref.size ? { n: ref.size } : {}) });
      }
    }
    await tx.done;
  }

  /** Files waiting to be fetched (newest first when filling). */
  async wanted(limit = BATCH): Promise<FileRef[]> {
    const index = (await dataDb()).transaction(this.store).store.index("wanted");
    const rows: StoredThumbnail[] = [];
    for (let cursor = await index.openCursor(1, this.options.fillOnly ? "prev" : "next"); cursor && rows.length < limit; cursor = await cursor.continue()) {
      rows.push(cursor.value);
    }
    return rows.map((row) => ({ attachmentId: row.id, roomId: row.r, postId: row.p, ...(row.n ? { size: row.n } : {}) }));
  }

  /** Gives up on files the server will never serve (deleted, no longer a member). */
  async forgetWanted(ids: string[]): Promise<void> {
    const tx = (await dataDb()).transaction(this.store, "readwrite");
    for (const id of ids) {
      const row = await tx.store.get(id);
      if (row?.w) await tx.store.delete(id);
    }
    await tx.done;
  }

  /** The next use counter: an order of use, deliberately not a time. */
  private nextUse(): Promise<number> {
    // A failed read (database closing) restarts the order at 1: eviction order, nothing more.
    this.lastUse = (this.lastUse ?? this.highestUse()).catch(() => 0).then((n) => n + 1);
    return this.lastUse;
  }

  private async highestUse(): Promise<number> {
    const cursor = await (await dataDb()).transaction(this.store).store.index("lru").openKeyCursor(null, "prev");
    return cursor ? (cursor.key as [number, number])[0] : 0;
  }

  /**
   * Seals and keeps one file. `onlyIfWanted` (the background fetch) stores it only if its
   * row is still there, so a room revoked or a post deleted during the fetch stays gone;
   * otherwise (a file fetched on demand) only while its room is on the device.
   * Answers whether it was kept.
   */
  async put(ref: FileRef, bytes: ArrayBuffer, options: { onlyIfWanted?: boolean } = {}): Promise<boolean> {
    const sealed = await sealBytes(requireKey(), this.store, ref.attachmentId, bytes);
    const use = await this.nextUse();
    const tx = (await dataDb()).transaction([this.store, "rooms"], "readwrite");
    const files = tx.objectStore(this.store);
    const present = options.onlyIfWanted
      ? (await files.getKey(ref.attachmentId)) !== undefined
      : (await tx.objectStore("rooms").getKey(ref.roomId)) !== undefined;
    if (present) {
      await files.put({ id: ref.attachmentId, r: ref.roomId, p: ref.postId, s: use, n: sealed.ct.byteLength, iv: sealed.iv, ct: sealed.ct });
    }
    await tx.done;
    return present;
  }

  /** The file's bytes from the device, or null; a hit counts as a use for eviction. */
  async get(attachmentId: string): Promise<ArrayBuffer | null> {
    const row = await (await dataDb()).get(this.store, attachmentId);
    if (!row?.ct || !row.iv) return null;
    const bytes = await openBytes(requireKey(), this.store, attachmentId, row as StoredThumbnail & Sealed);
    const use = await this.nextUse();
    const tx = (await dataDb()).transaction(this.store, "readwrite");
    const current = await tx.store.get(attachmentId);
    // Read again in this transaction: a purge in between must not be undone by the touch.
    if (current?.ct) await tx.store.put({ ...current, s: use });
    await tx.done;
    return bytes;
  }

  /** Whether the file is kept on the device (no decryption, no use counted). */
  async has(attachmentId: string): Promise<boolean> {
    return !!(await (await dataDb()).get(this.store, attachmentId))?.ct;
  }

  /** Bytes kept and files kept, from the keys alone. */
  async usage(): Promise<{ bytes: number; files: number }> {
    let bytes = 0;
    let files = 0;
    let cursor = await (await dataDb()).transaction(this.store).store.index("lru").openKeyCursor();
    while (cursor) {
      bytes += (cursor.key as [number, number])[1];
      files += 1;
      cursor = await cursor.continue();
    }
    return { bytes, files };
  }

  /** Evicts the least recently used files beyond `budget` bytes; answers the bytes kept and rows evicted. */
  async enforceBudget(budget?: number): Promise<{ kept: number; evicted: number }> {
    const limit = budget ?? (await this.options.budget());
    const tx = (await dataDb()).transaction(this.store, "readwrite");
    let kept = 0;
    const evict: IDBValidKey[] = [];
    // The `lru` index holds [use, size]: newest first, summed from the keys alone.
    let cursor = await tx.store.index("lru").openKeyCursor(null, "prev");
    while (cursor) {
      const size = (cursor.key as [number, number])[1];
      if (evict.length || kept + size > limit) evict.push(cursor.primaryKey);
      else kept += size;
      cursor = await cursor.continue();
    }
    for (const key of evict) await tx.store.delete(key as string);
    await tx.done;
    return { kept, evicted: evict.length };
  }

  /** Deletes every row (wipe, sign-out, or the user emptying the store). */
  async clear(): Promise<void> {
    this.lastUse = null;
    await (await dataDb()).clear(this.store);
  }

  // --- the background fetch ------------------------------------------------------------------

  /** Set by sync/remote.ts (the only module that may reach the network for attachments). */
  setFetcher(next: FileFetcher | null): void {
    this.fetcher = next;
  }

  /** After a pull: fetch what is wanted in the background. Never awaited by the pull. */
  kick(): void {
    if (this.fetcher) void this.prefetch(this.fetcher);
  }

  /** One run at a time; a request during a run asks for one more. Resolves when idle. */
  prefetch(fetch: FileFetcher, options: { concurrency?: number; budget?: number } = {}): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const started = this.generation;
    this.running = (async () => {
      do {
        this.again = false;
        const budget = options.budget ?? (await this.options.budget());
        await this.prefetchOnce(fetch, started, options.concurrency ?? this.options.concurrency, budget);
      } while (this.again && started === this.generation);
    })()
      .catch(() => undefined) // locked or wiped mid-run: the next pull after unlock starts again
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Rooms closed on this device: their files are shown online only. */
  private async closedRooms(): Promise<Set<string>> {
    return new Set((await getAll<RoomData>("rooms")).filter((r) => r.status === "closed").map((r) => r.id));
  }

  private async prefetchOnce(fetch: FileFetcher, started: number, concurrency: number, budget: number): Promise<void> {
    await this.options.beforeRun?.();
    if (budget <= 0) return;
    const closed = await this.closedRooms();
    let used = this.options.fillOnly ? (await this.usage()).bytes : 0;
    const seen = new Set<string>();
    for (;;) {
      const batch = (await this.wanted()).filter((ref) => !seen.has(ref.attachmentId));
      if (!batch.length) return;
      const skipped = batch.filter((ref) => closed.has(ref.roomId)).map((ref) => ref.attachmentId);
      if (skipped.length) await this.forgetWanted(skipped);
      const queue = batch.filter((ref) => !closed.has(ref.roomId));
      for (const ref of queue) seen.add(ref.attachmentId);
      let stopped = false;
      const worker = async (): Promise<void> => {
        for (let ref = queue.shift(); ref && !stopped; ref = queue.shift()) {
          if (started !== this.generation || !hasKey()) {
            stopped = true;
            return;
          }
          // Filling: what does not fit stays wanted, for when room is made or the budget grows.
          if (this.options.fillOnly && used + (ref.size ?? 0) > budget) continue;
          try {
            const got = await fetch(ref.attachmentId);
            if (got === "gone") await this.forgetWanted([ref.attachmentId]);
            else if (await this.put(ref, got, { onlyIfWanted: true })) used += Math.max(ref.size ?? 0, got.byteLength);
          } catch {
            // Offline, signed out or locked: the rows stay wanted; the next pull tries again.
            stopped = true;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      if (!this.options.fillOnly) await this.enforceBudget(budget);
      if (stopped) return;
    }
  }
}
