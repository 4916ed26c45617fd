/**
 * The city's side of the API, typed. Every call goes through `request` from
 * `../api` (the only module that talks to the server), so the device header,
 * CSRF token and wipe handling apply here too. Paths follow the contract of
 * issue 4 and `server/admin/controllers.py`.
 */
import { request } from "../api";

import type {
  DirectoryEntryOut,
  EraDateIn,
  PatientIn as GeneratedPatientIn,
  UserRef as GeneratedUserRef,
} from "../generated/api";

/** The city's shapes, generated from the server's Structs (`make api-types`): names only. */
import type {
  ActivationOut as Activation,
  ApplicationOut as Application,
  ClosingRequestOut as ClosingRequest,
  ConsentIn,
  ConsentOut as Consent,
  CountOut as Count,
  EraDateOut,
  FormOut as PrintForm,
  HelpContactOut as HelpContact,
  HelpLinkOut as HelpLink,
  HelpOut as HelpPage,
  HistoryOut as HistoryEntry,
  InvitationOut as Invitation,
  InvitationPublicOut as InvitationPublic,
  JobTypeOut as JobTypeOption,
  LedgerOut as Ledger,
  LedgerRow,
  MemberIn,
  MemberOut as Member,
  MissingOut as Missing,
  OfficeOut as Office,
  OfficePledgeOut as OfficePledge,
  OfficeRef,
  OfficeRoomMemberOut as OfficeRoomMember,
  PatientOut as Patient,
  ReportTitleOut as ReportTitle,
  RoomCandidateOut as RoomCandidate,
  RoomOut as Room,
  RoomRef,
  RoomSummaryOut as RoomSummary,
  ScheduledStopOut as ScheduledStop,
  SystemManagerOut as SystemManager,
  UserDetailOut as UserDetail,
  UserRef,
} from "../generated/api";

export type {
  Activation,
  Application,
  ClosingRequest,
  ConsentIn,
  Consent,
  Count,
  EraDateOut,
  PrintForm,
  HelpContact,
  HelpLink,
  HelpPage,
  HistoryEntry,
  Invitation,
  InvitationPublic,
  JobTypeOption,
  Ledger,
  LedgerRow,
  MemberIn,
  Member,
  Missing,
  Office,
  OfficePledge,
  OfficeRef,
  OfficeRoomMember,
  Patient,
  ReportTitle,
  RoomCandidate,
  Room,
  RoomRef,
  RoomSummary,
  ScheduledStop,
  SystemManager,
  UserDetail,
  UserRef,
};

/**
 * Someone an office may propose for a room (様式6): name, job type and office. The city's
 * own lists give a `UserRef` (with the login ID); the office's directory never has it.
 */
export type Candidate = DirectoryEntryOut | GeneratedUserRef;

/** A date of birth as the server takes it: ISO `yyyy-mm-dd` or a Japanese-era date. */
export type BirthDateIn = string | EraDateIn;
export type PatientIn = GeneratedPatientIn;

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
  /** The ledger as CSV, fetched with the app's headers (a link would be refused). */
  ledgerCsv: (filter: Record<string, string | undefined>) =>
    request<Blob>("GET", `/api/admin/ledger.csv${query(filter)}`, undefined, "blob"),
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
      pledgeItems: page.pledgeItems,
      links: page.links,
      devices: page.devices,
      signInNote: page.signInNote,
      terms: page.terms,
    }),
  /** A printable form, filled from `sourceId` or blank (`"blank"`), for the city or an office. */
  form: (form: string, sourceId: string, scope: "city" | "office" = "city") =>
    request<PrintForm>("GET", `/api/${scope === "city" ? "admin" : "office"}/forms/${id(form)}/${sourceId === "blank" ? "blank" : id(sourceId)}`),

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
