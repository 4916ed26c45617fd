/**
 * The outbox: mutations made on this device, queued (encrypted) until the
 * server has them. Ids rise by one per client (the client id is made once
 * per install) and are allocated under a lock, so two tabs never reuse one.
 * An entry leaves the queue only when the server answers for its id, which
 * makes resending after a lost answer harmless: the server applies each id
 * once. A rejected entry stays, marked, for the user to fix or discard; it
 * never holds back the entries after it.
 */
import { dataDb, getBytes, getOne, getOutbox, writeBatch, type Write } from "../db/database";
import type { Mutation, MutationArgs, MutationName, MutationResult, PostData, PushRequest, PushResponse } from "./wire";

/** A photo or a document of a draft or queued post, its bytes sealed on the device until uploaded. */
export interface PendingPhoto {
  /** Key of the sealed bytes in the `photos` store. */
  localId: string;
  contentType: string;
  width: number;
  height: number;
  /** Set once uploaded, so a retry does not upload it twice. */
  attachmentId?: string;
  /** A document (PDF): uploaded to the documents route under its own file name. */
  document?: { name: string; size: number };
}

/** A queued mutation (the server's own shape: `name` tags its `args`) and its local state. */
export type OutboxEntry = Mutation & {
  status: "pending" | "rejected";
  reason?: string;
  createdAt: string;
  photos?: PendingPhoto[];
};

function entryOf<N extends MutationName>(id: number, name: N, args: MutationArgs[N], photos?: PendingPhoto[]): OutboxEntry {
  // `name` and `args` agree by the signature; TypeScript cannot follow N into the union.
  const mutation = { id, name, args } as Mutation;
  return { ...mutation, status: "pending", createdAt: new Date().toISOString(), ...(photos?.length ? { photos } : {}) };
}

export interface OutboxTransport {
  push(request: PushRequest): Promise<PushResponse>;
  upload(roomId: string, photo: PendingPhoto, bytes: ArrayBuffer): Promise<{ id: string }>;
}

export interface SendReport {
  sent: OutboxEntry[];
  conflicts: { entry: OutboxEntry; serverState: PostData | null }[];
  rejected: OutboxEntry[];
}

/** A failure that means "try again later" (offline, server down) rather than "this mutation is wrong". */
export class TransientError extends Error {}

/** A failure that means "this item is refused" (e.g. a photo the server will not take). */
export class RefusedError extends Error {}

let chain: Promise<unknown> = Promise.resolve();

/** Runs `work` alone: across tabs with the Web Locks API, within this page with a promise chain. */
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  const run = locks ? () => locks.request("carebook-outbox", work) as Promise<T> : work;
  const result = chain.then(run, run);
  chain = result.catch(() => undefined);
  return result;
}

interface MetaValue<T> {
  id: string;
  value: T;
}

async function meta<T>(id: string): Promise<T | null> {
  return (await getOne<MetaValue<T>>("meta", id))?.value ?? null;
}

function metaWrite(id: string, value: unknown): Write {
  return { store: "meta", op: "put", id, value: { id, value } };
}

function newId(): string {
  return crypto.randomUUID();
}

/** This install's client id, made on first use (and anew after a wipe). */
export function getClientId(): Promise<string> {
  return exclusive(async () => {
    const existing = await meta<string>("clientId");
    if (existing) return existing;
    const id = newId();
    await writeBatch([metaWrite("clientId", id)]);
    return id;
  });
}

export async function lastMutationId(): Promise<number> {
  return (await meta<number>("lastMutationId")) ?? 0;
}

/** Raises the local counter to at least `id` (the server's view, from a pull). */
export function raiseLastMutationId(id: number): Promise<void> {
  return exclusive(async () => {
    if ((await lastMutationId()) < id) await writeBatch([metaWrite("lastMutationId", id)]);
  });
}

/** Queues one mutation; answers the stored entry with its id. */
export function enqueue<N extends MutationName>(name: N, args: MutationArgs[N], photos?: PendingPhoto[]): Promise<OutboxEntry> {
  return exclusive(async () => {
    const id = (await lastMutationId()) + 1;
    const entry = entryOf(id, name, args, photos);
    await writeBatch([metaWrite("lastMutationId", id), { store: "outbox", op: "put", id, value: entry }]);
    return entry;
  });
}

export async function listOutbox(): Promise<OutboxEntry[]> {
  const entries = await getOutbox<OutboxEntry>();
  return entries.sort((a, b) => a.id - b.id);
}

function photoDeletes(entry: OutboxEntry): Write[] {
  return (entry.photos ?? []).map((p) => ({ store: "photos", op: "del", id: p.localId }) as Write);
}

