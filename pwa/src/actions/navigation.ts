/**
 * Moves between screens. Signed-in screens are mirrored in the URL hash
 * (`#/`, `#/settings`) so links, the back button and reloads work; the
 * sign-in steps have no URL of their own.
 */
import { getState, setState, type Screen } from "../store";

const HASHES: Partial<Record<Screen, string>> = { home: "#/", settings: "#/settings" };

export function hrefFor(screen: "home" | "settings"): string {
  return HASHES[screen] ?? "#/";
}

function screenForHash(hash: string): "home" | "settings" {
  return hash === HASHES.settings ? "settings" : "home";
}

export function showScreen(screen: Screen): void {
  setState({ screen });
  const hash = HASHES[screen];
  if (typeof location === "undefined") return;
  if (hash && location.hash !== hash) history.replaceState(null, "", hash);
  if (!hash && location.hash) history.replaceState(null, "", location.pathname + location.search);
}

/** The signed-in screen the current URL asks for. */
export function showScreenFromUrl(): void {
  showScreen(screenForHash(location.hash));
}

/** Follows hash changes (links, back button) while signed in. */
export function onHashChange(): void {
  if (!getState().me) return;
  const screen = screenForHash(location.hash);
  if (getState().screen !== screen) setState({ screen });
}
