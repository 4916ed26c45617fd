"""Rows as the sync wire shows them (camelCase, JSON-ready): one function per entity type,
shared by pulls (`data` of a change) and pushes (`serverState` of a conflict)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Protocol

from server.models import Comment, Patient, Post, ReadReceipt, ReportTitle, Room
from server.models import RoomMember as Member


def ts(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z`, as msgspec writes datetimes elsewhere in the API."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def sid(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def room_data(room: Room) -> dict[str, Any]:
    return {
        "id": str(room.id),
        "patientId": str(room.patient_id),
        "status": room.status,
        "label": room.label,
        "openedAt": ts(room.opened_at),
        "closedAt": ts(room.closed_at),
        "closedReason": room.closed_reason,
    }


def patient_data(patient: Patient) -> dict[str, Any]:
    return {
        "id": str(patient.id),
        "name": patient.name,
        "nameKana": patient.name_kana,
        "sex": patient.sex,
        "birthDate": day(patient.birth_date),
        "postalCode": patient.postal_code,
        "address": patient.address,
        "phone": patient.phone,
        "careLevel": patient.care_level,
        "insuredNumber": patient.insured_number,
    }


class Person(Protocol):
    """The member's user and office columns (a row of `name`, `office_name` …)."""

    name: str
    name_kana: str
    job_type: str
    office_id: uuid.UUID | None
    office_name: str | None
    office_phone: str | None


def member_data(member: Member, person: Person) -> dict[str, Any]:
    """A member with what the care-team screen shows: name, job type, office and its phone."""
    return {
        "id": str(member.id),
        "roomId": str(member.room_id),
        "userId": str(member.user_id),
        "name": person.name,
        "nameKana": person.name_kana,
        "jobType": person.job_type,
        "officeId": sid(person.office_id),
        "officeName": person.office_name,
        "officePhone": person.office_phone,
        "permission": member.permission,
        "joinedAt": ts(member.joined_at),
        "leftAt": ts(member.left_at),
    }


def report_title_data(title: ReportTitle) -> dict[str, Any]:
    return {
        "id": str(title.id),
        "roomId": str(title.room_id),
        "name": title.name,
        "position": title.position,
        "vitals": title.vitals,
        "active": title.active,
        "description": title.description,
    }


def post_data(post: Post) -> dict[str, Any]:
    return {
        "id": str(post.id),
        "roomId": str(post.room_id),
        "authorId": str(post.author_id),
        "reportTitleId": sid(post.report_title_id),
        "kind": post.kind,
        "closingReason": post.closing_reason,
        "body": post.body,
        "urgent": post.urgent,
        "vitals": dict(post.vitals) if post.vitals is not None else None,
        "attachmentIds": [str(a) for a in post.attachment_ids or []],
        "createdAt": ts(post.created_at),
        "editedAt": ts(post.edited_at),
        "version": post.version,
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    return {
        "id": str(comment.id),
        "roomId": str(comment.room_id),
        "postId": str(comment.post_id),
        "authorId": str(comment.author_id),
        "body": comment.body,
        "createdAt": ts(comment.created_at),
        "version": comment.version,
    }


def receipt_data(receipt: ReadReceipt) -> dict[str, Any]:
    return {
        "roomId": str(receipt.room_id),
        "userId": str(receipt.user_id),
        "upToVersion": receipt.up_to_version,
        "updatedAt": ts(receipt.updated_at),
    }


def change(
    entity_type: str, entity_id: str, version: int, data: dict[str, Any] | None
) -> dict[str, Any]:
    """One change: `put` with the row's current state, or `del` (data null) for a tombstone."""
    return {
        "type": entity_type,
        "op": "put" if data is not None else "del",
        "id": entity_id,
        "version": version,
        "data": data,
    }
