/**
 * The sign-in steps. Each call answers `{next}`; `follow` moves the app to
 * the screen for that step until the server says `done`.
 */
import { api, resetCsrfToken, setApiHandlers } from "../api";
import { getLang, setLang, t } from "../i18n";
import { addNotice, clearNotices, getState, SESSION_SCREENS, setState } from "../store";
import type { AuthNext, AuthStep, Me } from "../types";
import { createPasskey, getPasskey } from "../webauthn";
import { wipeDevice } from "../wipe";
import { clearData } from "../local/data";
import { afterSignIn, bootLocked, noteContact, withUnsent } from "../local/session";
import { forgetRoute, showScreen } from "./navigation";
import { attempt, failure, type Result } from "./result";

export class UnexpectedStepError extends Error {}

/** Moves to the screen for the server's next sign-in step. */
export async function follow(next: AuthNext): Promise<void> {
  switch (next) {
    case "totp":
    case "webauthn":
    case "choose":
      setState({ factor: next });
      showScreen("secondFactor");
      return;
    case "changePassword":
      showScreen("changePassword");
      return;
    case "enroll":
      showScreen("enroll");
      return;
    case "done":
      await enterApp();
      return;
    default:
      throw new UnexpectedStepError(String(next));
  }
}

async function enterApp(): Promise<void> {
  const me = await api.me();
  await afterSignIn(me);
}

async function runStep(call: () => Promise<AuthStep>): Promise<Result> {
  try {
    const step = await call();
    await follow(step.next);
    return { ok: true };
  } catch (error) {
    if (error instanceof UnexpectedStepError) {
      showScreen("signIn");
      return { ok: false, code: "unexpected_next", message: t("error.unexpectedNext"), reasons: [] };
    }
    return failure(error);
  }
}

export function signIn(loginId: string, password: string): Promise<Result> {
  return runStep(() => api.login(loginId, password));
}

export function submitTotp(code: string): Promise<Result> {
  return runStep(() => api.totp(code));
}

export function signInWithPasskey(): Promise<Result> {
  return runStep(async () => api.webauthnVerify(await getPasskey(await api.webauthnOptions())));
}

export function changePassword(currentPassword: string, newPassword: string): Promise<Result> {
  return runStep(() => api.changePassword(currentPassword, newPassword));
}

export interface TotpSetup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export async function startTotpEnrollment(): Promise<{ ok: true; setup: TotpSetup } | (Result & { ok: false })> {
  try {
    return { ok: true, setup: await api.totpEnroll() };
  } catch (error) {
    return failure(error);
  }
}

export function confirmTotpEnrollment(code: string): Promise<Result> {
  return runStep(() => api.totpEnrollConfirm(code));
}

/** Registers a passkey: during enrolment (then follows `next`) or from Settings. */
export function enrollPasskey(): Promise<Result> {
  return runStep(async () => api.registerVerify(await createPasskey(await api.registerOptions())));
}

export async function addPasskey(): Promise<Result> {
  const result = await attempt(async () => {
    await api.registerVerify(await createPasskey(await api.registerOptions()));
    setState({ me: await api.me() });
  });
  if (result.ok) addNotice("success", t("settings.passkeyAdded"));
  return result;
}

/** Erases local data, keeping only the language choice, and returns to sign-in. */
async function leave(notice: string): Promise<void> {
  const lang = getLang();
  resetCsrfToken();
  await wipeDevice();
  clearData();
  setLang(lang);
  setState({ me: null, notices: [] });
  forgetRoute(); // the next sign-in (maybe someone else's) starts at the room list
  showScreen("signIn");
  addNotice("info", notice);
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Logged out locally all the same; the server session expires on its own.
  }
  await leave(t("notice.signedOut"));
}

/** After this device's own session or registration was ended from Settings. */
export function leaveAfterEndingOwnSession(): Promise<void> {
  return leave(t("notice.signedOut"));
}

export function leaveAfterOwnDeviceWipe(): Promise<void> {
  return leave(t("notice.deviceWiped"));
}

/** Called by api.ts when the server answers `"wipe": true` (data already erased). */
function onWiped(unsent: number | null): void {
  setLang(getLang()); // the language choice is no secret: keep it
  clearData();

  setState({ me: null, notices: [], recovering: false });
  forgetRoute();
  showScreen("signIn");
  addNotice("error", withUnsent(t("notice.deviceWiped"), unsent));
}

/** Called by api.ts on `401 unauthenticated`. */
function onUnauthenticated(): void {
  const { screen } = getState();
  if (!SESSION_SCREENS.has(screen) && screen !== "secondFactor" && screen !== "changePassword" && screen !== "enroll") {
    return;
  }
  setState({ me: null });
  showScreen("signIn");
  addNotice("error", t("notice.sessionExpired"));
}

/**
 * Starts the app. With carebook data on this device: the passcode first (the
 * data opens offline too). Without: signed in already (a session cookie) →
 * set a passcode; otherwise the sign-in screen.
 */
export async function boot(): Promise<void> {
  setApiHandlers({ onWiped, onUnauthenticated, onContact: noteContact });
  if (await bootLocked()) return;
  let me: Me;
  try {
    const state = await api.sessionState();
    if (!state.signedIn) {
      if (getState().screen === "loading") showScreen("signIn");
      return;
    }
    me = await api.me();
  } catch {
    if (getState().screen === "loading") showScreen("signIn");
    return;
  }
  await afterSignIn(me);
}
