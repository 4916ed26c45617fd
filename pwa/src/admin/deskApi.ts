/**
 * The help desk, the clerk accounts, each office's system managers and a patient's access
 * log, typed as `server/accounts/schemas.py` and `server/admin/schemas.py` send them. Calls
 * go through `request` of `../api`, like the rest of the admin screens.
 */
import { request } from "../api";
import { query, type Office, type RoomRef } from "./api";

export interface DeskPerson {
  id: string;
  loginId: string;
  name: string;
  nameKana: string;
  jobType: string;
  jobTypeLabel: string;
  role: string;
  roleLabel: string;
  status: string;
  statusLabel: string;
  officeId: string | null;
  officeName: string | null;
  hasEmail: boolean;
  locked: boolean;
  lastSignInAt: string | null;
  devices: number;
}

export interface DeskDevice {
  id: string;
  label: string;
  createdAt: string;
  lastSeenAt: string;
  sessions: number;
  wipeRequestedAt: string | null;
  wipeReason: string | null;
  wipeDeliveredAt: string | null;
}

export interface DeskSession {
  id: string;
  stage: string;
  factor: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string;
  userAgent: string;
  deviceId: string | null;
}

export interface DeskAccount {
  person: DeskPerson;
  email: string;
  phone: string;
  lock: { locked: boolean; lockedUntil: string | null; failedAttempts: number; lockCount: number; threshold: number };
  lastFailedSignInAt: string | null;
  activatedAt: string | null;
  stoppedAt: string | null;
  passwordChangedAt: string | null;
  factors: { totp: boolean; passkeys: Array<{ id: string; label: string; createdAt: string; lastUsedAt: string | null }> };
  devices: DeskDevice[];
  sessions: DeskSession[];
  resetLinkExpiresAt: string | null;
  mayAct: boolean;
  mayActReason: string | null;
}

export interface DeskActionDone {
  userId: string;
  action: string;
  done: boolean;
  mailed: boolean;
  count: number | null;
}

export interface ResetLetter {
  userId: string;
  loginId: string;
  name: string;
  officeName: string | null;
  link: string;
  code: string;
  /** The link as a QR code: a standalone SVG `data:` URI. */
  qrImage: string;
  issuedAt: string;
  expiresAt: string;
  issuedBy: string;
  cityName: string;
  contactName: string;
  contactPhone: string;
}

export interface Clerk {
  id: string;
  loginId: string;
  name: string;
  nameKana: string;
  email: string;
  role: string;
  roleLabel: string;
  status: string;
  statusLabel: string;
  officeName: string | null;
  createdAt: string;
  activatedAt: string | null;
  stoppedAt: string | null;
  lastSignInAt: string | null;
}

export interface NewPersonIn {
  name: string;
  nameKana: string;
  email: string;
  jobType: string;
  phone?: string;
}

export interface AccessLogEntry {
  seq: number;
  at: string;
  action: string;
  actionLabel: string;
  /** read | write | admin */
  kind: string;
  outcome: string;
  targetType: string | null;
  count: number | null;
  actorId: string | null;
  actorLogin: string | null;
  actorName: string | null;
  actorJobTypeLabel: string | null;
  actorOfficeName: string | null;
  ip: string | null;
  deviceId: string | null;
  deviceLabel: string | null;
}

export interface AccessLog {
  room: RoomRef;
  entries: AccessLogEntry[];
  nextBefore: number | null;
}

const id = encodeURIComponent;
const user = (userId: string) => `/api/admin/users/${id(userId)}`;

/** The help-desk actions that answer `DeskActionDone`, by their path under the user. */
export type DeskAction = "unlock" | "reset-password" | "reset-factors" | "wipe-devices" | "end-sessions";

export const deskApi = {
  search: (filter: { q?: string; officeId?: string; locked?: string }) =>
    request<DeskPerson[]>("GET", `/api/admin/help-desk${query(filter)}`),
  account: (userId: string) => request<DeskAccount>("GET", `${user(userId)}/account`),
  act: (userId: string, action: DeskAction, note: string) =>
    request<DeskActionDone>("POST", `${user(userId)}/${action}`, { note }),
  wipeDevice: (userId: string, deviceId: string, note: string) =>
    request<DeskActionDone>("POST", `${user(userId)}/devices/${id(deviceId)}/wipe`, { note }),
  endSession: (userId: string, sessionId: string, note: string) =>
    request<DeskActionDone>("POST", `${user(userId)}/sessions/${id(sessionId)}/end`, { note }),
  resetLetter: (userId: string, note: string) => request<ResetLetter>("POST", `${user(userId)}/reset-letter`, { note }),

  clerks: () => request<Clerk[]>("GET", "/api/admin/clerks"),
  createClerk: (body: { name: string; nameKana?: string; email: string; phone?: string }) =>
    request<Clerk>("POST", "/api/admin/clerks", body),
  retireClerk: (userId: string, reason: string) => request<Clerk>("POST", `/api/admin/clerks/${id(userId)}/retire`, { reason }),

  office: (officeId: string) => request<Office>("GET", `/api/admin/offices/${id(officeId)}`),
  nameManager: (officeId: string, body: { userId: string } | { person: NewPersonIn }) =>
    request<Office>("POST", `/api/admin/offices/${id(officeId)}/system-managers`, body),
  unnameManager: (officeId: string, userId: string) =>
    request<Office>("DELETE", `/api/admin/offices/${id(officeId)}/system-managers/${id(userId)}`),

  accessLog: (roomId: string, filter: { since?: string; until?: string; before?: string }) =>
    request<AccessLog>("GET", `/api/admin/rooms/${id(roomId)}/access-log${query(filter)}`),
  /** The period as CSV, fetched with the app's headers (docs/api/requests.md) and saved from a blob. */
  accessLogCsv: (roomId: string, filter: { since?: string; until?: string }) =>
    request<Blob>("GET", `/api/admin/rooms/${id(roomId)}/access-log.csv${query(filter)}`, undefined, "blob"),
};
