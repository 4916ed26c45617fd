/**
 * The device lock: the passcode set at the first sign-in on a device, the
 * unlock at every start and after idle time, the wipe after too many wrong
 * passcodes, and the offline rules (lock after 12 h without reaching the
 * server, wipe after 30 days; both settings). Unlocking puts the data key in
 * memory; locking drops it and everything decrypted.
 */
import { api } from "../api";
import { t } from "../i18n";
import { createDataKey, rewrapDataKey, unwrapDataKey, WrongPasscodeError } from "../crypto/keys";
import { passcodeProblem } from "../crypto/passcode";
import { readDeviceKey, readLockState, updateLockState, writeDeviceKey, type LockSettings } from "../db/keystore";
import { addNotice, clearNotices, getState, setState, DATA_SCREENS } from "../store";
import { startSync, stopSync } from "../sync/client";
import { forgetThumbnails } from "../sync/remote";
import type { Me } from "../types";
import { wipeDevice } from "../wipe";
import { forgetRoute, showScreen, showScreenFromUrl } from "../actions/navigation";
import { clearData, loadRooms, saveMe, getData } from "./data";
import { hasKey, setKey } from "./key";
import { revokeLocalPhotoUrls } from "./photos";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export type PasscodeResult = { ok: true } | { ok: false; message: string };

/** Called when the server is reached: the offline clocks restart. */
let lastContactWrite = 0;
export function noteContact(): void {
  const now = Date.now();
  if (now - lastContactWrite < 60_000) return;
  lastContactWrite = now;
  void updateLockState(() => ({ lastContactAt: now })).catch(() => undefined);
}

export function problemText(code: string): string | null {
  const problem = passcodeProblem(code);
  if (problem === "digits") return t("passcode.onlyDigits");
  if (problem === "short") return t("passcode.tooShort");
  if (problem === "obvious") return t("passcode.obvious");
  return null;
}

function onRevoked(): void {
  const { screen, roomId } = getState();
  if (roomId && !getData().rooms.some((r) => r.id === roomId) && DATA_SCREENS.has(screen)) {
    showScreen("home");
    addNotice("info", t("rooms.revoked"));
  }
}

/** With the key in memory: load the cache, start syncing, show the screen the URL names. */
async function enterUnlocked(me: Me | null): Promise<void> {
  if (me) await saveMe(me);
  await loadRooms();
  const stored = getData().me;
  if (stored) setState({ me: stored });
  setState({ attemptsLeft: null });
  showScreenFromUrl();
  startIdleWatch();
  startSync({ onRevoked });
}

/** After the server said "done" at sign-in: set a passcode, unlock, or go on. */
export async function afterSignIn(me: Me): Promise<void> {
  clearNotices();
  setState({ me });
  const record = await readDeviceKey().catch(() => null);
  if (record && record.userId !== me.user.id) {
    // Another user's data: it goes before this user's arrives, and so does their last screen.
    await wipeDevice();
    forgetRoute();
    showScreen("setPasscode");
    return;
  }
  await updateLockState(() => ({ lastContactAt: Date.now() })).catch(() => undefined);
  if (!record) showScreen("setPasscode");
  else if (hasKey()) await enterUnlocked(me);
  else {
    setState({ lockReason: "start" });
    showScreen("unlock");
  }
}

export async function setPasscode(code: string, confirm: string): Promise<PasscodeResult> {
  const problem = problemText(code);
  if (problem) return { ok: false, message: problem };
  if (code !== confirm) return { ok: false, message: t("passcode.mismatch") };
  const me = getState().me;
  if (!me) return { ok: false, message: t("error.generic") };
  const { key, wrapped } = await createDataKey(code);
  await writeDeviceKey({ wrapped, userId: me.user.id, createdAt: Date.now() });
  await updateLockState(() => ({ failedAttempts: 0, lastContactAt: Date.now() }));
  setKey(key);
  await enterUnlocked(me);
  addNotice("success", t("passcode.set"));
  return { ok: true };
}

async function wipeForPasscodes(): Promise<void> {
  // Ends the server session too, best effort: a stolen tablet keeps nothing usable.
  await api.logout().catch(() => undefined);
  await wipeDevice();
  clearData();
  setState({ me: null, attemptsLeft: null, notices: [] });
  forgetRoute();
  showScreen("signIn");
  addNotice("error", t("passcode.wiped"));
}

export async function unlock(code: string): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  if (!record) {
    showScreen("signIn");
    return { ok: false, message: t("notice.deviceWiped") };
  }
  let key: CryptoKey;
  try {
    key = await unwrapDataKey(code, record.wrapped);
  } catch (error) {
    if (!(error instanceof WrongPasscodeError)) throw error;
    const state = await updateLockState((s) => ({ failedAttempts: s.failedAttempts + 1 }));
    const left = state.settings.maxPasscodeAttempts - state.failedAttempts;
    if (left <= 0) {
      await wipeForPasscodes();
      return { ok: false, message: t("passcode.wiped") };
    }
    setState({ attemptsLeft: left });
    return { ok: false, message: t("passcode.wrong", { n: left }) };
  }
  const state = await updateLockState(() => ({ failedAttempts: 0 }));
  setKey(key);
  if (state.lastContactAt !== null && Date.now() - state.lastContactAt > state.settings.offlineLockHours * HOUR) {
    setKey(null);
    pendingOfflineKey = key;
    showScreen("offlineLocked");
    void checkServer();
    return { ok: true };
  }
  await enterUnlocked(null);
  void refreshMe();
  return { ok: true };
}

