"""Who may be in a room, and what a room needs before it may open (the city's room rules).

- Only professionals are members: active users with a professional job type.
  The city's administrators and the operator manage rooms but are never in
  one (they do not read contact books), city staff are not care professionals,
  and patients and families are never users at all.
- A room opens only with a recorded consent (様式5) and, among its members, a
  doctor, a visiting doctor or visiting nurse, and a care manager. Making home
  visits is a property of the person (`User.visits_homes`), set when the ID is
  issued and corrected by the city: a home-visiting doctor of an ordinary
  診療所 or 病院 counts, and so does a nurse of a hospital's or clinic's
  visiting-nursing department (みなし訪問看護). One person may fill both of the
  first two.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from store.models import User
from store.models.enums import ROOM_MEMBER_ROLES, JobType, OfficeKind, UserStatus

from ..errors import Conflict, InvalidInput

REQUIREMENTS: dict[str, tuple[str, str]] = {
    "consent": ("情報共有同意書（様式5）の記録", "a recorded consent (form 5)"),
    "doctor": ("医師", "a doctor"),
    "visitingDoctorOrNurse": (
        "訪問診療を行う医師または訪問看護を行う看護師",
        "a doctor who makes home visits or a nurse who makes home visits",
    ),
    "careManager": ("ケアマネジャー（介護支援専門員）", "a care manager"),
}

PROBLEMS: dict[str, tuple[str, str]] = {
    "admin": (
        "市のユーザー管理者・システム管理者は部屋の参加者になれません",
        "administrators cannot be room members",
    ),
    "notProfessional": (
        "専門職ではないため部屋の参加者になれません",
        "only care professionals can be room members",
    ),
    "stopped": ("IDが停止されています", "the ID has been stopped"),
    "pending": (
        "IDの利用開始（パスワード設定）が済んでいません",
        "the ID has not been activated yet",
    ),
    "unknown": ("システム利用者が見つかりません", "no such user"),
    "duplicate": ("同じシステム利用者が重複しています", "the same user is listed twice"),
}
# Problems no state change can cure: the request itself is wrong (400, not 409).
PERMANENT = {"admin", "notProfessional", "unknown", "duplicate"}


def is_doctor(user: User) -> bool:
    return user.job_type == JobType.doctor


VISITING_JOB_TYPES = frozenset({JobType.doctor.value, JobType.nurse.value})


def may_visit_homes(job_type: str) -> bool:
    """Only doctors and nurses fill the room rule's home-visit place."""
    return job_type in VISITING_JOB_TYPES


def usual_visits_homes(job_type: str, office_kind: str | None) -> bool:
    """The flag a registration starts from when nobody said: the office kind's usual rule."""
    return (job_type == JobType.doctor and office_kind == OfficeKind.home_visit_clinic) or (
        job_type == JobType.nurse and office_kind == OfficeKind.visiting_nurse_station
    )


def is_visiting(user: User) -> bool:
    return user.visits_homes and may_visit_homes(user.job_type)


def is_care_manager(user: User) -> bool:
    return user.job_type == JobType.care_manager


def missing_requirements(has_consent: bool, members: Iterable[User]) -> list[str]:
    """The codes of what the room still lacks, in the order the city's manual lists them."""
    people = list(members)
    missing = []
    if not has_consent:
        missing.append("consent")
    if not any(is_doctor(u) for u in people):
        missing.append("doctor")
    if not any(is_visiting(u) for u in people):
        missing.append("visitingDoctorOrNurse")
    if not any(is_care_manager(u) for u in people):
        missing.append("careManager")
    return missing


def describe(codes: Iterable[str]) -> list[dict[str, str]]:
    return [{"code": c, "ja": REQUIREMENTS[c][0], "en": REQUIREMENTS[c][1]} for c in codes]


def raise_if_missing(has_consent: bool, members: Iterable[User]) -> None:
    missing = missing_requirements(has_consent, members)
    if missing:
        items = describe(missing)
        raise Conflict(
            "部屋を開設できません。次が不足しています：" + "、".join(i["ja"] for i in items),
            "The room cannot open. Missing: " + ", ".join(i["en"] for i in items),
            code="room_requirements_missing",
            missing=items,
        )


def member_problem(user: User | None, *, require_active: bool = True) -> str | None:
    """Why this user may not be a member (None: they may)."""
    if user is None:
        return "unknown"
    if user.role not in ROOM_MEMBER_ROLES:
        return "admin"
    if user.job_type == JobType.city_staff:
        return "notProfessional"
    if user.status == UserStatus.stopped:
        return "stopped"
    if require_active and user.status != UserStatus.active:
        return "pending"
    return None


@dataclass(frozen=True)
class Refusal:
    user_id: uuid.UUID
    code: str


def raise_refusals(refusals: list[Refusal]) -> None:
    if not refusals:
        return
    items = [
        {
            "userId": str(r.user_id),
            "code": r.code,
            "ja": PROBLEMS[r.code][0],
            "en": PROBLEMS[r.code][1],
        }
        for r in refusals
    ]
    error = InvalidInput if any(r.code in PERMANENT for r in refusals) else Conflict
    raise error(
        "部屋の参加者にできないシステム利用者が含まれています："
        + "、".join(i["ja"] for i in items),
        "Some users cannot be room members: " + ", ".join(i["en"] for i in items),
        code="members_not_eligible",
        refused=items,
    )


def check_members(
    requested: list[uuid.UUID], users: dict[uuid.UUID, User], *, require_active: bool = True
) -> list[User]:
    """Every requested user, or a refusal that names each one that may not join and why."""
    refusals: list[Refusal] = []
    seen: set[uuid.UUID] = set()
    found: list[User] = []
    for user_id in requested:
        if user_id in seen:
            refusals.append(Refusal(user_id, "duplicate"))
            continue
        seen.add(user_id)
        user = users.get(user_id)
        problem = member_problem(user, require_active=require_active)
        if problem is not None:
            refusals.append(Refusal(user_id, problem))
        elif user is not None:
            found.append(user)
    raise_refusals(refusals)
    return found
