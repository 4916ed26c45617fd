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
  | "room"
  | "compose"
  | "patient"
  | "vitals"
  | "settings"
  | "notifications"
  | "admin";

/** Screens that show carebook data (need the unlocked cache) and have a URL. */
export const DATA_SCREENS: ReadonlySet<Screen> = new Set<Screen>([
  "home",
  "room",
  "compose",
  "patient",
  "vitals",
  "settings",
  "notifications",
  "admin",
]);

/** Screens that need a fully signed-in session. */
export const SESSION_SCREENS: ReadonlySet<Screen> = new Set<Screen>([...DATA_SCREENS, "setPasscode"]);

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
}

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
  };
}

let state: AppState = initialState();
const listeners = new Set<Listener>();
let nextNoticeId = 1;

export function getState(): AppState {
  return state;
}

export function setState(patch: Partial<AppState>): void {
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

export function addNotice(kind: NoticeKind, text: string): void {
  setState({ notices: [...state.notices.filter((n) => n.text !== text), { id: nextNoticeId++, kind, text }] });
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