/** The key, held back while the device is locked for being offline too long. */
let pendingOfflineKey: CryptoKey | null = null;

async function leaveOfflineLock(): Promise<void> {
  if (!pendingOfflineKey && hasKey()) return; // already left (contact noted twice)
  if (!pendingOfflineKey) {
    // Locked while in use: the key was dropped, so the passcode is needed again.
    setState({ lockReason: "start" });
    showScreen("unlock");
    return;
  }
  setKey(pendingOfflineKey);
  pendingOfflineKey = null;
  await enterUnlocked(null);
}

/** Tries to reach the server (from the offline lock screen). */
export async function checkServer(): Promise<boolean> {
  try {
    const me = await api.me();
    lastContactWrite = 0;
    noteContact();
    setState({ me });
    await leaveOfflineLock();
    return true;
  } catch {
    return false;
  }
}

/** Refreshes who we are from the server when online; keeps the cached copy otherwise. */
async function refreshMe(): Promise<void> {
  try {
    const me = await api.me();
    if (me.user.id !== getData().me?.user.id && getData().me) {
      await wipeDevice();
      clearData();
      setState({ me: null });
      showScreen("signIn");
      return;
    }
    await saveMe(me);
    setState({ me });
  } catch {
    // Offline or signed out: the sync status and the 401 handler say so.
  }
}

/** Locks: the key and all decrypted data leave memory. */
export function lock(reason: "idle" | "start" = "idle"): void {
  if (!hasKey()) return;
  stopSync();
  stopIdleWatch();
  setKey(null);
  clearData();
  // Decrypted photos live on as blob: URLs until revoked: not past the lock.
  forgetThumbnails();
  revokeLocalPhotoUrls();
  setState({ lockReason: reason, attemptsLeft: null });
  showScreen("unlock");
}

export async function changePasscode(current: string, next: string, confirm: string): Promise<PasscodeResult> {
  const problem = problemText(next);
  if (problem) return { ok: false, message: problem };
  if (next !== confirm) return { ok: false, message: t("passcode.mismatch") };
  const record = await readDeviceKey();
  if (!record) return { ok: false, message: t("error.generic") };
  try {
    const wrapped = await rewrapDataKey(current, next, record.wrapped);
    await writeDeviceKey({ ...record, wrapped });
  } catch (error) {
    if (error instanceof WrongPasscodeError) return { ok: false, message: t("passcode.currentWrong") };
    throw error;
  }
  return { ok: true };
}

export async function getLockSettings(): Promise<LockSettings> {
  return (await readLockState()).settings;
}

export async function saveLockSettings(patch: Partial<LockSettings>): Promise<void> {
  await updateLockState((s) => ({ settings: { ...s.settings, ...patch } }));
  idleMinutes = (await readLockState()).settings.idleLockMinutes;
}

// --- idle lock -----------------------------------------------------------------------------

let idleMinutes = 5;
let lastActivity = Date.now();
let idleTimer: ReturnType<typeof setInterval> | null = null;
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

function touch(): void {
  lastActivity = Date.now();
}

function checkIdle(): void {
  if (!hasKey()) return;
  if (Date.now() - lastActivity > idleMinutes * 60_000) lock("idle");
}

function startIdleWatch(): void {
  touch();
  void readLockState().then((s) => (idleMinutes = s.settings.idleLockMinutes)).catch(() => undefined);
  if (idleTimer) return;
  for (const name of ACTIVITY) window.addEventListener(name, touch, { passive: true });
  document.addEventListener("visibilitychange", checkIdle);
  idleTimer = setInterval(() => {
    checkIdle();
    void checkOffline();
  }, 15_000);
}

function stopIdleWatch(): void {
  if (idleTimer) clearInterval(idleTimer);
  idleTimer = null;
  for (const name of ACTIVITY) window.removeEventListener(name, touch);
  document.removeEventListener("visibilitychange", checkIdle);
}

/** While unlocked: lock once the device has been out of contact too long. */
async function checkOffline(): Promise<void> {
  const state = await readLockState().catch(() => null);
  if (!state?.lastContactAt || !hasKey()) return;
  const since = Date.now() - state.lastContactAt;
  if (since > state.settings.offlineWipeDays * DAY) {
    await wipeDevice();
    clearData();
    setState({ me: null });
    showScreen("signIn");
    addNotice("error", t("offline.wiped"));
  } else if (since > state.settings.offlineLockHours * HOUR) {
    pendingOfflineKey = null;
    stopSync();
    stopIdleWatch();
    setKey(null);
    clearData();
    showScreen("offlineLocked");
  }
}

/**
 * At start with a device key: wipe when out of contact too long, then ask
 * for the passcode. Answers whether the unlock screen is up.
 */
export async function bootLocked(): Promise<boolean> {
  const record = await readDeviceKey().catch(() => null);
  if (!record) return false;
  const state = await readLockState();
  if (state.lastContactAt !== null && Date.now() - state.lastContactAt > state.settings.offlineWipeDays * DAY) {
    await wipeDevice();
    forgetRoute();
    showScreen("signIn");
    addNotice("error", t("offline.wiped"));
    return true;
  }
  setState({ lockReason: "start", attemptsLeft: null });
  showScreen("unlock");
  return true;
}
