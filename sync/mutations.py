"""The mutations a client may push, each with its bounded arguments, and the reasons a
mutation can be refused.

Args arrive as already-decoded JSON inside a push whose envelope the server
checked; a bad argument is not a bad request but a `rejected` mutation with a
reason, so one mistaken offline write never blocks the ones queued after it.

`Mutation` (a union tagged by `name`) is what the OpenAPI document says `POST
/api/sync/push` accepts, and what the PWA's outbox types are generated from. An outbox
can wait offline for days and is sent by whatever PWA version wrote it, so the rule
for changing a mutation is: add optional fields only (with a default that means what
the server did before), or add a new mutation name and keep accepting the old one.
Never rename, remove, narrow or make required a field of a name that has shipped.
`tests/sync/test_old_outbox.py` replays an outbox written by an earlier PWA.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

if TYPE_CHECKING:
    from .wire import PostData

MAX_BODY = 10_000
MAX_ATTACHMENTS = 10
MAX_ADDRESSEES = 20
ACCEPTED_UUID_VERSIONS = (4, 7)

Body = Annotated[str, Meta(min_length=1, max_length=MAX_BODY)]
ClosingReason = Literal["death", "facilityAdmission", "endOfService", "other"]
PostKindName = Literal["normal", "closingRequest"]
VitalSign = Literal["systolic", "diastolic", "pulse", "temperature", "spo2", "respirationRate",
                    "weight", "bloodGlucose"]
Addressees = Annotated[
    list[uuid.UUID],
    Meta(max_length=MAX_ADDRESSEES,
         description="宛先: members of the room this is addressed to (user ids)."),
]


class Args(Struct, rename="camel", forbid_unknown_fields=True):
    pass


class Vitals(Args, omit_defaults=True):
    """Fixed keys and units; bounds are physiological, to catch typos, not to diagnose."""

    systolic: Annotated[int, Meta(ge=40, le=300)] | None = None  # mmHg
    diastolic: Annotated[int, Meta(ge=20, le=200)] | None = None  # mmHg
    pulse: Annotated[int, Meta(ge=20, le=250)] | None = None  # /min
    temperature: Annotated[float, Meta(ge=30.0, le=45.0)] | None = None  # °C
    spo2: Annotated[int, Meta(ge=50, le=100)] | None = None  # %
    respiration_rate: Annotated[int, Meta(ge=4, le=80)] | None = None  # /min
    weight: Annotated[float, Meta(ge=1.0, le=300.0)] | None = None  # kg
    blood_glucose: Annotated[int, Meta(ge=10, le=1000)] | None = None  # mg/dL

    def stored(self) -> dict[str, Any] | None:
        """The keys given, camelCase, as stored on the post; None when none was given."""
        values = {k: v for k, v in msgspec.to_builtins(self).items() if v is not None}
        return values or None


class PostCreate(Args):
    id: uuid.UUID
    room_id: uuid.UUID
    report_title_id: uuid.UUID
    body: Annotated[
        str,
        Meta(max_length=MAX_BODY,
             description="May be empty when vitals are given: vitals alone are a record."),
    ] = ""
    urgent: bool = False
    vitals: Vitals | None = None
    attachment_ids: Annotated[list[uuid.UUID], Meta(max_length=MAX_ATTACHMENTS)] = []
    kind: PostKindName = "normal"
    closing_reason: ClosingReason | None = None
    addressee_ids: Addressees = []
    asks_answer: Annotated[
        bool, Meta(description="The addressees are asked for an answer (回答を求める).")
    ] = False
    flag_urgent: Annotated[
        bool,
        Meta(description="Out-of-range vitals make the post urgent; false when the author "
             "says they are not."),
    ] = True


class PostEdit(Args):
    id: uuid.UUID
    base_version: Annotated[int, Meta(ge=0)]
    body: Body | UnsetType = UNSET
    report_title_id: uuid.UUID | UnsetType = UNSET
    urgent: bool | UnsetType = UNSET
    vitals: Vitals | UnsetType | None = UNSET


class PostDelete(Args):
    id: uuid.UUID


class CommentCreate(Args):
    id: uuid.UUID
    post_id: uuid.UUID
    body: Body
    addressee_ids: Addressees = []
    asks_answer: bool = False


class CommentDelete(Args):
    id: uuid.UUID


class ReceiptMark(Args):
    room_id: uuid.UUID
    up_to_version: Annotated[int, Meta(ge=0, le=2**62)]


class ThresholdSet(Args):
    """The patient's normal range of one vital sign; neither bound: back to the default."""

    room_id: uuid.UUID
    sign: VitalSign
    low: Annotated[float, Meta(ge=0, le=1000)] | None = None
    high: Annotated[float, Meta(ge=0, le=1000)] | None = None


class AddresseeDone(Args):
    """An addressee marks a post or comment addressed to them dealt with (or not, again)."""

    id: uuid.UUID
    done: bool = True


