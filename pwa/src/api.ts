/**
 * The only module that talks to the server (the contract: docs/api/requests.md). Every
 * request names the device (`X-Carebook-Device`), stays same-origin, and carries the
 * unlock proof while the app is unlocked (`X-Carebook-Unlock`, local/unlockProof.ts);
 * state changes carry the CSRF token, which is fetched when missing, replaced whenever an
 * answer carries a new one (sign-in rotates it) and refetched once when the server refuses
 * it. A new unlock secret in an answer (sign-in, password change) is adopted here. Remote
 * wipe orders (`"wipe": true`) are carried out here, before any caller sees the answer.
 */
import { getDeviceId } from "./device";
import type { PatientCorrectedOut, PatientCorrectionIn } from "./generated/api";
import { getLang, t } from "./i18n";
import { hasKey, requireKey } from "./local/key";
import { adoptIssuedProof, unlockProof, usePreviousProof } from "./local/unlockProof";
import type { AttachmentInfo, DocumentInfo, PullRequest, PullResponse, PushRequest, PushResponse, Readers } from "./sync/wire";
import type { BreakGlassEntry, RoomRecordData } from "./local/record";
import type {
  AuthStep,
  DeviceRecoveryKey,
  DeviceInfo,
  ErrorBody,
  HelpPage,
  Me,
  MyTerms,
  PublicHelp,
  SessionInfo,
  TotpEnrollment,
} from "./types";
import type { TemplateIn, TemplateOut, TemplatesOut } from "./generated/api";
import { isWiping, wipeDevice } from "./wipe";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Reasons listed by the server (e.g. why a password is too weak), as text. */
  get reasons(): string[] {
    const reasons = (this.body as ErrorBody | null)?.reasons;
    if (!Array.isArray(reasons)) return [];
    return reasons.map((r) => r[getLang()]);
  }
}

export interface ApiHandlers {
  /** The server ordered a wipe; the device data is already erased (with `unsent` unsent records). */
  onWiped(unsent: number | null): void;
  /** A request found no valid session (`401 unauthenticated`). */
  onUnauthenticated(): void;
  /** The server answered with a success: the device is in contact (offline lock/wipe clocks). */
  onContact?(): void;
}

let handlers: ApiHandlers = { onWiped: () => {}, onUnauthenticated: () => {} };

export function setApiHandlers(next: ApiHandlers): void {
  handlers = next;
}

let csrfToken: string | null = null;
let csrfPending: Promise<string> | null = null;

/** Forget the CSRF token (after logout or wipe); the next state change fetches a new one. */
export function resetCsrfToken(): void {
  csrfToken = null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The answer's message: one string from carebook; a proxy's own error page may differ. */
function pickMessage(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (isObject(message)) {
    const chosen = message[getLang()] ?? message["ja"] ?? message["en"];
    return typeof chosen === "string" ? chosen : undefined;
  }
  return undefined;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  const errorBody = isObject(body) ? (body as ErrorBody) : null;
  const code = typeof errorBody?.error === "string" ? errorBody.error : `http_${status}`;
  let message = pickMessage(errorBody?.message);
  if (status === 429) message ??= t("error.tooMany");
  return new ApiError(status, code, message ?? t("error.generic"), body);
}

async function fetchCsrfToken(): Promise<string> {
  csrfPending ??= request<{ csrfToken: string }>("GET", "/api/auth/csrf")
    .then((body) => {
      if (typeof body?.csrfToken !== "string") throw errorFrom(500, body);
      csrfToken = body.csrfToken;
      return body.csrfToken;
    })
    .finally(() => {
      csrfPending = null;
    });
  return csrfPending;
}

/** How to read a successful answer: JSON (the default) or the raw bytes (photos, CSV). */
type Expect = "json" | "blob";

/** Per-request choices: `unlock` sends this proof instead of the current one (the lock request). */
interface SendOptions {
  unlock?: string;
}

/** The headers every request carries (docs/api/requests.md). */
function appHeaders(accept: string, options: SendOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: accept,
    "Accept-Language": getLang(),
    "X-Carebook-Device": getDeviceId(),
  };
  const proof = options.unlock ?? unlockProof();
  if (proof) headers["X-Carebook-Unlock"] = proof;
  return headers;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  expect: Expect = "json",
  options: SendOptions = {},
): Promise<{ response: Response; data: unknown; sentAs: string }> {
  const headers = appHeaders(expect === "json" ? "application/json" : "*/*", options);
  const sentAs = headers["X-Carebook-Device"] ?? "";
  const form = typeof FormData !== "undefined" && body instanceof FormData;
  // State changes always send a JSON body, `{}` when there is nothing to say.
  if (body === undefined && (method === "POST" || method === "PUT" || method === "PATCH")) body = {};
  // A multipart body sets its own Content-Type (with the boundary).
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (!SAFE_METHODS.has(method)) headers["X-CSRF-Token"] = csrfToken ?? (await fetchCsrfToken());
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers,
      body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", t("error.network"), error);
  }
  if (expect === "blob" && response.ok) {
    try {
      return { response, data: await response.blob(), sentAs };
    } catch (error) {
      throw new ApiError(0, "network", t("error.network"), error);
    }
  }
  try {
    return { response, data: await readBody(response), sentAs };
  } catch (error) {
    // The connection dropped while the answer was on its way.
    throw new ApiError(0, "network", t("error.network"), error);
  }
}

