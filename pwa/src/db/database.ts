/**
 * The encrypted offline cache (`carebook` database). Every value is sealed
 * with the data key (see crypto/records.ts); what stays in the clear is only
 * what IndexedDB needs to find records: the opaque record id and, for room
 * data, the opaque room id (index `room`), so a room can be opened or purged
 * without decrypting the others. No store, index or key carries a name,
 * a date or any text about a patient.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import { open, openBytes, seal, sealBytes, type Sealed } from "../crypto/records";
import { requireKey } from "../local/key";
import { isUnsentRecord } from "./unsent";

export const DATA_DB = "carebook";

/** Room data synced from the server, one store per entity type. */
export const ROOM_STORES = ["rooms", "patients", "members", "reportTitles", "posts", "comments", "receipts", "thresholds", "addressees", "personal", "medications"] as const;
export type RoomStore = (typeof ROOM_STORES)[number];
/**
 * Local-only stores: the mutation queue, sync bookkeeping, drafts, photo and document bytes
 * waiting to upload, and the offline copies of other members' attachments: photo
 * thumbnails (local/thumbnails.ts) and documents (local/documents.ts).
 */
export type LocalStore = "outbox" | "meta" | "photos" | FileStore;
/** The stores of offline files (local/offlineFiles.ts): one shape, one budget each. */
export type FileStore = "thumbnails" | "documents";
export type StoreName = RoomStore | LocalStore;

export interface StoredRecord extends Sealed {
  id: string;
  /** Opaque room id, for the `room` index (room stores, photos). */
  r?: string;
}

export interface StoredOutbox extends Sealed {
  id: number;
  /**
   * "r" for a read mark (`receipt.mark`): bookkeeping, not something the nurse wrote. In the
   * clear so that the lock screen and a wipe can count the unsent records without the key.
   */
  k?: "r";
}

interface DataSchema extends DBSchema {
  rooms: { key: string; value: StoredRecord; indexes: { room: string } };
  patients: { key: string; value: StoredRecord; indexes: { room: string } };
  members: { key: string; value: StoredRecord; indexes: { room: string } };
  reportTitles: { key: string; value: StoredRecord; indexes: { room: string } };
  posts: { key: string; value: StoredRecord; indexes: { room: string } };
  comments: { key: string; value: StoredRecord; indexes: { room: string } };
  receipts: { key: string; value: StoredRecord; indexes: { room: string } };
  thresholds: { key: string; value: StoredRecord; indexes: { room: string } };
  addressees: { key: string; value: StoredRecord; indexes: { room: string } };
  personal: { key: string; value: StoredRecord; indexes: { room: string } };
  medications: { key: string; value: StoredRecord; indexes: { room: string } };
  outbox: { key: number; value: StoredOutbox };
  meta: { key: string; value: StoredRecord };
  photos: { key: string; value: StoredRecord; indexes: { room: string } };
  thumbnails: { key: string; value: StoredThumbnail; indexes: FileIndexes };
  documents: { key: string; value: StoredThumbnail; indexes: FileIndexes };
}

// A type, not an interface: idb's schema wants an index signature to hold.
type FileIndexes = {
  room: string;
  post: string;
  lru: [number, number];
  wanted: number;
};

/**
 * A photo thumbnail or a document kept for offline use, keyed by the opaque attachment id.
 * In the clear only opaque ids (room `r`, post `p`) and bookkeeping numbers: a use counter
 * `s` (an order, not a date) and the ciphertext size `n`, indexed together (`lru`) so the
 * size budget is enforced from keys alone. A row still to be fetched has `w: 1` and no
 * ciphertext (a document's: its expected size `n`, to fill the budget without going over).
 */
export interface StoredThumbnail extends Partial<Sealed> {
  id: string;
  r: string;
  p: string;
  s?: number;
  n?: number;
  w?: 1;
}

export type DataDB = IDBPDatabase<DataSchema>;

let dbPromise: Promise<DataDB> | null = null;

