/**
 * The delta-sync contract (DESIGN.md "Delta sync"), under the names the PWA uses.
 * Every shape is the server's, generated from its OpenAPI document into
 * `../generated/api.ts` (`make api-types`): nothing here is written by hand but
 * the names, so a change on the server that the PWA does not follow fails `tsc`.
 */
import type {
  AddresseeDone,
  AddresseeDoneMutation,
  AttachmentOut,
  AttentionClear,
  AttentionClearMutation,
  CommentCreate,
  CommentCreateMutation,
  CommentDelete,
  CommentDeleteMutation,
  MedicationDelete,
  MedicationDeleteMutation,
  MedicationSet,
  MedicationSetMutation,
  MutationResultOut,
  PostCreate,
  PostCreateMutation,
  PostDelete,
  PostDeleteMutation,
  PostEdit,
  PostEditMutation,
  PostMarkUnread,
  PostMarkUnreadMutation,
  PullIn,
  PullOut,
  PushIn,
  PushOut,
  ReceiptMark,
  ReceiptMarkMutation,
  RoomChanges as GeneratedRoomChanges,
  ThresholdSet,
  ThresholdSetMutation,
  Vitals as GeneratedVitals,
} from "../generated/api";

export type {
  AddresseeData,
  MedicationData,
  MedicationDelete,
  MedicationSet,
  DocumentOut as DocumentInfo,
  DocumentRef,
  AddresseeDone,
  AttentionClear,
  PersonalData,
  PostMarkUnread,
  ThresholdData,
  ThresholdSet,
  CommentCreate,
  CommentData,
  CommentDelete,
  PostCreate,
  PostDelete,
  PostEdit,
  ReceiptMark,
  MemberData,
  PatientData,
  PostData,
  ReaderOut as ReaderInfo,
  ReadersOut as Readers,
  ReceiptData,
  ReportTitleData,
  RoomData,
} from "../generated/api";

export type PullRequest = PullIn;
export type PullResponse = PullOut;
export type PushRequest = PushIn;
export type PushResponse = PushOut;
export type RoomChanges = GeneratedRoomChanges;
export type AttachmentInfo = AttachmentOut;

/** One change of a pull: a union tagged by `type` (the entity), `data` null for a `del`. */
export type Change = GeneratedRoomChanges["changes"][number];
export type EntityType = Change["type"];

/** One queued mutation: a union tagged by `name`, each with its own arguments. */
export type Mutation =
  | PostCreateMutation
  | PostEditMutation
  | PostDeleteMutation
  | CommentCreateMutation
  | CommentDeleteMutation
  | ReceiptMarkMutation
  | ThresholdSetMutation
  | AddresseeDoneMutation
  | AttentionClearMutation
  | PostMarkUnreadMutation
  | MedicationSetMutation
  | MedicationDeleteMutation;
export type MutationName = Mutation["name"];

/** The arguments of each mutation name. */
export interface MutationArgs {
  "post.create": PostCreate;
  "post.edit": PostEdit;
  "post.delete": PostDelete;
  "comment.create": CommentCreate;
  "comment.delete": CommentDelete;
  "receipt.mark": ReceiptMark;
  "threshold.set": ThresholdSet;
  "addressee.done": AddresseeDone;
  "attention.clear": AttentionClear;
  "post.markUnread": PostMarkUnread;
  "medication.set": MedicationSet;
  "medication.delete": MedicationDelete;
}

export type MutationResult = MutationResultOut;

/** Vitals as posted and stored: only the keys that were given. */
export type Vitals = { [K in keyof GeneratedVitals]?: number };
export type VitalsKey = keyof GeneratedVitals;

/** The vitals keys in screen order: `satisfies` keeps the list to the server's keys, and
 * `VitalsKeysComplete` fails to compile when the server adds one that is not listed. */
export const VITALS_KEYS = [
  "systolic",
  "diastolic",
  "pulse",
  "temperature",
  "spo2",
  "respirationRate",
  "weight",
  "bloodGlucose",
] as const satisfies readonly VitalsKey[];

type Never<T extends never> = T;
export type VitalsKeysComplete = Never<Exclude<VitalsKey, (typeof VITALS_KEYS)[number]>>;
