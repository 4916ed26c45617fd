/**
 * The city's side of the API, typed. Every call goes through `request` from
 * `../api` (the only module that talks to the server), so the device header,
 * CSRF token and wipe handling apply here too. Paths follow the contract of
 * issue 4 and `server/admin/controllers.py`.
 */
import { request } from "../api";

export interface OfficeRef {
  id: string;
  name: string;
  kind: string;
  kindLabel: string;
}

export interface UserRef {
  id: string;
  loginId: string;
  name: string;
  nameKana: string;
  jobType: string;
  jobTypeLabel: string;
  role: string;
  status: string;
  officeId: string | null;
  officeName: string | null;
  officeKind: string | null;
}

export interface HistoryEntry {
  at: string;
  action: string;
  actorId: string | null;
  actorName: string | null;
  note: string | null;
}

export interface RoomRef {
  id: string;
  label: string | null;
  status: string;
  patientName: string;
  patientNameKana: string;
}

/** An ID stop waiting for its 停止希望日 (`scheduled`), carried out (`done`) or `cancelled`. */
export interface ScheduledStop {
  id: string;
  user: UserRef;
  stopOn: string;
  dueAt: string;
  reason: string;
  state: "scheduled" | "done" | "cancelled";
  applicationId: string | null;
  office: OfficeRef | null;
  scheduledBy: string | null;
  noticeSentAt: string | null;
  doneAt: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
  createdAt: string;
}

/** The office's latest 様式4-1 on record. */
export interface OfficePledge {
  signerName: string;
  version: string;
  acceptedAt: string;
}

/** A room whose patient matches a room-join request that named the patient. */
export interface RoomCandidate {
  room: RoomRef;
  birthDate: string;
  birthDateEra: EraDateOut;
  insuredNumber: string;
  /** insuredNumber | nameAndBirthDate | kanaAndBirthDate */
  matched: string[];
  memberCount: number;
  offices: string[];
}

/** A member of a room as an office admin sees it (no login ID, no contact data). */
export interface OfficeRoomMember {
  userId: string;
  name: string;
  jobTypeLabel: string;
  officeName: string | null;
  permission: string;
  ownOffice: boolean;
}

export interface Application {
  id: string;
  kind: string;
  kindLabel: string;
  forms: string[];
  state: string;
  office: OfficeRef | null;
  applicant: UserRef | null;
  invitationId: string | null;
  subjectUser: UserRef | null;
  room: RoomRef | null;
  payload: Record<string, unknown>;
  users: UserRef[];
  reason: string | null;
  reviewer: UserRef | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
  ageDays: number;
  history: HistoryEntry[];
  scheduledStop?: ScheduledStop | null;
  officePledge?: OfficePledge | null;
}

export interface Invitation {
  id: string;
  name: string;
  email: string;
  office: OfficeRef;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** pending | used | expired | revoked */
  state: string;
  applicationId: string | null;
  revokedAt?: string | null;
  revokedBy?: string | null;
}

export interface JobTypeOption {
  code: string;
  label: string;
}

export interface InvitationPublic {
  name: string;
  email: string;
  office: OfficeRef;
  expiresAt: string;
  offices: OfficeRef[];
  jobTypes: JobTypeOption[];
  pledge: { form: string; version: string; text: string };
}

export interface LedgerRow {
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
  email: string;
  phone: string;
  createdAt: string;
  activatedAt: string | null;
  stoppedAt: string | null;
  pledgedAt: string | null;
  roomCount: number;
  stopScheduledOn?: string | null;
}

export interface Count {
  key: string | null;
  label: string;
  count: number;
}

export interface Ledger {
  total: number;
  users: LedgerRow[];
  countsByOffice: Count[];
  countsByJobType: Count[];
}

export interface UserDetail {
  user: LedgerRow;
  history: HistoryEntry[];
  rooms: RoomRef[];
}

export interface Office {
  id: string;
  name: string;
  nameKana: string;
  kind: string;
  kindLabel: string;
  postalCode: string;
  address: string;
  phone: string;
  fax: string;
  representative: string | null;
  pledgedAt: string | null;
  pledgeVersion: string | null;
  activeUsers: number;
  createdAt: string;
  /** The office's システム管理担当者 (not stopped). */
  systemManagers: SystemManager[];
}

export interface SystemManager {
  id: string;
  loginId: string;
  name: string;
  jobTypeLabel: string;
  status: string;
  email: string;
}

/**
 * Someone an office may propose for a room (様式6): name, job type and office. The city's
 * own lists add the login ID; the office's directory never has it.
 */
