/**
 * The app state in one small observable: which screen shows, who is signed
 * in, which notices are up. Components read it through `useAppState` and
 * change it only through actions.
 */
import { useEffect, useState } from "preact/hooks";
import type { Lang } from "./i18n";
import { getLang } from "./i18n";
import type { AuthNext, Me } from "./types";

export type Screen = "loading" | "signIn" | "secondFactor" | "changePassword" | "enroll" | "home" | "settings";

/** Screens that need a fully signed-in session. */
export const SESSION_SCREENS: ReadonlySet<Screen> = new Set<Screen>(["home", "settings"]);

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
