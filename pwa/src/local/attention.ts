/**
 * What needs me, computed on the device from synced data (so it works offline), with
 * this device's unsent mutations laid over it: what is addressed to me and waiting,
 * out-of-range vitals and urgent posts since I last looked, rooms with new posts.
 * The cleared position per room is synced per user (`attention.clear`), so desktop and
 * phone agree.
 */
import type { OutboxEntry } from "../sync/outbox";
import type { AddresseeData } from "../sync/wire";
import { myReceipt, type LocalData, type PostGlimpse } from "./data";

export type AddresseeState = "waiting" | "answered" | "done";

/** Local overlays: what this device has queued but the server has not confirmed yet. */
interface Pending {
  done: Map<string, boolean>;
  commentedPosts: Set<string>;
  cleared: Map<string, number>;
  unread: Map<string, boolean>;
}

function pending(outbox: OutboxEntry[]): Pending {
  const out: Pending = { done: new Map(), commentedPosts: new Set(), cleared: new Map(), unread: new Map() };
  for (const entry of outbox) {
    if (entry.status !== "pending") continue;
    if (entry.name === "addressee.done") out.done.set(entry.args.id, entry.args.done !== false);
    else if (entry.name === "comment.create") out.commentedPosts.add(entry.args.postId);
    else if (entry.name === "attention.clear") out.cleared.set(entry.args.roomId, Math.max(out.cleared.get(entry.args.roomId) ?? 0, entry.args.upToVersion));
    else if (entry.name === "post.markUnread") out.unread.set(entry.args.postId, entry.args.unread !== false);
  }
  return out;
}

/** An addressee row's state, with my unsent comment or done mark laid over it. */
export function addresseeState(row: AddresseeData, data: LocalData): AddresseeState {
  const queued = pending(data.outbox);
  const myId = data.me?.user.id;
  const done = queued.done.get(row.id);
  if (row.answeredAt || (row.userId === myId && queued.commentedPosts.has(row.postId))) return "answered";
  if (done === true || (done === undefined && row.doneAt)) return "done";
  return "waiting";
}

/** My unread-again marks in a room, with unsent toggles laid over them. */
export function unreadMarks(data: LocalData, roomId: string): Set<string> {
  const marks = new Set(data.personal.get(roomId)?.unreadPostIds ?? []);
  for (const [postId, unread] of pending(data.outbox).unread) {
    if (unread) marks.add(postId);
    else marks.delete(postId);
  }
  return marks;
}

export function clearedVersion(data: LocalData, roomId: string): number {
  return Math.max(data.personal.get(roomId)?.clearedVersion ?? 0, pending(data.outbox).cleared.get(roomId) ?? 0);
}

export interface AttentionLine {
  roomId: string;
  /** Posts addressed to me, still waiting for me, with the rows to mark done. */
  addressed: { post: PostGlimpse | null; rows: AddresseeData[] }[];
  flagged: PostGlimpse[];
  urgent: PostGlimpse[];
  newPosts: number;
  /** Newest moment among the line's items, for ordering. */
  newest: string;
  /** Up to which room version "clear" clears. */
  upTo: number;
}

export function attentionLines(data: LocalData): AttentionLine[] {
  const myId = data.me?.user.id;
  const lines: AttentionLine[] = [];
  for (const room of data.rooms) {
    const summary = data.summaries.get(room.id);
    const cleared = clearedVersion(data, room.id);
    const seen = Math.max(cleared, myReceipt(data.receipts.get(room.id), myId));
    const waiting = (data.addressees.get(room.id) ?? []).filter((row) => row.userId === myId && addresseeState(row, data) === "waiting");
    const byPost = new Map<string, AddresseeData[]>();
    for (const row of waiting) byPost.set(row.postId, [...(byPost.get(row.postId) ?? []), row]);
    const glimpses = new Map((summary?.addressed ?? []).map((g) => [g.id, g]));
    const addressed = [...byPost].map(([postId, rows]) => ({ post: glimpses.get(postId) ?? null, rows }));
    const flagged = (summary?.flagged ?? []).filter((p) => p.version > seen);
    const urgent = (summary?.urgentPosts ?? []).filter((p) => p.version > cleared && !flagged.some((f) => f.id === p.id));
    const newPosts = summary && summary.maxVersion > cleared ? summary.unread : 0;
    if (!addressed.length && !flagged.length && !urgent.length && !newPosts) continue;
    const times = [
      ...waiting.map((r) => r.createdAt),
      ...flagged.map((p) => p.createdAt),
      ...urgent.map((p) => p.createdAt),
      ...(newPosts && summary?.lastPost ? [summary.lastPost.createdAt] : []),
    ];
    lines.push({ roomId: room.id, addressed, flagged, urgent, newPosts, newest: times.sort().at(-1) ?? "", upTo: summary?.maxVersion ?? 0 });
  }
  return lines.sort((a, b) => (a.newest < b.newest ? 1 : a.newest > b.newest ? -1 : 0));
}

/** How many lines need me (for the tab's badge). */
export function attentionCount(data: LocalData): number {
  return attentionLines(data).length;
}
