/**
 * The device lock: the passcode set at the first sign-in on a device, the
 * unlock at every start and after idle time (passcode, or biometrics where
 * the device offers the WebAuthn PRF extension), the wipe after too many
 * wrong passcodes, the reset of a forgotten passcode after a full sign-in
 * (which keeps the unsent records), and the offline rules (lock after 12 h
 * without reaching the server, wipe after 30 days; both settings). Unlocking
 * puts the data key in memory; locking drops it and everything decrypted.
 * The key's slots and what each costs an attacker: crypto/keys.ts.
 */
import { api } from "../api";
import { base64urlDecode } from "../base64";
import { t } from "../i18n";
import {
  createDataKey,
  forget,
  openWithPasscode,
  openWithSecret,
  passcodeSlot,
  secretSlot,
  WrongPasscodeError,
  WrongSecretError,
  type KeySlots,
  type OpenedKey,
} from "../crypto/keys";
import { isLongPasscode, passcodeProblem } from "../crypto/passcode";
import { enrolPrf, evaluatePrf, platformAuthenticatorAvailable, PrfUnavailableError } from "../crypto/prf";
import { countUnsent } from "../db/database";
import { readDeviceKey, readLockState, updateLockState, writeDeviceKey, type DeviceKeyRecord, type LockSettings } from "../db/keystore";
import { addNotice, clearNotices, getState, setState, DATA_SCREENS } from "../store";
import { startSync, stopSync } from "../sync/client";
import { forgetThumbnails } from "../sync/remote";
import type { Me } from "../types";
import { wipeDevice } from "../wipe";
import { forgetRoute, navigate, showScreen, showScreenFromUrl } from "../actions/navigation";
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

export function problemText(code: string, options: { fallback?: boolean } = {}): string | null {
  const problem = passcodeProblem(code, options);
  if (problem === "short") return t("passcode.tooShort");
  if (problem === "tooLong") return t("passcode.tooLong");
  if (problem === "obvious") return t("passcode.obvious");
  if (problem === "long") return t("passcode.needLong");
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
  setState({ attemptsLeft: null, recovering: false });
  showScreenFromUrl();
  startIdleWatch();
  startSync({ onRevoked });
}

// --- the device's recovery secret (server-held) ------------------------------------------------

/** The server's per-device recovery secret: made on first request, released after a full sign-in. */
async function fetchRecoverySecret(): Promise<{ secret: Uint8Array; created: boolean } | null> {
  try {
    const answer = await api.deviceRecoveryKey();
    return { secret: new Uint8Array(base64urlDecode(answer.secret)), created: answer.created };
  } catch {
    return null; // offline, or the session is not fresh enough: the next unlock online tries again
  }
}

/**
 * Adds the recovery slot when the record has none (a new device, or one
 * migrated from version 1): from then on a forgotten passcode costs nothing.
 */
async function ensureRecoverySlot(raw: Uint8Array): Promise<void> {
  const record = await readDeviceKey();
  if (!record || record.wrapped.v !== 2 || record.wrapped.recovery) return;
  // Made now, or an existing one released after a fresh sign-in; withheld otherwise (the next
  // unlock online tries again).
  const answer = await fetchRecoverySecret();
  if (!answer) return;
  const recovery = await secretSlot(answer.secret, raw, "recovery");
  answer.secret.fill(0);
  const latest = await readDeviceKey();
  if (latest && latest.wrapped.v === 2 && !latest.wrapped.recovery) {
    await writeDeviceKey({ ...latest, wrapped: { ...latest.wrapped, recovery } });
  }
}

