/**
 * The device lock: the passcode set at the first sign-in on a device, the
 * unlock at every start and after idle time (passcode, or biometrics where
 * the device offers the WebAuthn PRF extension), the wipe after too many
 * wrong passcodes, the reset of a forgotten passcode after a full sign-in
 * (which keeps the unsent records), and the offline rules (lock after 12 h
 * without reaching the server, wipe after 30 days; both settings). Unlocking
 * puts the data key in memory; locking drops it and everything decrypted.
 * The key's slots and what each costs an attacker: crypto/keys.ts. The
 * unlock proof that the server asks of every request follows the key
 * (local/unlockProof.ts).
 */
import { api } from "../api";
import { t } from "../i18n";
import {
  createDataKey,
  forget,
  openWithPasscode,
  openWithSecret,
  passcodeSlot,
  WrongPasscodeError,
  WrongSecretError,
  type KeySlots,
  type OpenedKey,
} from "../crypto/keys";
import { evaluatePrf, PrfUnavailableError } from "../crypto/prf";
import { countUnsent } from "../db/database";
import { readDeviceKey, readLockState, updateLockState, writeDeviceKey, type DeviceKeyRecord, type LockSettings } from "../db/keystore";
import { addNotice, clearNotices, getState, setState, DATA_SCREENS } from "../store";
import { startSync, stopSync } from "../sync/client";
import { forgetThumbnails } from "../sync/remote";
import type { Me } from "../types";
import { wipeDevice } from "../wipe";
import { noteTerms, termsDue } from "../actions/help";
import { forgetRoute, showScreen, showScreenFromUrl } from "../actions/navigation";
import { clearData, loadRooms, saveMe, getData } from "./data";
import { hasKey, requireKey, setKey } from "./key";
import { revokeLocalPhotoUrls } from "./photos";
import { problemText, type PasscodeResult } from "./passcodeText";
import { offerBiometrics } from "./biometric";
import { fetchRecoverySecret, finishWithRaw } from "./recoverySecret";
import { restoreUnlockProof, retireUnlockProof, wipeKeepingSession } from "./unlockProof";

const HOUR = 3600_000;
const DAY = 24 * HOUR;


/**
 * Called when the server is reached: the offline clocks restart. Only for a signed-in user:
 * the sign-in page's own requests (the city's contacts) must not recreate the lock state of
 * a device that was just wiped.
 */
let lastContactWrite = 0;
export function noteContact(): void {
  if (!getState().me) return;
  const now = Date.now();
  if (now - lastContactWrite < 60_000) return;
  lastContactWrite = now;
  void updateLockState(() => ({ lastContactAt: now })).catch(() => undefined);
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
  setState({ attemptsLeft: null, recovering: false });
  // The terms of use, when the city changed them, come before any screen (sync still runs).
  if (termsDue()) showScreen("terms");
  else showScreenFromUrl();
  startIdleWatch();
  startSync({ onRevoked });
}

/** The data key recovered after a full sign-in, waiting for the new passcode. */
let recovered: OpenedKey | null = null;

async function recoverAfterSignIn(record: DeviceKeyRecord): Promise<boolean> {
  if (record.wrapped.v !== 2 || !record.wrapped.recovery) return false;
  const answer = await fetchRecoverySecret();
  if (!answer || answer.created) return false;
  try {
    forget(recovered);
    recovered = await openWithSecret("recovery", answer.secret, record.wrapped);
    return true;
  } catch (error) {
    if (error instanceof WrongSecretError) return false;
    throw error;
  } finally {
    answer.secret.fill(0);
  }
}

/** After the server said "done" at sign-in: set a passcode, unlock, reset a forgotten one, or go on. */
export async function afterSignIn(me: Me): Promise<void> {
  clearNotices();
  setState({ me });
  noteTerms(me, true);
  const record = await readDeviceKey().catch(() => null);
  if (record && record.userId !== me.user.id) {
    // Another user's data: it goes before this user's arrives, and so does their last screen.
    // This user's new session (its device id and unlock proof) stays.
    await wipeKeepingSession(wipeDevice);
    forgetRoute();
    setState({ recovering: false });
    showScreen("setPasscode");
    return;
  }
  await updateLockState(() => ({ lastContactAt: Date.now() })).catch(() => undefined);
  if (!record) showScreen("setPasscode");
  else if (hasKey()) await enterUnlocked(me);
  else if (getState().recovering) {
    if (await recoverAfterSignIn(record)) {
      showScreen("setPasscode");
    } else {
      setState({ recovering: false, lockReason: "start" });
      showScreen("unlock");
      addNotice("error", t("recovery.unavailable"));
    }
  } else {
    setState({ lockReason: "start" });
    showScreen("unlock");
  }
}

