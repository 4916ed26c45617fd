/**
 * The app state in one small observable: which screen shows, who is signed
 * in, which notices are up. Components read it through `useAppState` and
 * change it only through actions.
 */
import { useEffect, useState } from "preact/hooks";
import type { Lang } from "./i18n";
import { getLang } from "./i18n";
import type { AuthNext, Me } from "./types";

export type Screen =
  | "loading"
  | "signIn"
  | "secondFactor"
  | "changePassword"
  | "enroll"
  | "setPasscode"
  | "unlock"
  | "offlineLocked"
  | "home"
  | "attention"
  | "room"
  | "compose"
  | "patient"
  | "vitals"
  | "record"
  | "settings"
  | "notifications"
  | "help"
  | "terms"
  | "admin";

/** Screens that show carebook data (need the unlocked cache) and have a URL. */
export const DATA_SCREENS: ReadonlySet<Screen> = new Set<Screen>([
  "home",
  "attention",
  "room",
  "compose",
  "patient",
  "vitals",
  "record",
  "settings",
  "notifications",
  "help",
  "admin",
]);

/** Screens that need a fully signed-in session ("terms": asked before any data screen). */
export const SESSION_SCREENS: ReadonlySet<Screen> = new Set<Screen>([...DATA_SCREENS, "setPasscode", "terms"]);

/** What the sync client is doing, for the status line. */
export interface SyncStatus {
  state: "idle" | "syncing" | "offline" | "error" | "signedOut";
  /** Mutations waiting to be sent, and refused ones waiting for the user. */
  pending: number;
  rejected: number;
  /** The last error's text, when state is "error". */
  error: string | null;
  lastSyncAt: number | null;
}

export type NoticeKind = "info" | "success" | "error";

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  /** When it was raised (epoch ms): a screen change drops the notices raised before it. */
  at: number;
  /** A button beside the text (e.g. 「元に戻す」 after discarding a draft). */
  action?: { label: string; run: () => void };
}

/** Success and info notices go by themselves after this long; errors stay until read. */
export const NOTICE_MS = 6000;
/** A notice raised this shortly before a screen change belongs to the new screen. */
const NOTICE_CARRIES_MS = 1500;

export interface AppState {
  screen: Screen;
  /** Which second factors the server offers, when on the secondFactor screen. */
  factor: Extract<AuthNext, "totp" | "webauthn" | "choose">;
  me: Me | null;
  notices: Notice[];
  online: boolean;
  lang: Lang;
  /** The room the current screen is about (room, compose, patient, vitals). */
  roomId: string | null;
  sync: SyncStatus;
  /** Why the unlock screen shows: the app just started, or it was idle. */
  lockReason: "start" | "idle";
  /** Wrong passcodes left before the wipe, once one was wrong. */
  attemptsLeft: number | null;
  /** A new service worker waits: offer 「更新があります」. */
  updateReady: boolean;
  /** A forgotten passcode: the person signs in again to set a new one, keeping the data. */
  recovering: boolean;
}

type Listener = (state: AppState) => void;

function initialState(): AppState {
  return {
    screen: "loading",
    factor: "choose",
    me: null,
    notices: [],
    online: typeof navigator === "undefined" ? true : navigator.onLine,
    lang: getLang(),
    roomId: null,
    sync: { state: "idle", pending: 0, rejected: 0, error: null, lastSyncAt: null },
    lockReason: "start",
    attemptsLeft: null,
    updateReady: false,
    recovering: false,
  };
}

let state: AppState = initialState();
const listeners = new Set<Listener>();
let nextNoticeId = 1;

export function getState(): AppState {
  return state;
}

export function setState(patch: Partial<AppState>): void {
  if (patch.screen !== undefined && patch.screen !== state.screen && !patch.notices && state.notices.length) {
    // The next screen starts clean: notices stay only when raised for this very move.
    const now = Date.now();
    patch = { ...patch, notices: state.notices.filter((n) => now - n.at < NOTICE_CARRIES_MS) };
  }
  state = { ...state, ...patch };
  for (const listener of listeners) listener(state);
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For tests: back to the state of a fresh page. */
export function resetState(): void {
  state = initialState();
}

export function setSync(patch: Partial<SyncStatus>): void {
  setState({ sync: { ...state.sync, ...patch } });
}

/**
 * Shows a notice. Success and info notices leave by themselves after
 * `durationMs` (NOTICE_MS by default); errors stay until dismissed or the
 * next screen. The same text is never shown twice.
 */
export function addNotice(
  kind: NoticeKind,
  text: string,
  options: { action?: Notice["action"]; durationMs?: number } = {},
): number {
  const id = nextNoticeId++;
  const notice: Notice = { id, kind, text, at: Date.now(), ...(options.action ? { action: options.action } : {}) };
  setState({ notices: [...state.notices.filter((n) => n.text !== text), notice] });
  const duration = options.durationMs ?? (kind === "error" ? null : NOTICE_MS);
  if (duration !== null) setTimeout(() => dismissNotice(id), duration);
  return id;
}

export function dismissNotice(id: number): void {
  setState({ notices: state.notices.filter((n) => n.id !== id) });
}

export function clearNotices(): void {
  if (state.notices.length) setState({ notices: [] });
}

/** The current state, re-rendering the calling component on every change. */
export function useAppState(): AppState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    setCurrent(state);
    return subscribe(setCurrent);
  }, []);
  return current;
}