/** Runs the recovery-slot top-up in the background, then zeroes the raw key. */
function finishWithRaw(opened: OpenedKey): void {
  void ensureRecoverySlot(opened.raw)
    .catch(() => undefined)
    .finally(() => forget(opened));
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
  const record = await readDeviceKey().catch(() => null);
  if (record && record.userId !== me.user.id) {
    // Another user's data: it goes before this user's arrives, and so does their last screen.
    await wipeDevice();
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
  setKey(opened.key);
  await enterUnlocked(me);
  finishWithRaw(opened); // after the unlock, so its request goes out as an unlocked app's
  addNotice("success", t("passcode.set"));
  void offerBiometrics();
  return { ok: true };
}

/** Where the device has a platform authenticator, points to biometric unlock once the passcode is set. */
async function offerBiometrics(): Promise<void> {
  if (!(await platformAuthenticatorAvailable()) || (await biometricState()).enabled) return;
  addNotice("info", t("biometric.offer"), {
    durationMs: 20_000,
    action: { label: t("biometric.offerAction"), run: () => navigate("settings") },
  });
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
 * then the offline-lock check, then the data. The one place to hang what
 * must follow the key (e.g. the server's unlock proof).
 */
async function admit(key: CryptoKey): Promise<void> {
  const state = await updateLockState(() => ({ failedAttempts: 0 }));
  if (state.lastContactAt !== null && Date.now() - state.lastContactAt > state.settings.offlineLockHours * HOUR) {
    pendingOfflineKey = key;
    showScreen("offlineLocked");
    void checkServer();
    return;
  }
  setKey(key);
  await enterUnlocked(null);
  void refreshMe();
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

/** Whether this device has biometric unlock set up (for the lock screen and Settings). */
export async function biometricState(): Promise<{ enabled: boolean; deviceBound: boolean; longPasscode: boolean }> {
  const record = await readDeviceKey().catch(() => null);
  if (!record || record.wrapped.v !== 2) return { enabled: false, deviceBound: false, longPasscode: false };
  const prf = record.wrapped.prf;
  return { enabled: !!prf, deviceBound: prf?.deviceBound ?? false, longPasscode: record.wrapped.passcode.long };
}

/**
 * Turns biometric unlock on. The passcode becomes the fallback and must be the
 * long kind: a short current one has to be replaced (`next`) in the same step.
 */
export async function enableBiometrics(current: string, next: string, confirm: string): Promise<PasscodeResult> {
  const record = await readDeviceKey();
  const me = getState().me;
  if (!record || !me) return { ok: false, message: t("error.generic") };
  const replacing = next !== "" || !isLongPasscode(current);
  if (replacing) {
    const problem = problemText(next, { fallback: true });
    if (problem) return { ok: false, message: problem };
    if (next !== confirm) return { ok: false, message: t("passcode.mismatch") };
  }
  let opened: OpenedKey & { migrated: KeySlots | null };
  try {
    opened = await openWithPasscode(current, record.wrapped);
  } catch (error) {
    if (error instanceof WrongPasscodeError) return { ok: false, message: t("passcode.currentWrong") };
    throw error;
  }
  try {
    const base: KeySlots = opened.migrated ?? (record.wrapped as KeySlots);
    let enrolment;
    try {
      enrolment = await enrolPrf(`${me.user.loginId} (${t("biometric.credentialName")})`, me.user.name);
    } catch (error) {
      if (error instanceof PrfUnavailableError) return { ok: false, message: t(`biometric.${error.reason}`) };
      throw error;
    }
    const slot = await secretSlot(enrolment.secret, opened.raw, "prf");
    enrolment.secret.fill(0);
    const wrapped: KeySlots = {
      ...base,
      passcode: replacing ? await passcodeSlot(next, opened.raw) : base.passcode,
      prf: { ...slot, credentialId: enrolment.credentialId, prfSalt: enrolment.prfSalt, deviceBound: enrolment.deviceBound },
    };
    await writeDeviceKey({ ...record, wrapped });
    return { ok: true };
  } finally {
    forget(opened);
  }
}

/** Turns biometric unlock off: only the passcode (and the recovery slot) remain. */
export async function disableBiometrics(): Promise<void> {
  const record = await readDeviceKey();
  if (!record || record.wrapped.v !== 2 || !record.wrapped.prf) return;
  const { prf: _dropped, ...rest } = record.wrapped;
  await writeDeviceKey({ ...record, wrapped: rest });
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