/** Drops an entry (a rejected one the user gives up on), with its photos. */
export function discard(id: number): Promise<void> {
  return exclusive(async () => {
    const entry = (await listOutbox()).find((e) => e.id === id);
    await writeBatch([{ store: "outbox", op: "del", id }, ...(entry ? photoDeletes(entry) : [])]);
  });
}

/** Replaces a rejected entry by a corrected mutation (a new id, sent after the others). */
export function resubmit<N extends MutationName>(id: number, name: N, args: MutationArgs[N], photos?: PendingPhoto[]): Promise<OutboxEntry> {
  return exclusive(async () => {
    const newIdValue = (await lastMutationId()) + 1;
    const entry = entryOf(newIdValue, name, args, photos);
    await writeBatch([
      { store: "outbox", op: "del", id },
      metaWrite("lastMutationId", newIdValue),
      { store: "outbox", op: "put", id: newIdValue, value: entry },
    ]);
    return entry;
  });
}

function reasonText(reason: MutationResult["reason"], lang: "ja" | "en"): string {
  return reason ? reason[lang] : "";
}

async function uploadPhotos(entry: OutboxEntry, transport: OutboxTransport): Promise<OutboxEntry> {
  const photos = entry.photos ?? [];
  // Only a new post carries photos.
  if (entry.name !== "post.create" || photos.every((p) => p.attachmentId)) return entry;
  const roomId = entry.args.roomId;
  for (const photo of photos) {
    if (photo.attachmentId) continue;
    const bytes = await getBytes(photo.localId);
    if (!bytes) throw new RefusedError("photo missing");
    const info = await transport.upload(roomId, photo, bytes);
    photo.attachmentId = info.id;
    // Remember at once: a crash before the post is sent must not upload it again.
    await writeBatch([{ store: "outbox", op: "put", id: entry.id, value: entry }]);
  }
  const ids = photos.map((p) => p.attachmentId).filter((x): x is string => !!x);
  const existing = entry.args.attachmentIds ?? [];
  entry.args = { ...entry.args, attachmentIds: [...new Set([...existing, ...ids])] };
  await writeBatch([{ store: "outbox", op: "put", id: entry.id, value: entry }]);
  return entry;
}

let sending: Promise<SendReport> | null = null;

/**
 * Sends every pending entry, oldest first, in one push per `batch`. Throws
 * TransientError (after keeping everything queued) when the server cannot
 * be reached; per-entry refusals come back in the report.
 */
export function sendOutbox(transport: OutboxTransport, lang: "ja" | "en" = "ja", batch = 50): Promise<SendReport> {
  sending ??= (async () => {
    const report: SendReport = { sent: [], conflicts: [], rejected: [] };
    const clientId = await getClientId();
    for (;;) {
      const pending = (await listOutbox()).filter((e) => e.status === "pending").slice(0, batch);
      if (pending.length === 0) return report;
      const ready: OutboxEntry[] = [];
      for (const entry of pending) {
        try {
          ready.push(await uploadPhotos(entry, transport));
        } catch (error) {
          if (!(error instanceof RefusedError)) throw error;
          const rejected = { ...entry, status: "rejected" as const, reason: error.message };
          await writeBatch([{ store: "outbox", op: "put", id: entry.id, value: rejected }]);
          report.rejected.push(rejected);
        }
      }
      if (ready.length === 0) continue;
      const mutations = ready.map(({ id, name, args }) => ({ id, name, args }) as Mutation);
      const response = await transport.push({ clientId, mutations });
      const byId = new Map((response.results ?? []).map((r) => [r.id, r]));
      const writes: Write[] = [];
      let answered = 0;
      for (const entry of ready) {
        const result = byId.get(entry.id);
        if (!result) continue; // not answered: stays queued, sent again next time
        answered++;
        if (result.status === "rejected") {
          const rejected: OutboxEntry = { ...entry, status: "rejected", reason: reasonText(result.reason, lang) };
          writes.push({ store: "outbox", op: "put", id: entry.id, value: rejected });
          report.rejected.push(rejected);
          continue;
        }
        writes.push({ store: "outbox", op: "del", id: entry.id }, ...photoDeletes(entry));
        if (result.status === "conflict") report.conflicts.push({ entry, serverState: result.serverState ?? null });
        else report.sent.push(entry);
      }
      await exclusive(() => writeBatch(writes));
      if (answered === 0) throw new TransientError("the server answered none of the mutations");
    }
  })().finally(() => {
    sending = null;
  });
  return sending;
}

/** Counts for the status line. */
export async function outboxCounts(): Promise<{ pending: number; rejected: number }> {
  const entries = await listOutbox();
  return {
    pending: entries.filter((e) => e.status === "pending").length,
    rejected: entries.filter((e) => e.status === "rejected").length,
  };
}

/** For tests: the raw number of sealed outbox rows. */
export async function outboxSize(): Promise<number> {
  return (await dataDb()).count("outbox");
}
