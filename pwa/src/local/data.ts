/**
 * The decrypted data the screens show, in memory while unlocked: rooms,
 * patients, care teams, report titles and receipts for every room, a summary
 * per room for the list, and the posts and comments of the room that is
 * open (loaded from the encrypted cache when it opens). Components read it
 * through `useData`; only the sync client and the actions change it.
 * Pending outbox entries are laid over the synced posts so a nurse sees what
 * she wrote at once, marked as waiting to send.
 */
import { useEffect, useState } from "preact/hooks";
import { getAll, getOne, putOne } from "../db/database";
import type { OutboxEntry } from "../sync/outbox";
import type { AddresseeData, CommentData, MedicationData, MemberData, PatientData, PersonalData, PostData, ReceiptData, ReportTitleData, RoomData, ThresholdData } from "../sync/wire";
import type { Me } from "../types";

/** A post as the attention view lists it: no body beyond a short excerpt. */
export interface PostGlimpse {
  id: string;
  titleId: string | null;
  body: string;
  createdAt: string;
  version: number;
  urgent: boolean;
  flags: Record<string, "low" | "high"> | null;
  vitals: PostData["vitals"];
}

export interface RoomSummary {
  roomId: string;
  lastPost: { titleId: string | null; body: string; createdAt: string; urgent: boolean; flagged?: boolean } | null;
  postCount: number;
  unread: number;
  urgentUnread: boolean;
  maxVersion: number;
  /** Posts with out-of-range vitals, newest first (a few), for the list and the attention view. */
  flagged?: PostGlimpse[];
  /** Unread urgent posts by others, newest first (a few). */
  urgentPosts?: PostGlimpse[];
  /** Excerpts of posts by id that others addressed to me (for the attention view). */
  addressed?: PostGlimpse[];
}

export interface OpenRoom {
  roomId: string;
  posts: PostData[];
  comments: Map<string, CommentData[]>;
  loadMs: number;
}

export interface LocalData {
  ready: boolean;
  me: Me | null;
  rooms: RoomData[];
  patients: Map<string, PatientData>;
  members: Map<string, MemberData[]>;
  titles: Map<string, ReportTitleData[]>;
  receipts: Map<string, ReceiptData[]>;
  /** The patient's own normal ranges by room (signs without a row use the defaults). */
  thresholds: Map<string, ThresholdData[]>;
  /** 宛先 rows by room: who was asked what, and whether they have answered. */
  addressees: Map<string, AddresseeData[]>;
  /** My own state per room (unread marks, cleared position). */
  personal: Map<string, PersonalData>;
  /** The patient's drugs (current and stopped) and allergies, by room. */
  medications: Map<string, MedicationData[]>;
  summaries: Map<string, RoomSummary>;
  open: OpenRoom | null;
  outbox: OutboxEntry[];
  /** Sent and acknowledged, shown until the pull that brings the server's copy. */
  acked: OutboxEntry[];
}

function empty(): LocalData {
  return {
    ready: false,
    me: null,
    rooms: [],
    patients: new Map(),
    members: new Map(),
    titles: new Map(),
    receipts: new Map(),
    thresholds: new Map(),
    addressees: new Map(),
    personal: new Map(),
    medications: new Map(),
    summaries: new Map(),
    open: null,
    outbox: [],
    acked: [],
  };
}

let data: LocalData = empty();
const listeners = new Set<(d: LocalData) => void>();

export function getData(): LocalData {
  return data;
}

export function setData(patch: Partial<LocalData>): void {
  data = { ...data, ...patch };
  for (const listener of listeners) listener(data);
}

/** Forget everything (lock, wipe). */
export function clearData(): void {
  wantedRoom = null;
  openings++;
  data = empty();
  for (const listener of listeners) listener(data);
}