/** Device ids whose wipe order this page has carried out (or is carrying out). */
const wipedHere = new Set<string>();

/**
 * The server ordered a wipe of the device named `sentAs`: carried out before any caller sees
 * the answer, once per device id. An answer to a request sent before the wipe can arrive
 * after it, even after the next sign-in, and wiping again then would erase the new
 * sign-in's device id and keys ("start again" at its next step). The id this app has now is
 * no guide: the browser clears storage by itself for the first wipe answer
 * (Clear-Site-Data), and the app's next request makes a new id before this one is read.
 */
async function obeyWipe(sentAs: string): Promise<void> {
  if (wipedHere.has(sentAs) && !isWiping()) return;
  wipedHere.add(sentAs);
  csrfToken = null;
  const unsent = await wipeDevice();
  handlers.onWiped(unsent);
}

/** Answers that mean "sign in again": no session, or one this app cannot use any more. */
const SIGN_IN_AGAIN = new Set(["unauthenticated", "unlock_required", "device_mismatch"]);

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  expect: Expect = "json",
  options: SendOptions = {},
): Promise<T> {
  method = method.toUpperCase();
  let retried = false;
  let olderProof = false;
  for (;;) {
    const { response, data, sentAs } = await send(method, path, body, expect, options);
    if (isObject(data) && typeof data["csrfToken"] === "string") csrfToken = data["csrfToken"];
    if (isObject(data) && typeof data["unlockSecret"] === "string") {
      adoptIssuedProof(data["unlockSecret"], hasKey() ? requireKey() : null);
    }
    if (isObject(data) && data["wipe"] === true) {
      await obeyWipe(sentAs);
      throw errorFrom(response.ok ? 401 : response.status, { error: "device_wiped", ...data });
    }
    if (response.ok) {
      handlers.onContact?.();
      return data as T;
    }
    const error = errorFrom(response.status, data);
    if (response.status === 403 && error.code === "csrf" && !SAFE_METHODS.has(method) && !retried) {
      retried = true;
      csrfToken = null;
      continue;
    }
    if (response.status === 401 && error.code === "unlock_required" && !options.unlock && !olderProof && usePreviousProof()) {
      olderProof = true; // the last lock's new proof never reached the server: the one before
      continue;
    }
    if (response.status === 401 && SIGN_IN_AGAIN.has(error.code)) handlers.onUnauthenticated();
    throw error;
  }
}

/**
 * A streaming GET (the live events) with the same headers as every request: the caller
 * reads the body as it arrives. Rejects with an ApiError when the server refuses.
 */
export async function openStream(path: string, signal: AbortSignal): Promise<Response> {
  const headers = appHeaders("text/event-stream");
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: "same-origin",
      cache: "no-store",
      headers,
      signal,
    });
  } catch (error) {
    throw new ApiError(0, "network", t("error.network"), error);
  }
  if (response.ok && response.body) {
    handlers.onContact?.();
    return response;
  }
  const data = await readBody(response).catch(() => null);
  const error = errorFrom(response.status, data);
  if (isObject(data) && data["wipe"] === true) {
    await obeyWipe(headers["X-Carebook-Device"] ?? "");
  } else if (response.status === 401 && SIGN_IN_AGAIN.has(error.code)) {
    handlers.onUnauthenticated();
  }
  throw error;
}

