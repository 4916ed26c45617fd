/**
 * Pulls: fetch the changes after the stored cursor and apply them to the
 * encrypted cache in one transaction per page, together with the new
 * cursor, so a crash never leaves the cursor ahead of the data. Revoked
 * rooms are purged; reset rooms are purged and then refilled from the same
 * answer; the caller sees which rooms changed.
 */
import { getOne, ROOM_STORES, writeBatch, type RoomStore, type Write } from "../db/database";
import { documentEffects, documents } from "../local/documents";
import { kickThumbnailPrefetch, noteThumbnails, thumbnailEffects } from "../local/thumbnails";
import { getClientId, raiseLastMutationId } from "./outbox";
import type { EntityType, PullRequest, PullResponse } from "./wire";

export const STORE_OF: Record<EntityType, RoomStore> = {
  room: "rooms",
  patient: "patients",
  member: "members",
  reportTitle: "reportTitles",
  post: "posts",
  comment: "comments",
  receipt: "receipts",
  threshold: "thresholds",
  addressee: "addressees",
  personal: "personal",
  medication: "medications",
};

export interface PullReport {
  changedRooms: Set<string>;
  revokedRooms: Set<string>;
  pages: number;
}

export type PullTransport = (request: PullRequest) => Promise<PullResponse>;

export const PAGE_LIMIT = 500;
const MAX_PAGES = 200;

export async function storedCursor(): Promise<string | null> {
  return (await getOne<{ value: string | null }>("meta", "cursor"))?.value ?? null;
}

function purge(room: string): Write[] {
  return ROOM_STORES.map((store) => ({ store, op: "purgeRoom", room }) as Write);
}

/** A revoked room leaves nothing: its records, its list summary, a draft, the draft's photos, cached thumbnails and documents. */
function purgeRevoked(room: string): Write[] {
  return [
    ...purge(room),
    { store: "photos", op: "purgeRoom", room },
    { store: "thumbnails", op: "purgeRoom", room },
    { store: "documents", op: "purgeRoom", room },
    { store: "meta", op: "del", id: `summary:${room}` },
    { store: "meta", op: "del", id: `draft:${room}` },
  ];
}

/** The writes one pull answer asks for (exported for tests). */
export function writesFor(response: PullResponse): Write[] {
  const writes: Write[] = [];
  for (const room of response.revokedRooms ?? []) writes.push(...purgeRevoked(room));
  for (const room of response.resetRooms ?? []) writes.push(...purge(room));
  for (const [room, { changes }] of Object.entries(response.rooms ?? {})) {
    if ((response.revokedRooms ?? []).includes(room)) continue;
    for (const change of changes ?? []) {
      const store = STORE_OF[change.type];
      if (!store) continue;
      if (change.op === "del") writes.push({ store, op: "del", id: change.id });
      else writes.push({ store, op: "put", id: change.id, room, value: { ...change.data, id: change.id, version: change.version } });
    }
  }
  writes.push({ store: "meta", op: "put", id: "cursor", value: { id: "cursor", value: response.cursor } });
  return writes;
}

/** Pulls until no room has more; answers what changed. */
export async function pullAll(transport: PullTransport, limit = PAGE_LIMIT): Promise<PullReport> {
  const report: PullReport = { changedRooms: new Set(), revokedRooms: new Set(), pages: 0 };
  let cursor = await storedCursor();
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await transport({ cursor, limit });
    report.pages++;
    await writeBatch(writesFor(response));
    // Bookkeeping only (which files to fetch or drop); the fetching happens after the pull.
    await noteThumbnails(thumbnailEffects(response)).catch((error: unknown) => console.warn("carebook: thumbnails", error));
    await documents.note(documentEffects(response)).catch((error: unknown) => console.warn("carebook: documents", error));
    cursor = response.cursor;
    for (const room of response.revokedRooms ?? []) {
      report.revokedRooms.add(room);
      report.changedRooms.delete(room);
    }
    for (const room of response.resetRooms ?? []) report.changedRooms.add(room);
    for (const [room, { changes }] of Object.entries(response.rooms ?? {})) if (changes?.length) report.changedRooms.add(room);
    const clientId = await getClientId();
    const serverLast = response.lastMutationIds?.[clientId];
    if (typeof serverLast === "number") await raiseLastMutationId(serverLast);
    if (!Object.values(response.rooms ?? {}).some((r) => r.hasMore)) break;
  }
  kickThumbnailPrefetch(); // in the background: photos for offline use, never holding up the pull
  documents.kick(); // and the newest documents, while they fit the budget
  return report;
}