/** Whether the set-passcode screen is resetting a forgotten passcode (the data is kept). */
export function isResettingPasscode(): boolean {
  return recovered !== null;
}

export async function setPasscode(code: string, confirm: string): Promise<PasscodeResult> {
  const existing = recovered ? await readDeviceKey() : null;
  const withBiometrics = existing?.wrapped.v === 2 && !!existing.wrapped.prf;
  const problem = problemText(code, { fallback: withBiometrics });
  if (problem) return { ok: false, message: problem };
  if (code !== confirm) return { ok: false, message: t("passcode.mismatch") };
  const me = getState().me;
  if (!me) return { ok: false, message: t("error.generic") };
  let opened: OpenedKey;
  if (recovered && existing?.wrapped.v === 2) {
    // A forgotten passcode: the same data key (and the outbox under it) under the new one.
    opened = recovered;
    recovered = null;
    const wrapped: KeySlots = { ...existing.wrapped, passcode: await passcodeSlot(code, opened.raw) };
    await writeDeviceKey({ ...existing, wrapped });
  } else {
    const created = await createDataKey(code);
    opened = created;
    await writeDeviceKey({ wrapped: created.slots, userId: me.user.id, createdAt: Date.now() });
  }
  await updateLockState(() => ({ failedAttempts: 0, lastContactAt: Date.now() }));
  // The proof the sign-in just issued, sealed under this key (new, or the recovered one).
  await restoreUnlockProof(opened.key);
  setKey(opened.key);
  await enterUnlocked(me);
  finishWithRaw(opened); // after the unlock, so its request goes out as an unlocked app's
  addNotice("success", t("passcode.set"));
  void offerBiometrics();
  return { ok: true };
}

async function wipeForPasscodes(): Promise<void> {
  // Ends the server session too, best effort: a stolen tablet keeps nothing usable.
  await api.logout().catch(() => undefined);
  const unsent = await wipeDevice();
  clearData();
  setState({ me: null, attemptsLeft: null, notices: [], recovering: false });
  forgetRoute();
  showScreen("signIn");
  addNotice("error", withUnsent(t("passcode.wiped"), unsent));
}

/** A wipe's notice, with how many unsent records it took (they must be written again). */
export function withUnsent(text: string, unsent: number | null): string {
  if (unsent === null) return `${text} ${t("wipe.unsentUnknown")}`;
  if (unsent === 0) return text;
  return `${text} ${t("wipe.unsentErased", { n: unsent })}`;
}

/**
 * Every unlock ends here (passcode, biometrics): the wrong-try count resets,
 * the server's unlock proof comes back into memory, then the offline-lock
 * check, then the data. The one place to hang what must follow the key.
 */
async function admit(key: CryptoKey): Promise<void> {
  const atStart = getState().lockReason === "start";
  const state = await updateLockState(() => ({ failedAttempts: 0 }));
  // Offline too: the sealed proof opens with the key, before any request (checkServer's) needs it.
  await restoreUnlockProof(key);
  if (state.lastContactAt !== null && Date.now() - state.lastContactAt > state.settings.offlineLockHours * HOUR) {
    pendingOfflineKey = key;
    showScreen("offlineLocked");
    void checkServer();
    return;
  }
  setKey(key);
  await enterUnlocked(null);
  void refreshMe(atStart);
}

export async function unlock(code: string): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  if (!record) {
    showScreen("signIn");
    return { ok: false, message: t("notice.deviceWiped") };
  }
  let opened: OpenedKey & { migrated: KeySlots | null };
  try {
    opened = await openWithPasscode(code, record.wrapped);
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
  // A version 1 (PBKDF2) record: rewritten under Argon2id before anything else happens.
  if (opened.migrated) await writeDeviceKey({ ...record, wrapped: opened.migrated });
  await admit(opened.key);
  finishWithRaw(opened);
  return { ok: true };
}

