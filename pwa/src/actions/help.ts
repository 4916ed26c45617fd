/**
 * The help page and the terms of use. The help page holds no patient data (contact points,
 * rules, the pledge texts, links), so the last copy read is kept in localStorage and shown
 * offline too: a nurse in a car can still find whom to call. A wipe clears it with the rest.
 *
 * Terms: the server reports in `me.terms` whether the user must accept the current version,
 * and never refuses a request for want of it. The app asks at a start that reaches the
 * server (sign-in, unlocking at start, leaving the offline lock), before any screen, and
 * not when unlocking after idle time mid-visit unless it already asked and was not answered.
 * Syncing goes on meanwhile: what was written offline is sent whatever the answer.
 */
import { api, ApiError } from "../api";
import { t } from "../i18n";
import { saveMe } from "../local/data";
import { addNotice, getState, setState } from "../store";
import type { HelpPage, Me, PublicHelp } from "../types";
import { showScreenFromUrl } from "./navigation";
import { failure, type Result } from "./result";

const HELP_KEY = "carebook.help";
const PUBLIC_HELP_KEY = "carebook.publicHelp";

export type Fetched<T> = { value: T; offline: false } | { value: T | null; offline: true };

function cached<T>(key: string): T | null {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function keep(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page is fetched again next time.
  }
}

async function fetchKept<T>(key: string, call: () => Promise<T>): Promise<Fetched<T>> {
  try {
    const value = await call();
    keep(key, value);
    return { value, offline: false };
  } catch (error) {
    // A refusal (4xx) is an answer; no network or a failing server is "offline".
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) throw error;
    return { value: cached<T>(key), offline: true };
  }
}

export const loadHelp = (): Promise<Fetched<HelpPage>> => fetchKept(HELP_KEY, api.help);
export const loadPublicHelp = (): Promise<Fetched<PublicHelp>> => fetchKept(PUBLIC_HELP_KEY, api.publicHelp);

// -- the terms of use ---------------------------------------------------------------------

let due = false;

/** Called with `me` fresh from the server; `atStart`: the app is starting, not resuming. */
export function noteTerms(me: Me | null, atStart: boolean): void {
  if (!me) return;
  if (!me.terms?.required) due = false;
  else if (atStart) due = true;
}

/** Whether the terms screen must come before any other. */
export function termsDue(): boolean {
  return due;
}

/** Accepts the version shown; the app then goes where the user was going. */
export async function acceptTerms(version: string): Promise<Result> {
  try {
    const terms = await api.acceptTerms(version);
    const me = getState().me;
    if (me) {
      const next: Me = { ...me, terms };
      await saveMe(next).catch(() => undefined);
      setState({ me: next });
    }
  } catch (error) {
    return failure(error);
  }
  due = false;
  addNotice("success", t("terms.accepted"));
  showScreenFromUrl();
  return { ok: true };
}

/** Offline at the start: go on with the app, and ask again at the next start online. */
export function deferTerms(): void {
  due = false;
  showScreenFromUrl();
}
