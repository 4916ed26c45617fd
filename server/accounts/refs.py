"""A user as every answer names them (`UserRef`: me, the city's lists, the help desk), and
the labels of the codes it carries: one builder, so the screens cannot disagree."""

from __future__ import annotations

from store.models import User
from store.models.enums import JobType, OfficeKind

from .schemas import UserRef


def job_label(job_type: str) -> str:
    """The Japanese label of a job type; a code this version does not know answers itself."""
    return JobType.label_of(job_type)


def office_kind_label(kind: str) -> str:
    return OfficeKind.label_of(kind)


def user_ref(user: User) -> UserRef:
    return UserRef(
        id=user.id,
        login_id=user.login_id,
        name=user.name,
        name_kana=user.name_kana,
        job_type=user.job_type,
        job_type_label=job_label(user.job_type),
        role=user.role,
        status=user.status,
        office_id=user.office_id,
        office_name=user.office.name if user.office else None,
        office_kind=user.office.kind if user.office else None,
        visits_homes=user.visits_homes,
    )
