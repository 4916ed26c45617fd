/**
 * What a nurse does in a contact book: write a post (from a draft that
 * survives closing the app), comment, delete, mark read, and deal with a
 * refused mutation. Each action writes to the local cache or the outbox and
 * asks the sync client to send; none talks to the server itself.
 */
import { t } from "../i18n";
import { getOne, putOne, writeBatch } from "../db/database";
import { getData } from "../local/data";
import { uuidv7 } from "../local/ids";
import { removePhotos } from "../local/photos";
import { myReceipt } from "../local/data";
import { flagsFor, hasFlags, parseVitals, rangesInForce, type VitalsInput } from "../local/vitals";
import { refreshOutbox, requestSync } from "../sync/client";
import { discard, enqueue, listOutbox, type OutboxEntry, type PendingPhoto } from "../sync/outbox";
import type { MedicationSet, PostCreate, ThresholdSet, VitalsKey } from "../sync/wire";
import { addNotice } from "../store";
import { navigate } from "./navigation";

export interface Draft {
  roomId: string;
  reportTitleId: string | null;
  body: string;
  vitals: VitalsInput;
  urgent: boolean;
  photos: PendingPhoto[];
  /** A closing request (部屋の終了依頼) with its reason, for the admin to confirm. */
  closingReason?: ClosingReason | null;
  /** 宛先: members (user ids) this post is addressed to, and whether it asks for an answer. */
  addresseeIds?: string[];
  asksAnswer?: boolean;
  /** The nurse ticked or unticked 至急 herself: out-of-range vitals no longer decide it. */
  urgentChosen?: boolean;
  updatedAt: string;
}

export const CLOSING_REASONS = ["death", "facilityAdmission", "endOfService", "other"] as const satisfies readonly NonNullable<PostCreate["closingReason"]>[];
export type ClosingReason = (typeof CLOSING_REASONS)[number];

export function emptyDraft(roomId: string): Draft {
  return { roomId, reportTitleId: null, body: "", vitals: {}, urgent: false, photos: [], updatedAt: new Date().toISOString() };
}

const draftId = (roomId: string) => `draft:${roomId}`;

export async function loadDraft(roomId: string): Promise<Draft> {
  return (await getOne<{ value: Draft }>("meta", draftId(roomId)))?.value ?? emptyDraft(roomId);
}

export async function saveDraft(draft: Draft): Promise<void> {
  await putOne("meta", draftId(draft.roomId), { id: draftId(draft.roomId), value: { ...draft, updatedAt: new Date().toISOString() } });
}

/** Throws the draft away, with its photos. */
export async function discardDraft(roomId: string): Promise<void> {
  const draft = await loadDraft(roomId);
  await removePhotos(draft.photos.map((p) => p.localId));
  await writeBatch([{ store: "meta", op: "del", id: draftId(roomId) }]);
}

/** How long 「元に戻す」 is offered after a draft is discarded. */
export const DRAFT_UNDO_MS = 8000;

/** Whether a draft holds anything a nurse would miss (then discarding it asks first). */
export function draftHasContent(draft: Draft): boolean {
  return (
    draft.body.trim() !== "" ||
    draft.photos.length > 0 ||
    draft.reportTitleId !== null ||
    draft.urgent ||
    !!draft.closingReason ||
    Object.values(draft.vitals).some((v) => typeof v === "string" && v.trim() !== "")
  );
}

/**
 * Discards the draft, offering 「元に戻す」 for DRAFT_UNDO_MS: the draft record
 * goes at once (the compose screen opens empty), its photos only when the
 * offer ends, so an undo brings back everything.
 */
export async function discardDraftWithUndo(draft: Draft): Promise<void> {
  const roomId = draft.roomId;
  await writeBatch([{ store: "meta", op: "del", id: draftId(roomId) }]);
  let undone = false;
  addNotice("info", t("compose.discarded"), {
    durationMs: DRAFT_UNDO_MS,
    action: {
      label: t("compose.undo"),
      run: () => {
        undone = true;
        void saveDraft(draft).then(() => navigate("compose", roomId));
      },
    },
  });
  setTimeout(() => {
    // Locked in the meantime: the photos stay sealed in the cache and are dropped at the next discard.
    if (!undone) void removePhotos(draft.photos.map((p) => p.localId)).catch(() => undefined);
  }, DRAFT_UNDO_MS);
}