/** Unlocks with the device's biometric credential (the passcode stays the fallback). */
export async function unlockWithBiometrics(): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  if (!record) {
    showScreen("signIn");
    return { ok: false, message: t("notice.deviceWiped") };
  }
  const prf = record.wrapped.v === 2 ? record.wrapped.prf : undefined;
  if (!prf || record.wrapped.v !== 2) return { ok: false, message: t("biometric.notSet") };
  let opened: OpenedKey;
  try {
    const secret = await evaluatePrf(prf.credentialId, prf.prfSalt);
    opened = await openWithSecret("prf", secret, record.wrapped);
    secret.fill(0);
  } catch (error) {
    if (error instanceof PrfUnavailableError || error instanceof WrongSecretError) {
      return { ok: false, message: t("biometric.failed") };
    }
    throw error;
  }
  await admit(opened.key);
  finishWithRaw(opened);
  return { ok: true };
}

// --- a forgotten passcode ---------------------------------------------------------------------

/** What the lock screen shows before anyone chooses: unsent records, and whether they can be kept. */
export async function forgotPasscodeFacts(): Promise<{ unsent: number | null; canKeep: boolean }> {
  const record = await readDeviceKey().catch(() => null);
  const unsent = await countUnsent().catch(() => null);
  return { unsent, canKeep: record?.wrapped.v === 2 && !!record.wrapped.recovery };
}

/** Keeps the data: the person signs in again (password and second factor) and sets a new passcode. */
export function startPasscodeRecovery(): void {
  setState({ recovering: true, attemptsLeft: null });
  showScreen("signIn");
  addNotice("info", t("recovery.signInFirst"));
}

/** Gives up the data on purpose: signs out and wipes, then says what went with it. */
export async function wipeForForgottenPasscode(): Promise<void> {
  await api.logout().catch(() => undefined);
  const unsent = await wipeDevice();
  clearData();
  setState({ me: null, attemptsLeft: null, notices: [], recovering: false });
  forgetRoute();
  showScreen("signIn");
  addNotice("info", withUnsent(t("notice.signedOutWiped"), unsent));
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
    setState({ me });
    lastContactWrite = 0;
    noteContact();
    noteTerms(me, true);
    await leaveOfflineLock();
    return true;
  } catch {
    return false;
  }
}

/**
 * Refreshes who we are from the server when online; keeps the cached copy otherwise.
 * At a start (not after an idle lock) it is also when the app learns of new terms of use.
 */
async function refreshMe(atStart: boolean): Promise<void> {
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
    noteTerms(me, atStart);
    if (termsDue() && DATA_SCREENS.has(getState().screen)) showScreen("terms");
  } catch {
    // Offline or signed out: the sync status and the 401 handler say so.
  }
}

/** Locks: the key and all decrypted data leave memory. */
export function lock(reason: "idle" | "start" = "idle"): void {
  if (!hasKey()) return;
  const key = requireKey();
  stopSync();
  stopIdleWatch();
  setKey(null);
  // The proof leaves memory; the key, held here a moment longer, seals its successor.
  void retireUnlockProof(key, api.lockApp);
  clearData();
  // Decrypted photos live on as blob: URLs until revoked: not past the lock.
  forgetThumbnails();
  revokeLocalPhotoUrls();
  setState({ lockReason: reason, attemptsLeft: null });
  showScreen("unlock");
}

export async function changePasscode(current: string, next: string, confirm: string): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  if (!record) return { ok: false, message: t("error.generic") };
  // With biometric unlock on, the passcode is its fallback and must stay the long kind.
  const problem = problemText(next, { fallback: record.wrapped.v === 2 && !!record.wrapped.prf });
  if (problem) return { ok: false, message: problem };
  if (next !== confirm) return { ok: false, message: t("passcode.mismatch") };
  let opened: OpenedKey & { migrated: KeySlots | null };
  try {
    opened = await openWithPasscode(current, record.wrapped);
  } catch (error) {
    if (error instanceof WrongPasscodeError) return { ok: false, message: t("passcode.currentWrong") };
    throw error;
  }
  try {
    const base: KeySlots = opened.migrated ?? (record.wrapped as KeySlots);
    await writeDeviceKey({ ...record, wrapped: { ...base, passcode: await passcodeSlot(next, opened.raw) } });
  } finally {
    forget(opened);
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
    const key = requireKey();
    stopSync();
    stopIdleWatch();
    setKey(null);
    void retireUnlockProof(key, api.lockApp);
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