class AttentionClear(Args):
    """Clears a room from my attention view up to a room version (mine only)."""

    room_id: uuid.UUID
    up_to_version: Annotated[int, Meta(ge=0, le=2**62)]


class PostMarkUnread(Args):
    """Marks a post unread again for me (or read again): my own flag, apart from receipts."""

    post_id: uuid.UUID
    unread: bool = True


MedicationKind = Literal["drug", "allergy"]
MedicationText = Annotated[str, Meta(max_length=200)]


class MedicationSet(Args):
    """A drug on the patient's list or an allergy, added (a new id) or changed (the same id).

    Also a post in the contact book (`postId`, made on the device like any post id), so the
    team sees the change where it reads; the server writes the post's text from the change.
    A drug that ends is given `stoppedOn`, not deleted: the list keeps its history.
    """

    id: uuid.UUID
    room_id: uuid.UUID
    post_id: uuid.UUID
    kind: MedicationKind
    name: Annotated[str, Meta(min_length=1, max_length=200,
                              description="薬剤名 (a drug) or the allergen (an allergy).")]
    dose: Annotated[str, Meta(max_length=200, description="用量, e.g. 5mg 1錠.")] = ""
    timing: Annotated[str, Meta(max_length=200, description="用法, e.g. 1日1回 朝食後.")] = ""
    reaction: Annotated[str, Meta(max_length=200, description="An allergy's 症状.")] = ""
    started_on: date | None = None
    stopped_on: date | None = None
    note: Annotated[str, Meta(max_length=1000)] = ""
    report_title_id: Annotated[
        uuid.UUID | None,
        Meta(description="The post's report title; none: the room's 服薬 title, else its first."),
    ] = None


class MedicationDelete(Args):
    """Removes a line entered by mistake (a drug that ends is stopped instead); also a post."""

    id: uuid.UUID
    post_id: uuid.UUID


# --- the mutations, as the document describes them ------------------------------------------

MutationId = Annotated[
    int, Meta(ge=1, le=2**53, description="Rises by one per client; applied at most once.")
]


class _Mutation(Struct, rename="camel", forbid_unknown_fields=True, tag_field="name"):
    id: MutationId


class PostCreateMutation(_Mutation, tag="post.create"):
    args: PostCreate


class PostEditMutation(_Mutation, tag="post.edit"):
    args: PostEdit


class PostDeleteMutation(_Mutation, tag="post.delete"):
    args: PostDelete


class CommentCreateMutation(_Mutation, tag="comment.create"):
    args: CommentCreate


class CommentDeleteMutation(_Mutation, tag="comment.delete"):
    args: CommentDelete


class ReceiptMarkMutation(_Mutation, tag="receipt.mark"):
    args: ReceiptMark


class ThresholdSetMutation(_Mutation, tag="threshold.set"):
    args: ThresholdSet


class AddresseeDoneMutation(_Mutation, tag="addressee.done"):
    args: AddresseeDone


class AttentionClearMutation(_Mutation, tag="attention.clear"):
    args: AttentionClear


class PostMarkUnreadMutation(_Mutation, tag="post.markUnread"):
    args: PostMarkUnread


class MedicationSetMutation(_Mutation, tag="medication.set"):
    args: MedicationSet


class MedicationDeleteMutation(_Mutation, tag="medication.delete"):
    args: MedicationDelete


Mutation = (
    PostCreateMutation
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
    | MedicationDeleteMutation
)

# The args of each mutation name, read off the union so the two cannot disagree.
ARG_TYPES: dict[str, type[Args]] = {
    cls.__struct_config__.tag: get_type_hints(cls)["args"] for cls in Mutation.__args__
}


# --- reasons --------------------------------------------------------------------------------


class Reason(Struct, frozen=True, gc=False):
    """Why a mutation was not applied: a stable code and a message in both languages."""

    code: str
    ja: str
    en: str


class Rejected(Exception):
    """Raised before a mutation writes anything: it will never succeed with these args."""

    def __init__(self, reason: Reason, room_id: uuid.UUID | None = None,
                 patient_id: uuid.UUID | None = None) -> None:
        super().__init__(reason.code)
        self.reason = reason
        self.room_id = room_id
        self.patient_id = patient_id


class Conflicted(Exception):
    """An edit on a stale base version: the server's state wins and goes back to the client."""

    def __init__(self, server_state: PostData, room_id: uuid.UUID,
                 patient_id: uuid.UUID) -> None:
        super().__init__("conflict")
        self.server_state = server_state
        self.room_id = room_id
        self.patient_id = patient_id


UNKNOWN_MUTATION = Reason("unknown_mutation", "この操作には対応していません。",
                      "This kind of change is not supported.")
NOT_MEMBER = Reason("not_member", "この部屋の参加者ではありません（または部屋がありません）。",
                "You are not a member of this room (or it does not exist).")
READ_ONLY = Reason("read_only", "この部屋では閲覧のみ許可されています。",
               "You may only read in this room.")
