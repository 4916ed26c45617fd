/**
 * Whole wire shapes for tests, as the server sends them (every field present): a test
 * names only what it is about and the rest is filled in, so a fixture cannot drift
 * from the generated types. Imported by `*.test.ts` only; never part of the app bundle.
 */
import type { Change, MemberData, PatientData, PostData, PullResponse, ReportTitleData, RoomData } from "./wire";

const AT = "2026-11-20T00:00:00Z";

export function roomData(id: string, extra: Partial<RoomData> = {}): RoomData {
  return { id, patientId: `pa-${id}`, status: "open", label: null, openedAt: AT, closedAt: null, closedReason: null, closedNote: null, ...extra };
}

export function patientData(id: string, extra: Partial<PatientData> = {}): PatientData {
  return {
    id,
    name: "青木 ハナ",
    nameKana: "アオキ ハナ",
    sex: "female",
    birthDate: "1930-04-12",
    postalCode: "",
    address: "みどり市1-2-3",
    phone: "",
    careLevel: "care_4",
    insuredNumber: "",
    attendingPhysician: "",
    emergencyContactName: "",
    emergencyContactRelationship: "",
    emergencyContactPhone: "",
    ...extra,
  };
}

export function memberData(id: string, roomId: string, userId: string, extra: Partial<MemberData> = {}): MemberData {
  return {
    id,
    roomId,
    userId,
    name: "鈴木 真理子",
    nameKana: "スズキ マリコ",
    jobType: "nurse",
    officeId: null,
    officeName: null,
    officePhone: null,
    permission: "write",
    joinedAt: AT,
    leftAt: null,
    ...extra,
  };
}

export function reportTitleData(id: string, roomId: string, extra: Partial<ReportTitleData> = {}): ReportTitleData {
  return { id, roomId, name: "連絡事項", position: 0, vitals: false, active: true, description: "", ...extra };
}

export function postData(id: string, roomId: string, version: number, extra: Partial<PostData> = {}): PostData {
  return {
    id,
    roomId,
    authorId: "u2",
    reportTitleId: "t1",
    kind: "normal",
    closingReason: null,
    body: `body ${id}`,
    urgent: false,
    vitals: null,
    attachmentIds: [],
    createdAt: AT,
    editedAt: null,
    version,
    vitalsFlags: null,
    addresseeIds: [],
    asksAnswer: false,
    documents: [],
    imported: false,
    ...extra,
  };
}

/** A tombstone of any entity type. */
export function deleted(type: Change["type"], id: string, version: number): Change {
  return { type, op: "del", id, version, data: null } as Change;
}

/** One pull answer; rooms default to "nothing more". */
export function pullAnswer(rooms: Record<string, Change[]>, extra: Partial<PullResponse> = {}): PullResponse {
  return {
    cursor: "c1",
    rooms: Object.fromEntries(Object.entries(rooms).map(([room, changes]) => [room, { changes, hasMore: false }])),
    revokedRooms: [],
    resetRooms: [],
    lastMutationIds: {},
    wipe: false,
    ...extra,
  };
}