export interface Candidate {
  id: string;
  name: string;
  nameKana: string;
  jobType: string;
  jobTypeLabel: string;
  officeId: string | null;
  officeName: string | null;
  officeKind: string | null;
  loginId?: string;
}

export interface EraDateOut {
  era: string;
  eraLabel: string;
  year: number;
  month: number;
  day: number;
  text: string;
}

export interface Patient {
  id: string;
  name: string;
  nameKana: string;
  sex: string;
  birthDate: string;
  birthDateEra: EraDateOut;
  postalCode: string;
  address: string;
  phone: string;
  careLevel: string;
  careLevelLabel: string;
  insuredNumber: string;
}

export interface Consent {
  id: string;
  date: string;
  signedBy: string;
  proxyName: string | null;
  proxyRelationship: string | null;
  explainedBy: string;
  scanAttachmentId: string | null;
  recordedAt: string;
}

export interface Member {
  id: string;
  user: UserRef;
  permission: string;
  joinedAt: string;
  leftAt: string | null;
  leftReason: string | null;
}

export interface ReportTitle {
  id: string;
  name: string;
  position: number;
  vitals: boolean;
  active: boolean;
  description: string;
}

export interface Missing {
  code: string;
  ja: string;
  en: string;
}

export interface RoomSummary {
  id: string;
  label: string | null;
  status: string;
  patientName: string;
  patientNameKana: string;
  memberCount: number;
  openedAt: string | null;
  closedAt: string | null;
  closingRequested: boolean;
}

export interface Room {
  id: string;
  label: string | null;
  status: string;
  version: number;
  openedAt: string | null;
  closedAt: string | null;
  closedReason: string | null;
  patient: Patient;
  consent: Consent | null;
  members: Member[];
  formerMembers: Member[];
  reportTitles: ReportTitle[];
  missing: Missing[];
  applicationId: string | null;
}

export interface ClosingRequest {
  postId: string;
  room: RoomRef;
  requester: UserRef;
  reason: string | null;
  reasonLabel: string;
  note: string;
  requestedAt: string;
}

export interface HelpContact {
  title: string;
  name: string;
  postalCode: string;
  address: string;
  phone: string;
  email: string;
  hours: string;
  note: string;
}

export interface HelpPage {
  cityName: string;
  contacts: HelpContact[];
  rules: string;
  pledge: { version: string; form41: string; form42: string };
  updatedAt?: string | null;
}

export interface PrintForm {
  form: string;
  title: string;
  subtitle: string;
  addressee: string | null;
  date: string;
  dateEra: EraDateOut;
  text: string;
  fields: Record<string, unknown>;
  source: Record<string, string>;
}

export interface Activation {
  purpose: string;
  loginId: string;
  name: string;
}

/** A date of birth as the server takes it: ISO `yyyy-mm-dd` or a Japanese-era date. */
export type BirthDateIn = string | { era: string; year: number; month: number; day: number };

export interface PatientIn {
  name: string;
  nameKana: string;
  sex: string;
  birthDate: BirthDateIn;
  address: string;
  careLevel: string;
  postalCode?: string;
  phone?: string;
  insuredNumber?: string;
}

export interface ConsentIn {
  date: string;
  signedBy: "patient" | "proxy";
  explainedBy: string;
  proxyName?: string;
  proxyRelationship?: string;
}

export interface MemberIn {
  userId: string;
  permission: "read" | "write";
}