export function titleNeedsVitals(roomId: string, reportTitleId: string | null): boolean {
  const title = getData().titles.get(roomId)?.find((x) => x.id === reportTitleId);
  return !!title && (title.vitals === true || title.name === "バイタル");
}

export type SubmitResult = { ok: true } | { ok: false; message: string };

/** Queues the draft as a post; it shows at once, marked as waiting to send. */
export async function submitDraft(draft: Draft): Promise<SubmitResult> {
  if (!draft.reportTitleId) return { ok: false, message: t("compose.needTitle") };
  const needsVitals = titleNeedsVitals(draft.roomId, draft.reportTitleId);
  const { vitals, errors } = parseVitals(needsVitals ? draft.vitals : {});
  if (errors.length) return { ok: false, message: t("compose.vitalsInvalid") };
  const hasVitals = Object.keys(vitals).length > 0;
  // Vitals alone are a complete record; anything else needs some text.
  if (!draft.body.trim() && !hasVitals) return { ok: false, message: t("compose.needBody") };
  if (draft.body.length > 10_000) return { ok: false, message: t("compose.tooLong") };
  const urgent = draftUrgent(draft);
  const addresseeIds = draft.addresseeIds ?? [];
  const args: PostCreate = {
    id: uuidv7(),
    roomId: draft.roomId,
    reportTitleId: draft.reportTitleId,
    body: draft.body.trim(),
    urgent,
    kind: draft.closingReason ? "closingRequest" : "normal",
    ...(draft.closingReason ? { closingReason: draft.closingReason } : {}),
    ...(hasVitals ? { vitals, flagUrgent: urgent } : {}),
    ...(addresseeIds.length ? { addresseeIds, asksAnswer: draft.asksAnswer === true } : {}),
  };
  await enqueue("post.create", args, draft.photos);
  // The photos now belong to the outbox entry: drop the draft, not them.
  await writeBatch([{ store: "meta", op: "del", id: draftId(draft.roomId) }]);
  await refreshOutbox();
  void requestSync();
  return { ok: true };
}

/** Which vitals of the draft lie outside the patient's ranges, as the server will judge them. */
export function draftFlags(draft: Draft): Partial<Record<VitalsKey, "low" | "high">> {
  if (!titleNeedsVitals(draft.roomId, draft.reportTitleId)) return {};
  const { vitals } = parseVitals(draft.vitals);
  return flagsFor(vitals, rangesInForce(getData().thresholds.get(draft.roomId)));
}

/** 至急: as ticked, or — until the nurse decides — whenever a reading is out of range. */
export function draftUrgent(draft: Draft): boolean {
  if (draft.urgentChosen) return draft.urgent;
  return draft.urgent || hasFlags(draftFlags(draft));
}

export async function addComment(postId: string, body: string, addresseeIds: string[] = [], asksAnswer = false): Promise<SubmitResult> {
  const text = body.trim();
  if (!text) return { ok: false, message: t("comment.empty") };
  if (text.length > 4000) return { ok: false, message: t("compose.tooLong") };
  await enqueue("comment.create", { id: uuidv7(), postId, body: text, ...(addresseeIds.length ? { addresseeIds, asksAnswer } : {}) });
  await refreshOutbox();
  void requestSync();
  return { ok: true };
}

/** Edits my post's text; the base version lets the server refuse it if someone changed it first. */
export async function editPost(postId: string, baseVersion: number, body: string): Promise<SubmitResult> {
  const text = body.trim();
  if (!text) return { ok: false, message: t("compose.needBody") };
  if (text.length > 10_000) return { ok: false, message: t("compose.tooLong") };
  await enqueue("post.edit", { id: postId, baseVersion, body: text });
  await refreshOutbox();
  void requestSync();
  return { ok: true };
}

export async function deletePost(postId: string): Promise<void> {
  await enqueue("post.delete", { id: postId });
  await refreshOutbox();
  void requestSync();
}

export async function deleteComment(commentId: string): Promise<void> {
  await enqueue("comment.delete", { id: commentId });
  await refreshOutbox();
  void requestSync();
}