/** The endpoints, typed. Paths and bodies follow the server contract. */
export const api = {
  login: (loginId: string, password: string) => request<AuthStep>("POST", "/api/auth/login", { loginId, password }),
  totp: (code: string) => request<AuthStep>("POST", "/api/auth/totp", { code }),
  webauthnOptions: () => request<unknown>("POST", "/api/auth/webauthn/options"),
  webauthnVerify: (credential: unknown) => request<AuthStep>("POST", "/api/auth/webauthn/verify", { credential }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<AuthStep>("POST", "/api/auth/password", { currentPassword, newPassword }),
  totpEnroll: () => request<TotpEnrollment>("POST", "/api/auth/totp/enroll"),
  totpEnrollConfirm: (code: string) => request<AuthStep>("POST", "/api/auth/totp/enroll/confirm", { code }),
  registerOptions: () => request<unknown>("POST", "/api/auth/webauthn/register/options"),
  registerVerify: (credential: unknown) =>
    request<AuthStep>("POST", "/api/auth/webauthn/register/verify", { credential }),
  logout: () => request<unknown>("POST", "/api/auth/logout"),
  /** The app locked: the server switches to `next` (sealed already); `proof` is the one it replaces. */
  lockApp: (next: string, proof: string) =>
    request<unknown>("POST", "/api/auth/lock", { nextUnlockSecret: next }, "json", { unlock: proof }),
  /** Public: whether this browser is signed in, so start-up needs no 401 to find out. */
  sessionState: () =>
    request<{ signedIn: boolean; stage: string | null; csrfToken: string }>("GET", "/api/auth/session"),
  me: () => request<Me>("GET", "/api/me"),
  acceptTerms: (version: string) => request<MyTerms>("POST", "/api/me/terms", { version }),
  help: () => request<HelpPage>("GET", "/api/help"),
  publicHelp: () => request<PublicHelp>("GET", "/api/help/public"),
  sessions: () => request<SessionInfo[]>("GET", "/api/me/sessions"),
  endSession: (id: string) => request<unknown>("DELETE", `/api/me/sessions/${encodeURIComponent(id)}`),
  devices: () => request<DeviceInfo[]>("GET", "/api/me/devices"),
  wipeDevice: (id: string) => request<unknown>("DELETE", `/api/me/devices/${encodeURIComponent(id)}`),
  /**
   * This device's recovery secret (base64url): made on the first call, released again only
   * to this device after a full sign-in (docs/security.md, "A forgotten passcode").
   */
  deviceRecoveryKey: () => request<DeviceRecoveryKey>("POST", "/api/device-keys/recovery"),

  // Sync and the contact book: called only from src/sync/ (the UI reads the local store).
  syncPull: (body: PullRequest) => request<PullResponse>("POST", "/api/sync/pull", body),
  syncPush: (body: PushRequest) => request<PushResponse>("POST", "/api/sync/push", body),
  uploadAttachment: (roomId: string, file: Blob, name: string) => {
    const form = new FormData();
    form.append("file", file, name);
    return request<AttachmentInfo>("POST", `/api/rooms/${encodeURIComponent(roomId)}/attachments`, form);
  },
  /** A document (PDF): checked by content on the server, refused with a message that says why. */
  uploadDocument: (roomId: string, file: Blob, name: string) => {
    const form = new FormData();
    form.append("file", file, name);
    return request<DocumentInfo>("POST", `/api/rooms/${encodeURIComponent(roomId)}/documents`, form);
  },
  attachmentThumbnail: (id: string, purpose: "view" | "offline" = "view") =>
    request<Blob>(
      "GET",
      `/api/attachments/${encodeURIComponent(id)}/thumbnail${purpose === "offline" ? "?purpose=offline" : ""}`,
      undefined,
      "blob",
    ),
  /** A photo, or a document's bytes (fetched with the app's headers, then handed over as a download). */
  attachment: (id: string, purpose: "view" | "offline" = "view") =>
    request<Blob>("GET", `/api/attachments/${encodeURIComponent(id)}${purpose === "offline" ? "?purpose=offline" : ""}`, undefined, "blob"),
  readers: (roomId: string, postId: string) =>
    request<Readers>("GET", `/api/rooms/${encodeURIComponent(roomId)}/posts/${encodeURIComponent(postId)}/readers`),
  /** The room's care manager corrects the patient's details (online; members get it by sync). */
  correctPatient: (roomId: string, body: PatientCorrectionIn) =>
    request<PatientCorrectedOut>("PATCH", `/api/rooms/${encodeURIComponent(roomId)}/patient`, body),
  /** A room's record, taken out (audited): to print, vitals as CSV, FHIR. Online only. */
  roomRecord: (roomId: string, range: string) =>
    request<RoomRecordData>("GET", `/api/rooms/${encodeURIComponent(roomId)}/record${range}`),
  roomRecordFile: (roomId: string, kind: "vitals.csv" | "fhir", range: string) =>
    request<Blob>("GET", `/api/rooms/${encodeURIComponent(roomId)}/record/${kind}${range}`, undefined, "blob"),
  breakGlassLog: (roomId: string) =>
    request<BreakGlassEntry[]>("GET", `/api/rooms/${encodeURIComponent(roomId)}/record/break-glass`),
  search: (roomId: string, q: string) =>
    request<unknown>("GET", `/api/rooms/${encodeURIComponent(roomId)}/search?q=${encodeURIComponent(q)}`),

  // Web Push (issue 7).
  pushKey: () => request<{ publicKey: string }>("GET", "/api/push/key"),
  pushSubscribe: (subscription: PushSubscriptionJSON) => request<unknown>("POST", "/api/push/subscriptions", subscription),
  /** Removes this device's subscription (the server knows it by the device). */
  pushUnsubscribe: () => request<unknown>("DELETE", "/api/push/subscriptions"),
  pushPreferences: () => request<PushPreferences>("GET", "/api/push/preferences"),
  savePushPreferences: (prefs: PushPreferences) => request<PushPreferences>("PUT", "/api/push/preferences", prefs),

  // 定型文 (issue 17).
  templates: () => request<TemplatesOut>("GET", "/api/templates"),
  createTemplate: (template: TemplateIn) => request<TemplateOut>("POST", "/api/templates", template),
  deleteTemplate: (id: string) => request<unknown>("DELETE", `/api/templates/${encodeURIComponent(id)}`),
};

export interface PushPreferences {
  enabled: boolean;
  quietHours: { start: string; end: string } | null;
  mutedRoomIds: string[];
  showRoomLabel: boolean;
  /** The opt-in daily mail (counts only, a link); left out when saving: unchanged. */
  dailyMail?: boolean;
}
