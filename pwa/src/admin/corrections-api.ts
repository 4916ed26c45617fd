/**
 * The correction routes of the city's side (issue 12, items 3, 7, 9): a person's and an
 * office's corrections and history, transfers, a patient's details, consent scans and
 * withdrawal, reopening a closed room and the duplicate-patient check. Paths follow
 * `server/admin/correction_controllers.py`.
 */
import { request } from "../api";
import type { LedgerRow, Office, OfficeRef, Room, RoomRef, UserRef } from "./api";
import { query } from "./api";

export interface ChangeEntry {
  at: string;
  entityType: string;
  field: string;
  before: string | null;
  after: string | null;
  actorId: string | null;
  actorName: string;
  actorRole: string;
  note: string | null;
}

export interface OfficeStay {
  office: OfficeRef;
  startedAt: string;
  endedAt: string | null;
  endedReason: string | null;
}

export interface UserHistory {
  user: LedgerRow;
  changes: ChangeEntry[];
  officeStays: OfficeStay[];
}

export interface TransferResult {
  user: LedgerRow;
  stayed: RoomRef[];
  left: RoomRef[];
  officeStays: OfficeStay[];
}

export interface OfficeDetail {
  office: Office;
  staff: UserRef[];
  formerStaff: UserRef[];
  changes: ChangeEntry[];
}

export interface OfficeClosed {
  office: Office;
  stopped: UserRef[];
  transferred: UserRef[];
}

export interface Duplicate {
  patientId: string;
  name: string;
  nameKana: string;
  birthDate: string;
  insuredNumber: string;
  matchedOn: string[];
  room: RoomRef | null;
}

export interface PledgeOnPaper {
  version: string;
  acceptedOn: string;
}

export type UserCorrection = Partial<{
  name: string;
  nameKana: string;
  email: string;
  jobType: string;
  visitsHomes: boolean;
  note: string;
}>;

export type OfficeCorrection = Partial<Record<"name" | "nameKana" | "kind" | "postalCode" | "address" | "phone" | "fax" | "note", string>>;

export const PATIENT_FIELDS = [
  "careLevel",
  "insuredNumber",
  "postalCode",
  "address",
  "phone",
  "attendingPhysician",
  "emergencyContactName",
  "emergencyContactRelationship",
  "emergencyContactPhone",
] as const;
export type PatientField = (typeof PATIENT_FIELDS)[number];
export type PatientCorrection = Partial<Record<PatientField | "note", string>>;

const id = encodeURIComponent;

export const correctionApi = {
  userHistory: (userId: string) => request<UserHistory>("GET", `/api/admin/users/${id(userId)}/history`),
  correctUser: (userId: string, body: UserCorrection) =>
    request<UserHistory>("PATCH", `/api/admin/users/${id(userId)}`, body),
  transfer: (
    userId: string,
    body: { officeId: string; rooms: Array<{ roomId: string; stay: boolean }>; pledge: PledgeOnPaper; visitsHomes?: boolean; note?: string },
  ) => request<TransferResult>("POST", `/api/admin/users/${id(userId)}/transfer`, body),
  office: (officeId: string) => request<OfficeDetail>("GET", `/api/admin/offices/${id(officeId)}/history`),
  correctOffice: (officeId: string, body: OfficeCorrection) =>
    request<OfficeDetail>("PATCH", `/api/admin/offices/${id(officeId)}`, body),
  recordOfficePledge: (officeId: string, body: { representative: string; version: string; acceptedOn: string; note?: string }) =>
    request<OfficeDetail>("POST", `/api/admin/offices/${id(officeId)}/pledges`, body),
  closeOffice: (
    officeId: string,
    body: { reason: "closed" | "merged"; staff: "stop" | "transfer"; mergedIntoId?: string; stayInRooms?: boolean; pledge?: PledgeOnPaper; note?: string },
  ) => request<OfficeClosed>("POST", `/api/admin/offices/${id(officeId)}/close`, body),
  correctPatient: (roomId: string, body: PatientCorrection) =>
    request<Room>("PATCH", `/api/admin/rooms/${id(roomId)}/patient`, body),
  roomHistory: (roomId: string) => request<{ changes: ChangeEntry[] }>("GET", `/api/admin/rooms/${id(roomId)}/history`),
  withdrawConsent: (roomId: string, date: string, reason: string) =>
    request<Room>("POST", `/api/admin/rooms/${id(roomId)}/consent/withdraw`, { date, reason }),
  reopen: (roomId: string, body: { members?: Array<{ userId: string; permission: string }>; consent?: Record<string, unknown>; note?: string }) =>
    request<Room>("POST", `/api/admin/rooms/${id(roomId)}/reopen`, body),
  uploadConsentScan: (roomId: string, file: Blob, name: string) => {
    const form = new FormData();
    form.append("file", file, name);
    return request<Room>("POST", `/api/admin/rooms/${id(roomId)}/consent/scan`, form);
  },
  consentScan: (roomId: string) => request<Blob>("GET", `/api/admin/rooms/${id(roomId)}/consent/scan`, undefined, "blob"),
  duplicates: (params: { name?: string; birthDate?: string; insuredNumber?: string }) =>
    request<Duplicate[]>("GET", `/api/admin/patients/duplicates${query(params)}`),
};