/**
 * Marks the open room read up to `upTo` (default: its newest post), only ever forward and
 * once per version. The room passes the version just below the oldest new post not yet on
 * screen, so "who has read" moves as the nurse actually reads.
 */
export async function markRead(roomId: string, upTo?: number): Promise<void> {
  const data = getData();
  const open = data.open;
  if (!open || open.roomId !== roomId) return;
  const newest = upTo ?? open.posts.reduce((max, p) => Math.max(max, p.version ?? 0), 0);
  const mine = myReceipt(data.receipts.get(roomId), data.me?.user.id);
  const queued = data.outbox.some((e) => e.name === "receipt.mark" && e.args.roomId === roomId && e.args.upToVersion >= newest);
  if (newest <= mine || queued) return;
  await enqueue("receipt.mark", { roomId, upToVersion: newest });
  await refreshOutbox();
  void requestSync();
}

/** Marks what was addressed to me done (or not done again). */
export async function markAddresseeDone(id: string, done = true): Promise<void> {
  await enqueue("addressee.done", { id, done });
  await refreshOutbox();
  void requestSync();
}

/** Clears a room from my attention view up to what I have seen of it. */
export async function clearAttention(roomId: string, upToVersion: number): Promise<void> {
  await enqueue("attention.clear", { roomId, upToVersion });
  await refreshOutbox();
  void requestSync();
}

/** My own unread mark on a post (apart from the read receipts others see). */
export async function markUnread(postId: string, unread: boolean): Promise<void> {
  await enqueue("post.markUnread", { postId, unread });
  await refreshOutbox();
  void requestSync();
}

/** The patient's normal range of one sign; both bounds null: back to the default. */
export async function setThreshold(args: ThresholdSet): Promise<SubmitResult> {
  const { low, high } = args;
  if (typeof low === "number" && typeof high === "number" && low >= high) return { ok: false, message: t("thresholds.invalid") };
  await enqueue("threshold.set", args);
  await refreshOutbox();
  void requestSync();
  return { ok: true };
}

/**
 * Adds or changes a line of the patient's medication list or an allergy (the same id changes
 * it). The server also posts the change in the contact book, under the post id made here.
 */
export async function saveMedication(args: Omit<MedicationSet, "postId">): Promise<SubmitResult> {
  if (!args.name.trim()) return { ok: false, message: t("medications.nameRequired") };
  if (args.startedOn && args.stoppedOn && args.stoppedOn < args.startedOn) return { ok: false, message: t("medications.badDates") };
  await enqueue("medication.set", { ...args, postId: uuidv7() });
  await refreshOutbox();
  void requestSync();
  return { ok: true };
}

/** Removes a line entered by mistake (a drug that ends is stopped instead). */
export async function removeMedication(id: string): Promise<void> {
  await enqueue("medication.delete", { id, postId: uuidv7() });
  await refreshOutbox();
  void requestSync();
}

export async function discardRejected(id: number): Promise<void> {
  await discard(id);
  await refreshOutbox();
}

/** Moves a refused post back into the room's draft, to fix and send again. */
export async function editRejected(entry: OutboxEntry): Promise<void> {
  if (entry.name !== "post.create") return;
  const { roomId, reportTitleId, body, urgent, vitals, addresseeIds, asksAnswer } = entry.args;
  const draft: Draft = {
    ...emptyDraft(roomId),
    reportTitleId,
    body: body ?? "",
    urgent: urgent === true,
    urgentChosen: true,
    addresseeIds: addresseeIds ?? [],
    asksAnswer: asksAnswer === true,
    vitals: Object.fromEntries(Object.entries(vitals ?? {}).flatMap(([k, v]) => (typeof v === "number" ? [[k, String(v)]] : []))),
    photos: (entry.photos ?? []).map(({ attachmentId: _uploaded, ...photo }) => photo),
  };
  await saveDraft(draft);
  // The photos move to the draft; the entry goes without deleting them.
  await writeBatch([{ store: "outbox", op: "del", id: entry.id }]);
  await refreshOutbox();
  navigate("compose", roomId);
}

export async function rejectedEntries(): Promise<OutboxEntry[]> {
  return (await listOutbox()).filter((e) => e.status === "rejected");
}

export function notifyQueued(): void {
  addNotice("info", t("compose.queued"));
}