export function useData(): LocalData {
  const [current, setCurrent] = useState(data);
  useEffect(() => {
    setCurrent(data);
    const listener = (d: LocalData) => setCurrent(d);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current;
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (!k) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Newest first; ties broken by id (UUIDv7 ids sort by time). */
export function sortPosts(posts: PostData[]): PostData[] {
  return posts.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
}

export function myReceipt(receipts: ReceiptData[] | undefined, userId: string | undefined): number {
  if (!userId) return 0;
  return receipts?.find((r) => r.userId === userId)?.upToVersion ?? 0;
}

function glimpse(post: PostData): PostGlimpse {
  return {
    id: post.id,
    titleId: post.reportTitleId,
    body: post.body.slice(0, 80),
    createdAt: post.createdAt,
    version: post.version ?? 0,
    urgent: post.urgent,
    flags: post.vitalsFlags ?? null,
    vitals: post.vitals,
  };
}

const GLIMPSES = 5;

export function summarize(roomId: string, posts: PostData[], upTo: number, myId: string | undefined, addressedToMe: ReadonlySet<string> = new Set()): RoomSummary {
  let last: PostData | null = null;
  let unread = 0;
  let urgentUnread = false;
  let maxVersion = 0;
  const flagged: PostData[] = [];
  const urgentPosts: PostData[] = [];
  const addressed: PostData[] = [];
  for (const post of posts) {
    const version = post.version ?? 0;
    maxVersion = Math.max(maxVersion, version);
    if (!last || post.createdAt > last.createdAt) last = post;
    if (post.vitalsFlags && Object.keys(post.vitalsFlags).length) flagged.push(post);
    if (addressedToMe.has(post.id)) addressed.push(post);
    if (version > upTo && post.authorId !== myId) {
      unread++;
      if (post.urgent) {
        urgentUnread = true;
        urgentPosts.push(post);
      }
    }
  }
  const newest = (list: PostData[]) => sortPosts(list).slice(0, GLIMPSES).map(glimpse);
  return {
    roomId,
    postCount: posts.length,
    unread,
    urgentUnread,
    maxVersion,
    flagged: newest(flagged),
    urgentPosts: newest(urgentPosts),
    addressed: sortPosts(addressed).map(glimpse),
    lastPost: last
      ? { titleId: last.reportTitleId, body: last.body.slice(0, 80), createdAt: last.createdAt, urgent: last.urgent, flagged: !!last.vitalsFlags }
      : null,
  };
}

/** The posts of a room that something addressed to me belongs to. */
export function postsAddressedTo(addressees: AddresseeData[] | undefined, userId: string | undefined): Set<string> {
  return new Set((addressees ?? []).filter((a) => a.userId === userId).map((a) => a.postId));
}

/** Recomputes and stores (encrypted) the list summary of the given rooms. */
export async function refreshSummaries(roomIds: Iterable<string>): Promise<void> {
  const summaries = new Map(data.summaries);
  for (const roomId of roomIds) {
    const posts = await getAll<PostData>("posts", roomId);
    const receipts = data.receipts.get(roomId);
    const me = data.me?.user.id;
    const summary = summarize(roomId, posts, myReceipt(receipts, me), me, postsAddressedTo(data.addressees.get(roomId), me));
    summaries.set(roomId, summary);
    await putOne("meta", `summary:${roomId}`, { id: `summary:${roomId}`, value: summary });
  }
  setData({ summaries });
}

/** Loads the per-room data (not the posts) from the encrypted cache. */
export async function loadRooms(): Promise<void> {
  const [rooms, patients, members, titles, receipts, thresholds, addressees, personal, medications] = await Promise.all([
    getAll<RoomData>("rooms"),
    getAll<PatientData>("patients"),
    getAll<MemberData>("members"),
    getAll<ReportTitleData>("reportTitles"),
    getAll<ReceiptData & { id: string }>("receipts"),
    getAll<ThresholdData>("thresholds"),
    getAll<AddresseeData>("addressees"),
    getAll<PersonalData>("personal"),
    getAll<MedicationData>("medications"),
  ]);
  const me = (await getOne<{ value: Me }>("meta", "me"))?.value ?? data.me;
  const patientByRoom = new Map<string, PatientData>();
  const roomOfPatient = new Map(rooms.map((r) => [r.patientId, r.id]));
  for (const p of patients) {
    const roomId = roomOfPatient.get(p.id);
    if (roomId) patientByRoom.set(roomId, p);
  }
  const summaries = new Map<string, RoomSummary>();
  await Promise.all(
    rooms.map(async (room) => {
      const stored = await getOne<{ value: RoomSummary }>("meta", `summary:${room.id}`);
      if (stored) summaries.set(room.id, stored.value);
    }),
  );
  setData({
    ready: true,
    me,
    rooms,
    patients: patientByRoom,
    members: groupBy(members, (m) => m.roomId),
    titles: new Map(
      [...groupBy(titles, (t) => t.roomId)].map(([k, v]) => [k, v.sort((a, b) => (a.position ?? 0) - (b.position ?? 0))]),
    ),
    receipts: groupBy(receipts, (r) => r.roomId),
    thresholds: groupBy(thresholds, (x) => x.roomId),
    addressees: groupBy(addressees, (x) => x.roomId),
    medications: groupBy(medications, (x) => x.roomId),
    personal: new Map(personal.filter((x) => x.userId === me?.user.id).map((x) => [x.roomId, x])),
    summaries,
  });
  const missing = rooms.filter((r) => !summaries.has(r.id)).map((r) => r.id);
  if (missing.length) await refreshSummaries(missing);
}

/**
 * The room the screen asks for, and a counter of openings. Opening decrypts
 * for a while; two openings can overlap (the nurse switches rooms while a
 * sync reloads the room she just posted in), and the one that finishes last
 * must not be the one she left. Only the latest request for the wanted room
 * may set `open`.
 */
let wantedRoom: string | null = null;
let openings = 0;

/** Opens a room: its posts and comments, decrypted from the cache. */
export async function openRoom(roomId: string): Promise<OpenRoom | null> {
  wantedRoom = roomId;
  const ticket = ++openings;
  const started = performance.now();
  const [posts, comments] = await Promise.all([getAll<PostData>("posts", roomId), getAll<CommentData>("comments", roomId)]);
  const byPost = groupBy(
    comments.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)),
    (c) => c.postId,
  );
  const open: OpenRoom = { roomId, posts: sortPosts(posts), comments: byPost, loadMs: performance.now() - started };
  // For the benchmark (bench/pwa_room_open.py) and the browser's performance panel.
  performance.measure?.("carebook:room-decrypt", { start: started, end: performance.now() });
  // A later opening (another room, or a fresher read of this one) supersedes this one.
  if (ticket !== openings || wantedRoom !== roomId) return null;
  setData({ open });
  return open;
}

/** After a sync changed `rooms`: re-reads the room the screen shows, if it is among them. */
export async function reloadOpenRoom(changed: ReadonlySet<string>): Promise<void> {
  if (wantedRoom !== null && changed.has(wantedRoom)) await openRoom(wantedRoom);
}

export function closeRoom(): void {
  wantedRoom = null;
  openings++;
  if (data.open) setData({ open: null });
}

export async function saveMe(me: Me): Promise<void> {
  await putOne("meta", "me", { id: "me", value: me });
  setData({ me });
}
