/**
 * The delta-sync contract (DESIGN.md "Delta sync"), as TypeScript types.
 * Entity `data` shapes follow the server's camelCase JSON; fields the
 * contract does not pin down are optional and read defensively.
 */

export type EntityType = "room" | "patient" | "member" | "reportTitle" | "post" | "comment" | "receipt";

export interface Change {
  type: EntityType;
  op: "put" | "del";
  id: string;
  version: number;
  data?: Record<string, unknown> | null;
}

export interface RoomChanges {
  changes: Change[];
  hasMore: boolean;
}

export interface PullRequest {
  cursor: string | null;
  limit: number;
}

export interface PullResponse {
  cursor: string;
  rooms: Record<string, RoomChanges>;
  revokedRooms: string[];
  resetRooms: string[];
  lastMutationIds?: Record<string, number> | null;
  wipe?: boolean;
}

export type MutationName = "post.create" | "post.edit" | "post.delete" | "comment.create" | "comment.delete" | "receipt.mark";

export interface Mutation {
  id: number;
  name: MutationName;
  args: Record<string, unknown>;
}

export interface PushRequest {
  clientId: string;
  mutations: Mutation[];
}

export interface MutationResult {
  id: number;
  status: "ok" | "conflict" | "rejected";
  reason?: string | { ja?: string; en?: string } | null;
  serverState?: Record<string, unknown> | null;
}

export interface PushResponse {
  results: MutationResult[];
}

export const VITALS_KEYS = [
  "systolic",
  "diastolic",
  "pulse",
  "temperature",
  "spo2",
  "respirationRate",
  "weight",
  "bloodGlucose",
] as const;
export type VitalsKey = (typeof VITALS_KEYS)[number];
export type Vitals = Partial<Record<VitalsKey, number>>;

export interface RoomData {
  id: string;
  patientId?: string;
  status?: "open" | "closed";
  label?: string | null;
  openedAt?: string | null;
  closedAt?: string | null;
  permission?: "read" | "write";
}

export interface PatientData {
  id: string;
  roomId?: string;
  name: string;
  nameKana?: string;
  sex?: string;
  birthDate?: string | null;
  careLevel?: string;
  postalCode?: string;
  address?: string;
  phone?: string;
}

export interface MemberData {
  id: string;
  roomId?: string;
  userId: string;
  permission?: "read" | "write";
  name?: string;
  nameKana?: string;
  jobType?: string;
  jobTypeLabel?: string;
  officeName?: string | null;
  officePhone?: string | null;
  /** Some servers nest the user: `{user: {name, jobType, officeName, officePhone}}`. */
  user?: { id?: string; name?: string; nameKana?: string; jobType?: string; jobTypeLabel?: string; officeName?: string | null; officePhone?: string | null };
}

export interface ReportTitleData {
  id: string;
  roomId?: string;
  name: string;
  position?: number;
  vitals?: boolean;
  active?: boolean;
  description?: string;
}

export interface PostData {
  id: string;
  roomId: string;
  authorId: string;
  reportTitleId: string | null;
  kind: "normal" | "closingRequest";
  closingReason?: string | null;
  body: string;
  urgent: boolean;
  vitals: Vitals | null;
  attachmentIds: string[];
  createdAt: string;
  editedAt: string | null;
  /** Added by the client: the room version the post was stored at. */
  version?: number;
}

export interface CommentData {
  id: string;
  postId: string;
  roomId?: string;
  authorId: string;
  body: string;
  createdAt: string;
  version?: number;
}

export interface ReceiptData {
  roomId?: string;
  userId: string;
  upToVersion: number;
}

export interface AttachmentInfo {
  id: string;
  contentType: string;
  size: number;
  width: number;
  height: number;
}

export interface Readers {
  read: ReaderInfo[];
  unread: ReaderInfo[];
}

export interface ReaderInfo {
  userId?: string;
  id?: string;
  name: string;
  jobType?: string;
  jobTypeLabel?: string;
  officeName?: string | null;
  readAt?: string | null;
}
