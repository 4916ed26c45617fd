/**
 * The sync client: the only part of the app that moves data between the
 * server and the encrypted cache. It sends the outbox, then pulls (so our own
 * changes come back with their versions), at start, on every server poke
 * (Server-Sent Events, read by a streaming fetch that carries the app's headers:
 * sync/events.ts), after every reconnect of that stream, when the browser
 * comes back online and when the app comes to the foreground. One run at a
 * time; a request during a run schedules one more run.
 */
import { api, ApiError } from "../api";
import { getLang, t } from "../i18n";
import { hasKey, LockedError } from "../local/key";
import { closeRoom, getData, loadRooms, refreshSummaries, reloadOpenRoom, setData } from "../local/data";
import { loadTemplates } from "../local/templates";
import { addNotice, getState, setSync } from "../store";
import { onWipe } from "../wipe";
import { openEventStream, type EventStream } from "./events";
import { listOutbox, sendOutbox, TransientError, RefusedError, type OutboxTransport, type PendingPhoto } from "./outbox";
import { pullAll, type PullReport } from "./pull";

const transport: OutboxTransport = {
  push: (request) => api.syncPush(request),
  async upload(roomId, photo: PendingPhoto, bytes) {
    try {
      const blob = new Blob([bytes], { type: photo.contentType });
      if (photo.document) return await api.uploadDocument(roomId, blob, photo.document.name);
      return await api.uploadAttachment(roomId, blob, `${photo.localId}.jpg`);
    } catch (error) {
      // 4xx (too big, not an image or a clean PDF, no permission): it will never go; tell the user.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) {
        throw new RefusedError(error.message);
      }
      throw error;
    }
  },
};

let running = false;
let syncing: Promise<void> | null = null;
let again = false;
let events: EventStream | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let retryDelay = 2000;
let onRevoked: ((roomId: string) => void) | null = null;

/** True for failures that mean "not reachable now" rather than "refused". */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (error instanceof ApiError) return error.status === 0 || error.status >= 500 || error.status === 429;
  return error instanceof TypeError;
}

export async function refreshOutbox(): Promise<void> {
  const outbox = await listOutbox();
  setData({ outbox });
  // Read marks are bookkeeping, not something the user wrote: they are not counted as waiting.
  const written = outbox.filter((e) => e.name !== "receipt.mark" && e.name !== "attention.clear" && e.name !== "post.markUnread");
  setSync({ pending: written.filter((e) => e.status === "pending").length, rejected: outbox.filter((e) => e.status === "rejected").length });
}

async function afterPull(report: PullReport): Promise<void> {
  await loadRooms();
  const changed = new Set(report.changedRooms);
  if (changed.size) await refreshSummaries(changed);
  const open = getData().open;
  if (open && report.revokedRooms.has(open.roomId)) {
    closeRoom();
    onRevoked?.(open.roomId);
  } else {
    // The room the screen wants now, not the one that was open when this pull began: the
    // nurse may have switched rooms meanwhile (issue 13: a room stuck on 「読み込み中…」).
    await reloadOpenRoom(changed);
  }
  for (const roomId of report.revokedRooms) {
    if (open?.roomId !== roomId) onRevoked?.(roomId);
  }
  // What was acknowledged is now in the synced data.
  setData({ acked: [] });
  refreshTemplates();
}

const TEMPLATES_EVERY_MS = 10 * 60 * 1000;
let templatesAt = 0;

/** Keeps the 定型文 cached for offline use, at most every ten minutes (in the background). */
function refreshTemplates(): void {
  if (Date.now() - templatesAt < TEMPLATES_EVERY_MS) return;
  templatesAt = Date.now();
  void loadTemplates().catch(() => (templatesAt = 0));
}

async function runOnce(): Promise<void> {
  setSync({ state: "syncing" });
  try {
    const sent = await sendOutbox(transport, getLang());
    if (sent.sent.length) setData({ acked: [...getData().acked, ...sent.sent] });
    await refreshOutbox();
    for (const { entry } of sent.conflicts) {
      addNotice("error", t("sync.conflict", { what: t(entry.name.startsWith("comment") ? "sync.whatComment" : "sync.whatPost") }));
    }
    if (sent.rejected.length) addNotice("error", t("sync.rejectedNotice", { n: sent.rejected.length }));
    const report = await pullAll((body) => api.syncPull(body));
    await afterPull(report);
    setSync({ state: "idle", error: null, lastSyncAt: Date.now() });
  } catch (error) {
    if (error instanceof LockedError || !hasKey()) {
      // Locked or wiped mid-run: nothing to report; the next unlock syncs again.
      setSync({ state: "idle" });
      return;
    }
    await refreshOutbox().catch(() => undefined);
    if (error instanceof ApiError && error.status === 401) {
      setSync({ state: "signedOut", error: null });
      stopSync();
    } else if (isTransient(error)) {
      setSync({ state: "offline", error: null });
    } else {
      console.error("carebook: sync failed", error);
      const message = error instanceof ApiError ? error.message : t("sync.errorGeneric");
      setSync({ state: "error", error: message });
    }
  }
}

/** Asks for a sync run soon; coalesces requests made while one runs. */
export function requestSync(): Promise<void> {
  if (!running) return Promise.resolve();
  if (syncing) {
    again = true;
    return syncing;
  }
  syncing = (async () => {
    do {
      again = false;
      await runOnce();
    } while (again && running);
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

function scheduleReconnect(): void {
  if (retryTimer || !running) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    openEvents();
  }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 60_000);
}

function openEvents(): void {
  if (!running) return;
  events?.close();
  const poke = () => void requestSync();
  const stream: EventStream = openEventStream({
    onOpen() {
      retryDelay = 2000;
      poke(); // after every (re)connect: catch up on what was missed
    },
    // poke, revoked, wipe (the pull answer carries the wipe): each means "pull now".
    onEvent: poke,
    onClosed(refused) {
      if (events !== stream) return;
      events = null;
      // Refused (signed out, locked out): the sync run reports it; "online" or the next
      // start opens the stream again. Dropped: reconnect with backoff.
      if (!refused) scheduleReconnect();
    },
  });
  events = stream;
}

function onOnline(): void {
  if (!events) openEvents();
  void requestSync();
}

function onVisible(): void {
  if (document.visibilityState === "visible") void requestSync();
}

/** Starts syncing (after unlock). */
export function startSync(options: { onRevoked?: (roomId: string) => void } = {}): void {
  onRevoked = options.onRevoked ?? null;
  if (running) {
    void requestSync();
    return;
  }
  running = true;
  window.addEventListener("online", onOnline);
  document.addEventListener("visibilitychange", onVisible);
  openEvents();
  void refreshOutbox().catch(() => undefined);
  void requestSync();
}

/** Stops syncing (lock, sign-out, wipe). */
export function stopSync(): void {
  running = false;
  again = false;
  events?.close();
  events = null;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  if (typeof window !== "undefined") window.removeEventListener("online", onOnline);
  if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onVisible);
}

export function isSyncing(): boolean {
  return running && getState().sync.state === "syncing";
}

onWipe(stopSync);
