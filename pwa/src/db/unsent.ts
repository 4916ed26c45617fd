/**
 * Which outbox rows are unsent records, told from what is stored in the clear
 * (no key needed): every row but a read mark (`k: "r"`). Shared by the page
 * (db/database.ts) and the service worker's wipe (sw.ts), so the lock screen,
 * the page's wipes and the push-ordered wipe count the same way.
 */

export interface OutboxRowClear {
  k?: "r";
}

export function isUnsentRecord(row: OutboxRowClear): boolean {
  return row.k !== "r";
}

/** Counts the unsent records of an open `carebook` database (raw IndexedDB, for the worker). */
export function countUnsentIn(db: IDBDatabase): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!db.objectStoreNames.contains("outbox")) {
      resolve(0);
      return;
    }
    const request = db.transaction("outbox").objectStore("outbox").getAll();
    request.onsuccess = () => resolve((request.result as OutboxRowClear[]).filter(isUnsentRecord).length);
    request.onerror = () => reject(request.error);
  });
}
