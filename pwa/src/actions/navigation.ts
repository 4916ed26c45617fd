/**
 * Moves between screens. Signed-in screens are mirrored in the URL hash
 * (`#/`, `#/rooms/<id>`, `#/settings` …) so links, the back button, reloads
 * and notification clicks work; the sign-in and lock steps have no URL of
 * their own (the hash is kept, so unlocking lands where the user was going).
 */
import { DATA_SCREENS, getState, setState, type Screen } from "../store";

export type Route = { screen: Screen; roomId: string | null };

const ROOM_SCREENS: Record<string, Screen> = { "": "room", new: "compose", patient: "patient", vitals: "vitals", record: "record" };
const ROOM_SUFFIX: Partial<Record<Screen, string>> = { room: "", compose: "/new", patient: "/patient", vitals: "/vitals", record: "/record" };

export function hrefFor(screen: Screen, roomId?: string | null): string {
  const suffix = ROOM_SUFFIX[screen];
  if (suffix !== undefined && roomId) return `#/rooms/${encodeURIComponent(roomId)}${suffix}`;
  if (screen === "settings") return "#/settings";
  if (screen === "attention") return "#/attention";
  if (screen === "notifications") return "#/settings/notifications";
  if (screen === "help") return "#/help";
  if (screen === "admin") return "#/admin";
  return "#/";
}

/** The route a hash names; unknown hashes are the room list. */
export function routeForHash(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const room = /^\/rooms\/([^/]+)(?:\/(new|patient|vitals|record))?\/?$/.exec(path);
  if (room?.[1]) return { screen: ROOM_SCREENS[room[2] ?? ""] ?? "room", roomId: decodeURIComponent(room[1]) };
  if (path === "/settings") return { screen: "settings", roomId: null };
  if (path === "/attention") return { screen: "attention", roomId: null };
  if (path === "/settings/notifications") return { screen: "notifications", roomId: null };
  if (path === "/help") return { screen: "help", roomId: null };
  // The admin screens follow their own sub-routes (`#/admin/<view>/<id>`, admin/AdminApp.tsx).
  if (path === "/admin" || path.startsWith("/admin/")) return { screen: "admin", roomId: null };
  return { screen: "home", roomId: null };
}

export function showScreen(screen: Screen, roomId: string | null = null): void {
  setState({ screen, roomId });
  if (typeof location === "undefined" || !DATA_SCREENS.has(screen)) return;
  const hash = hrefFor(screen, roomId);
  const adminSubRoute = screen === "admin" && location.hash.startsWith("#/admin/");
  if (location.hash !== hash && !adminSubRoute) history.replaceState(null, "", hash);
}

export function navigate(screen: Screen, roomId: string | null = null): void {
  if (typeof location === "undefined") {
    setState({ screen, roomId });
    return;
  }
  const hash = hrefFor(screen, roomId);
  // While locked (or signing in) only the URL changes: unlocking goes there.
  if (location.hash === hash) {
    if (DATA_SCREENS.has(getState().screen)) setState({ screen, roomId });
  } else location.hash = hash; // hashchange → onHashChange
}

/**
 * Drops the signed-in route from the URL. Called when the signed-in user goes away (sign-out,
 * wipe, another user signing in on the device): the URL would otherwise bring the next
 * sign-in back to the last screen (Settings, where sign-out is) or to another user's room.
 * A lock or an expired session keeps the route, so the same user resumes where they were.
 */
export function forgetRoute(): void {
  setState({ roomId: null });
  if (typeof location === "undefined" || !location.hash) return;
  history.replaceState(null, "", location.pathname + location.search);
}

/** The signed-in screen the current URL asks for. */
export function showScreenFromUrl(): void {
  const route = routeForHash(typeof location === "undefined" ? "" : location.hash);
  showScreen(route.screen, route.roomId);
}

/** Follows hash changes (links, back button) while signed in and unlocked. */
export function onHashChange(): void {
  const current = getState();
  if (!current.me || !DATA_SCREENS.has(current.screen)) return;
  const route = routeForHash(location.hash);
  if (current.screen !== route.screen || current.roomId !== route.roomId) setState(route);
}
