/**
 * The correction routes of the city's side (issue 12, items 3, 7, 9): a person's and an
 * office's corrections and history, transfers, a patient's details, consent scans and
 * withdrawal, reopening a closed room and the duplicate-patient check. Paths follow
 * `server/admin/correction_controllers.py`.
 */
import { request } from "../api";
import type {
  ChangeOut as ChangeEntry,
  DuplicateOut as Duplicate,
  OfficeClosedOut as OfficeClosed,
  OfficeCloseIn,
  OfficeCorrectionIn as OfficeCorrection,
  OfficeDetailOut as OfficeDetail,
  OfficePledgeRecordIn,
  OfficeStayOut as OfficeStay,
  PatientCorrectionIn,
  RoomHistoryOut,
  RoomReopenIn,
  TransferIn,
  TransferOut as TransferResult,
  UserCorrectionIn as UserCorrection,
  UserHistoryOut as UserHistory,
} from "../generated/api";
import type { Room } from "./api";
import { query } from "./api";

/** The correction shapes, generated from the server's Structs (`make api-types`): names only. */
export type { ChangeEntry, Duplicate, OfficeClosed, OfficeCorrection, OfficeDetail, OfficeStay, TransferResult, UserCorrection, UserHistory };

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
export type PatientCorrection = PatientCorrectionIn;

const id = encodeURIComponent;

export const correctionApi = {
  userHistory: (userId: string) => request<UserHistory>("GET", `/api/admin/users/${id(userId)}/history`),
  correctUser: (userId: string, body: UserCorrection) =>
    request<UserHistory>("PATCH", `/api/admin/users/${id(userId)}`, body),
  transfer: (userId: string, body: TransferIn) => request<TransferResult>("POST", `/api/admin/users/${id(userId)}/transfer`, body),
  office: (officeId: string) => request<OfficeDetail>("GET", `/api/admin/offices/${id(officeId)}/history`),
  correctOffice: (officeId: string, body: OfficeCorrection) =>
    request<OfficeDetail>("PATCH", `/api/admin/offices/${id(officeId)}`, body),
  recordOfficePledge: (officeId: string, body: OfficePledgeRecordIn) =>
    request<OfficeDetail>("POST", `/api/admin/offices/${id(officeId)}/pledges`, body),
  closeOffice: (officeId: string, body: OfficeCloseIn) => request<OfficeClosed>("POST", `/api/admin/offices/${id(officeId)}/close`, body),
  correctPatient: (roomId: string, body: PatientCorrection) =>
    request<Room>("PATCH", `/api/admin/rooms/${id(roomId)}/patient`, body),
  roomHistory: (roomId: string) => request<RoomHistoryOut>("GET", `/api/admin/rooms/${id(roomId)}/history`),
  withdrawConsent: (roomId: string, date: string, reason: string) =>
    request<Room>("POST", `/api/admin/rooms/${id(roomId)}/consent/withdraw`, { date, reason }),
  reopen: (roomId: string, body: RoomReopenIn) =>
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