ROOM_CLOSED = Reason("room_closed", "この部屋は終了しているため書き込めません。",
                 "This room is closed and can no longer be written to.")
NOT_AUTHOR = Reason("not_author", "自分の投稿・コメントだけを変更できます。",
                "You can only change your own posts and comments.")
NOT_FOUND = Reason("not_found", "対象が見つかりません。", "The item was not found.")
DELETED = Reason("deleted", "対象はすでに削除されています。", "The item has already been deleted.")
ID_TAKEN = Reason("id_taken", "同じIDの別のデータがすでにあります。",
              "Another item already has this id.")
BAD_ID = Reason("bad_id", "IDはUUID（v4またはv7）で指定してください。",
            "Ids must be UUIDs (version 4 or 7).")
BAD_REPORT_TITLE = Reason("bad_report_title", "この部屋の有効な標題を選んでください。",
                      "Choose an active report title of this room.")
BAD_ATTACHMENT = Reason(
    "bad_attachment",
    "添付ファイルが見つからないか、この部屋で自分がアップロードした未使用のファイルではありません。",
    "An attachment is missing, or is not an unused photo or document you uploaded to this room.",
)
DUPLICATE_ATTACHMENT = Reason("duplicate_attachment", "同じ添付ファイルが重複しています。",
                          "The same attachment is given twice.")
BAD_CLOSING = Reason(
    "bad_closing_reason",
    "終了依頼には終了理由（死亡・施設入所・サービス終了・その他）が必要です。通常の投稿には不要です。",
    "A closing request needs a reason (death, facility admission, end of service, other); "
    "a normal post has none.",
)
BLANK_BODY = Reason("blank_body", "本文を入力してください。", "Please enter some text.")
NOTHING_TO_EDIT = Reason("nothing_to_edit", "変更する項目がありません。", "Nothing to change.")
BAD_ADDRESSEE = Reason(
    "bad_addressee",
    "宛先には、この部屋の参加者（自分以外）を重複なく選んでください。",
    "Address it to members of this room other than yourself, each once.",
)
NOT_ADDRESSEE = Reason("not_addressee", "自分宛ての投稿・コメントだけを対応済みにできます。",
                       "You can only mark items addressed to you as done.")
NOT_CLINICIAN = Reason(
    "not_clinician",
    "基準値を変更できるのは、この部屋の医師または看護師（書き込み権限あり）です。",
    "Only the room's doctor or nurse (with write permission) can change the thresholds.",
)
BAD_THRESHOLD = Reason(
    "bad_threshold",
    "基準値が正しくありません（下限は上限より小さく、測定できる範囲の値にしてください）。",
    "The thresholds are not valid (the lower bound must be below the upper one, both within "
    "the range that can be measured).",
)
NOT_MEDICATION_KEEPER = Reason(
    "not_medication_keeper",
    "服薬・アレルギーを変更できるのは、この部屋の薬剤師・医師・看護師（書き込み権限あり）です。",
    "Only the room's pharmacist, doctor or nurse (with write permission) can change the "
    "medications and allergies.",
)
BAD_MEDICATION = Reason(
    "bad_medication",
    "服薬の内容が正しくありません（薬剤名は必須、中止日は開始日以降、種類は変更できません）。",
    "The medication is not valid (a name is required, the stop date cannot be before the "
    "start date, and the kind cannot change).",
)
WRITE_CONFLICT = Reason("write_conflict", "同時に行われた別の変更と衝突しました。",
                    "This collided with another change made at the same time.")


def invalid_args(detail: str) -> Reason:
    return Reason(
        "invalid_args",
        f"入力内容に誤りがあります: {detail}",
        f"The input is not valid: {detail}",
    )


def parse_args(name: str, args: Any) -> Args:
    """The typed args of mutation `name`; `Rejected` for an unknown name or bad args."""
    arg_type = ARG_TYPES.get(name)
    if arg_type is None:
        raise Rejected(UNKNOWN_MUTATION)
    try:
        parsed = msgspec.convert(args, arg_type)
    except msgspec.ValidationError as exc:
        raise Rejected(invalid_args(str(exc))) from None
    for value in _ids(parsed):
        if value.version not in ACCEPTED_UUID_VERSIONS or value.variant != uuid.RFC_4122:
            raise Rejected(BAD_ID)
    body = getattr(parsed, "body", UNSET)
    vitals_only = isinstance(parsed, PostCreate) and parsed.vitals is not None and bool(
        parsed.vitals.stored()
    )
    if isinstance(body, str) and not body.strip() and not vitals_only:
        raise Rejected(BLANK_BODY)
    return parsed


def _ids(parsed: Args) -> list[uuid.UUID]:
    """The ids a client made (new entities); references to existing rows are looked up."""
    if isinstance(parsed, PostCreate | CommentCreate):
        return [parsed.id]
    if isinstance(parsed, MedicationSet):
        return [parsed.id, parsed.post_id]
    if isinstance(parsed, MedicationDelete):
        return [parsed.post_id]
    return []