/** `?a=1&b=2` from the filled-in entries only. */
export function query(params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

const id = encodeURIComponent;

export const adminApi = {
  // the municipal admin
  inbox: (state?: string, kind?: string) =>
    request<Application[]>("GET", `/api/admin/applications${query({ state, kind })}`),
  application: (appId: string) => request<Application>("GET", `/api/admin/applications/${id(appId)}`),
  approve: (appId: string, note = "", roomId?: string) =>
    request<Application>("POST", `/api/admin/applications/${id(appId)}/approve`, roomId ? { note, roomId } : { note }),
  roomCandidates: (appId: string) =>
    request<RoomCandidate[]>("GET", `/api/admin/applications/${id(appId)}/room-candidates`),
  scheduledStops: (state?: string) =>
    request<ScheduledStop[]>("GET", `/api/admin/scheduled-stops${query({ state })}`),
  cancelStop: (stopId: string, reason = "") =>
    request<ScheduledStop>("POST", `/api/admin/scheduled-stops/${id(stopId)}/cancel`, { reason }),
  reject: (appId: string, reason: string) =>
    request<Application>("POST", `/api/admin/applications/${id(appId)}/reject`, { reason }),
  invitations: () => request<Invitation[]>("GET", "/api/admin/invitations"),
  invite: (name: string, email: string, officeId: string) =>
    request<Invitation>("POST", "/api/admin/invitations", { name, email, officeId }),
  revokeInvitation: (invitationId: string) =>
    request<Invitation>("POST", `/api/admin/invitations/${id(invitationId)}/revoke`),
  ledger: (filter: Record<string, string | undefined>) => request<Ledger>("GET", `/api/admin/ledger${query(filter)}`),
  user: (userId: string) => request<UserDetail>("GET", `/api/admin/users/${id(userId)}`),
  stopUser: (userId: string, reason: string, date?: string) =>
    request<UserDetail>("POST", `/api/admin/users/${id(userId)}/stop`, date ? { reason, date } : { reason }),
  offices: () => request<Office[]>("GET", "/api/admin/offices"),
  addOffice: (office: Record<string, unknown>) => request<Office>("POST", "/api/admin/offices", office),
  rooms: (status?: string, q?: string) => request<RoomSummary[]>("GET", `/api/admin/rooms${query({ status, q })}`),
  room: (roomId: string) => request<Room>("GET", `/api/admin/rooms/${id(roomId)}`),
  createRoom: (body: Record<string, unknown>) => request<Room>("POST", "/api/admin/rooms", body),
  addMember: (roomId: string, userId: string, permission: string) =>
    request<Room>("POST", `/api/admin/rooms/${id(roomId)}/members`, { userId, permission }),
  setPermission: (roomId: string, userId: string, permission: string) =>
    request<Room>("PATCH", `/api/admin/rooms/${id(roomId)}/members/${id(userId)}`, { permission }),
  removeMember: (roomId: string, userId: string) =>
    request<Room>("DELETE", `/api/admin/rooms/${id(roomId)}/members/${id(userId)}`),
  setTitles: (roomId: string, titles: Array<string | { name: string; id?: string; vitals?: boolean }>) =>
    request<Room>("PUT", `/api/admin/rooms/${id(roomId)}/report-titles`, { titles }),
  setLabel: (roomId: string, label: string | null) =>
    request<Room>("PUT", `/api/admin/rooms/${id(roomId)}/label`, { label }),
  closeRoom: (roomId: string, body: { reason?: string; closingRequestId?: string; note?: string }) =>
    request<Room>("POST", `/api/admin/rooms/${id(roomId)}/close`, body),
  closingRequests: () => request<ClosingRequest[]>("GET", "/api/admin/closing-requests"),
  adminHelp: () => request<HelpPage>("GET", "/api/admin/help"),
  saveHelp: (page: HelpPage) =>
    request<HelpPage>("PUT", "/api/admin/help", {
      cityName: page.cityName,
      contacts: page.contacts,
      rules: page.rules,
      pledge: page.pledge,
    }),
  form: (form: string, sourceId: string) =>
    request<PrintForm>("GET", `/api/admin/forms/${id(form)}/${id(sourceId)}`),

  // everyone signed in
  help: () => request<HelpPage>("GET", "/api/help"),

  // the office admin
  myApplications: (state?: string) => request<Application[]>("GET", `/api/applications${query({ state })}`),
  submit: (kind: string, payload: Record<string, unknown>) =>
    request<Application>("POST", "/api/applications", { kind, payload }),
  withdraw: (appId: string, note = "") =>
    request<Application>("POST", `/api/applications/${id(appId)}/withdraw`, { note }),
  staff: (filter: Record<string, string | undefined> = {}) =>
    request<Ledger>("GET", `/api/office/staff${query(filter)}`),
  directory: (q?: string) => request<Candidate[]>("GET", `/api/office/directory${query({ q })}`),
  officeRooms: () => request<RoomRef[]>("GET", "/api/office/rooms"),
  officeRoomMembers: (roomId: string) =>
    request<OfficeRoomMember[]>("GET", `/api/office/rooms/${id(roomId)}/members`),

  // public links
  invitation: (token: string) => request<InvitationPublic>("GET", `/api/invitations/${id(token)}`),
  apply: (token: string, body: Record<string, unknown>) =>
    request<{ applicationId: string; state: string }>("POST", `/api/invitations/${id(token)}/apply`, body),
  activation: (token: string) => request<Activation>("GET", `/api/activation/${id(token)}`),
  activate: (token: string, password: string) =>
    request<Activation>("POST", `/api/activation/${id(token)}`, { password }),
};
