/** Wire types of the server's JSON answers (camelCase), as the contract states them. */

export type AuthNext = "totp" | "webauthn" | "choose" | "changePassword" | "enroll" | "done";

export interface AuthStep {
  next: AuthNext;
  csrfToken?: string;
}

export interface MeUser {
  id: string;
  loginId: string;
  name: string;
  nameKana: string;
  jobType: string;
  jobTypeLabel: string;
  role: string;
  officeName: string;
}

export interface PasskeyInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Me {
  user: MeUser;
  factors: { totp: boolean; passkeys: PasskeyInfo[] };
  device: Record<string, unknown> | null;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  deviceId: string | null;
}

export interface DeviceInfo {
  id: string;
  label: string | null;
  current: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  wipeRequested: boolean;
}

export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** The server's error body: `{error, message, ...}`; `message` may be one string or one per language. */
export interface ErrorBody {
  error: string;
  message?: string | { ja?: string; en?: string };
  reasons?: unknown[];
  wipe?: boolean;
  [key: string]: unknown;
}
