/**
 * Documents (PDF) on this device: the offline copies of the letters, summaries and care
 * plans other members attached, and the checks a document passes before it joins a draft.
 *
 * Copies are sealed with the data key like every record (local/offlineFiles.ts), within a
 * budget the user chooses in Settings (default 100 MB; "keep none" is a choice too). After
 * each pull the newest documents are fetched in the background while they fit; a document
 * opened on demand is kept too, and then the least recently opened ones make room for it.
 * A document is never shown inside the app: it is handed to the device as a download.
 */
import { getOne, putOne } from "../db/database";
import type { DocumentRef, PostData, PullResponse } from "../sync/wire";
import { OfflineFiles, pullEffects, type FileRef } from "./offlineFiles";

/** The server's limit (server/contact_book/pdfs.py), checked here first to say so at once. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
export const DEFAULT_DOCUMENT_BUDGET = 100 * 1024 * 1024;
/** What Settings offers, in bytes; 0 keeps no document on the device. */
export const DOCUMENT_BUDGETS = [0, 50, 100, 200, 500].map((mb) => mb * 1024 * 1024);
const BUDGET_KEY = "documents:budget";

export async function documentBudget(): Promise<number> {
  const stored = (await getOne<{ value: number }>("meta", BUDGET_KEY).catch(() => null))?.value;
  return typeof stored === "number" && DOCUMENT_BUDGETS.includes(stored) ? stored : DEFAULT_DOCUMENT_BUDGET;
}

export const documents = new OfflineFiles("documents", {
  budget: documentBudget,
  concurrency: 1, // up to 20 MB each: one at a time on a weak link
  fillOnly: true,
});

/** Sets the budget; a smaller one evicts at once, a larger one lets the background fill more. */
export async function setDocumentBudget(bytes: number): Promise<void> {
  if (!DOCUMENT_BUDGETS.includes(bytes)) throw new RangeError("not an offered budget");
  await putOne("meta", BUDGET_KEY, { id: BUDGET_KEY, value: bytes });
  await documents.enforceBudget(bytes);
  documents.kick();
}

/** A post's documents (older devices' cached posts have none). */
export function documentsOf(post: Pick<PostData, "documents">): DocumentRef[] {
  return Array.isArray(post.documents) ? post.documents : [];
}

/** Documents to fetch, posts gone and rooms closed in a pull answer (pure; exported for tests). */
export function documentEffects(response: PullResponse) {
  return pullEffects(response, (roomId, postId, data): FileRef[] => {
    const refs = data?.["documents"];
    if (!Array.isArray(refs)) return [];
    return (refs as DocumentRef[]).filter((d) => typeof d?.id === "string").map((d) => ({ attachmentId: d.id, roomId, postId, size: d.size }));
  });
}

/** Why a chosen file cannot be attached as a document, before any upload: "notPdf", "tooLarge" or null. */
export async function documentProblem(file: Blob): Promise<"notPdf" | "tooLarge" | null> {
  if (file.size > MAX_DOCUMENT_BYTES) return "tooLarge";
  const head = new Uint8Array(await file.slice(0, 5).arrayBuffer());
  const magic = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
  return magic.every((byte, i) => head[i] === byte) ? null : "notPdf";
}

/** "1.2 MB", "350 KB": a size as a nurse reads it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return bytes === 0 ? "0 KB" : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