/**
 * Schema versions: 1 the synced room stores, outbox, meta and photos; 2 adds `thumbnails`;
 * 3 adds `thresholds`, `addressees` and `personal` (issue 17); 4 adds `documents`; 5 adds
 * `medications` (and serves every room again, as 3 did). Each
 * step only adds, so a device upgrading keeps everything it had.
 */
export const DATA_DB_VERSION = 5;
/** A `meta` key (no value) left by the 1 → 2 upgrade: older posts' thumbnails are still to be noted. */
export const THUMBNAIL_BACKFILL_MARK = "thumbnails:backfill";

export function dataDb(): Promise<DataDB> {
  dbPromise ??= openDB<DataSchema>(DATA_DB, DATA_DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        for (const name of ["rooms", "patients", "members", "reportTitles", "posts", "comments", "receipts", "photos"] as const) {
          database.createObjectStore(name, { keyPath: "id" }).createIndex("room", "r");
        }
        database.createObjectStore("outbox", { keyPath: "id" });
        database.createObjectStore("meta", { keyPath: "id" });
      }
      if (oldVersion < 2) {
        createFileStore(database, "thumbnails");
        if (oldVersion >= 1) void transaction.objectStore("meta").put({ id: THUMBNAIL_BACKFILL_MARK } as StoredRecord);
      }
      if (oldVersion < 3) {
        for (const name of ["thresholds", "addressees", "personal"] as const) {
          database.createObjectStore(name, { keyPath: "id" }).createIndex("room", "r");
        }
        // Rooms synced before these stores existed hold none of their rows: start the
        // pull over, so every room is served from scratch once (nothing local is lost:
        // the outbox, drafts and photos stay).
        if (oldVersion >= 1) void transaction.objectStore("meta").delete("cursor");
      }
      if (oldVersion < 4) createFileStore(database, "documents");
      if (oldVersion < 5) {
        database.createObjectStore("medications", { keyPath: "id" }).createIndex("room", "r");
        // As for version 3: rooms synced before hold no medications; serve them again.
        if (oldVersion >= 1) void transaction.objectStore("meta").delete("cursor");
      }
    },
    blocking() {
      // A wipe (here or in the service worker) wants the database gone.
      void closeDataDb();
    },
    terminated() {
      dbPromise = null;
    },
  });
  return dbPromise;
}

function createFileStore(database: IDBPDatabase<DataSchema>, name: FileStore): void {
  const store = database.createObjectStore(name, { keyPath: "id" });
  store.createIndex("room", "r");
  store.createIndex("post", "p");
  store.createIndex("lru", ["s", "n"]);
  store.createIndex("wanted", "w");
}

export async function closeDataDb(): Promise<void> {
  const pending = dbPromise;
  dbPromise = null;
  if (pending) (await pending.catch(() => null))?.close();
}

export async function deleteDataDb(): Promise<void> {
  await closeDataDb();
  await deleteDB(DATA_DB).catch(() => undefined);
}

/** One write to make in a batch: a value to seal and put, or a record to delete. */
export type Write =
  | { store: Exclude<StoreName, "outbox" | FileStore>; op: "put"; id: string; room?: string; value: unknown }
  | { store: "outbox"; op: "put"; id: number; value: unknown }
  | { store: StoreName; op: "del"; id: string | number }
  | { store: RoomStore | "photos" | FileStore; op: "purgeRoom"; room: string };

type Prepared =
  | { store: StoreName; op: "put"; record: StoredRecord | StoredOutbox }
  | { store: StoreName; op: "del"; id: string | number }
  | { store: RoomStore | "photos" | FileStore; op: "purgeRoom"; room: string };

function isReadMark(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { name?: unknown }).name === "receipt.mark";
}

/**
 * How many records written on this device wait in the outbox (read marks not counted).
 * Needs no key: the lock screen shows it before anyone chooses to reset, and a wipe
 * says how many it erased. Null when there is no cache to count.
 */
export async function countUnsent(): Promise<number | null> {
  if (typeof indexedDB === "undefined") return null;
  const names = typeof indexedDB.databases === "function" ? (await indexedDB.databases()).map((d) => d.name) : [DATA_DB];
  if (!names.includes(DATA_DB)) return 0;
  const records = await (await dataDb()).getAll("outbox");
  return records.filter(isUnsentRecord).length;
}

/**
 * Applies `writes` atomically. Encryption runs first, because an IndexedDB
 * transaction commits as soon as it waits on anything but IndexedDB.
 */
export async function writeBatch(writes: Write[]): Promise<void> {
  if (writes.length === 0) return;
  const key = requireKey();
  const prepared: Prepared[] = await Promise.all(
    writes.map(async (w): Promise<Prepared> => {
      if (w.op !== "put") return w;
      const sealed = await seal(key, w.store, w.id, w.value);
      const record: StoredRecord | StoredOutbox =
        w.store === "outbox"
          ? { id: w.id as number, ...sealed, ...(isReadMark(w.value) ? { k: "r" as const } : {}) }
          : { id: w.id as string, ...sealed, ...(w.room ? { r: w.room } : {}) };
      return { store: w.store, op: "put", record };
    }),
  );
  const database = await dataDb();
  const stores = [...new Set(prepared.map((p) => p.store))];
  const tx = database.transaction(stores, "readwrite");
  const done: Promise<unknown>[] = [];
  // Requests run in the order they are issued; a purge must finish finding
  // its keys before later puts are issued, or it would delete them too.
  for (const p of prepared) {
    const store = tx.objectStore(p.store) as unknown as {
      put(v: unknown): Promise<unknown>;
      delete(k: unknown): Promise<unknown>;
      index(name: "room"): { getAllKeys(q: IDBKeyRange): Promise<IDBValidKey[]> };
    };
    if (p.op === "put") done.push(store.put(p.record));
    else if (p.op === "del") done.push(store.delete(p.id));
    else {
      const keys = await store.index("room").getAllKeys(IDBKeyRange.only(p.room));
      for (const k of keys) done.push(store.delete(k));
    }
  }
  done.push(tx.done);
  await Promise.all(done);
}

export async function putOne(store: Exclude<StoreName, "outbox" | FileStore>, id: string, value: unknown, room?: string): Promise<void> {
  await writeBatch([{ store, op: "put", id, value, ...(room ? { room } : {}) }]);
}

export async function getOne<T>(store: Exclude<StoreName, "outbox" | FileStore>, id: string): Promise<T | null> {
  const record = await (await dataDb()).get(store, id);
  if (!record) return null;
  return open<T>(requireKey(), store, id, record);
}

/** Every record of a store (or of one room in it), decrypted. */
export async function getAll<T>(store: Exclude<StoreName, "outbox" | "meta" | FileStore>, room?: string): Promise<T[]> {
  const database = await dataDb();
  const records = room ? await database.getAllFromIndex(store, "room", room) : await database.getAll(store);
  const key = requireKey();
  return Promise.all(records.map((r) => open<T>(key, store, r.id, r)));
}

export async function getOutbox<T>(): Promise<T[]> {
  const records = await (await dataDb()).getAll("outbox");
  const key = requireKey();
  return Promise.all(records.map((r) => open<T>(key, "outbox", r.id, r)));
}

/** Raw sealed records, for tests and the IndexedDB dump check. */
export async function rawRecords(store: StoreName): Promise<unknown[]> {
  return (await dataDb()).getAll(store);
}

/** Binary values (photo bytes waiting to upload), sealed like every other record. */
export async function putBytes(id: string, bytes: ArrayBuffer, room?: string): Promise<void> {
  const sealed = await sealBytes(requireKey(), "photos", id, bytes);
  await (await dataDb()).put("photos", { id, ...sealed, ...(room ? { r: room } : {}) });
}

export async function getBytes(id: string): Promise<ArrayBuffer | null> {
  const record = await (await dataDb()).get("photos", id);
  if (!record) return null;
  return openBytes(requireKey(), "photos", id, record);
}
