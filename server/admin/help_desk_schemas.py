"""Wire types of the help desk (ヘルプデスク): a person's account as the city sees it, and
what each action did. Built on the account shapes the person sees themselves."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from ..accounts.schemas import FactorsOut, Out, Strict


class AdminActionOut(Out):
    """What a help-desk action did: never a password, a code or a link (see ResetLetterOut)."""

    user_id: uuid.UUID
    action: str
    done: bool = True
    mailed: bool = False  # a mail to the person left the server (False: none due, or it failed)
    count: int | None = None  # devices or sessions concerned


# -- the help desk -------------------------------------------------------------------------------


class DeskActionIn(Strict):
    """Why the help desk acts (the caller, the ticket): kept in the audit log, never mailed."""

    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class LockOut(Out):
    locked: bool
    locked_until: datetime | None
    failed_attempts: int  # wrong passwords or codes since the last success or lock
    lock_count: int  # locks in a row (each doubles the next lock's length)
    threshold: int


class DeskPersonOut(Out):
    """One row of the help desk's search: enough to pick the right person on the phone."""

    id: uuid.UUID
    login_id: str
    name: str
    name_kana: str
    job_type: str
    job_type_label: str
    role: str
    role_label: str
    status: str
    status_label: str
    office_id: uuid.UUID | None
    office_name: str | None
    has_email: bool
    locked: bool
    last_sign_in_at: datetime | None
    devices: int


class DeskDeviceOut(Out):
    id: uuid.UUID
    label: str  # the browser's user agent when it first signed in
    created_at: datetime
    last_seen_at: datetime
    sessions: int
    wipe_requested_at: datetime | None
    wipe_reason: str | None
    wipe_delivered_at: datetime | None


class DeskSessionOut(Out):
    id: uuid.UUID
    stage: str
    factor: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str
    device_id: uuid.UUID | None


class DeskAccountOut(Out):
    """Everything the help desk needs to answer a call about one person's account."""

    person: DeskPersonOut
    email: str
    phone: str
    lock: LockOut
    last_failed_sign_in_at: datetime | None
    activated_at: datetime | None
    stopped_at: datetime | None
    password_changed_at: datetime | None
    factors: FactorsOut
    devices: list[DeskDeviceOut]
    sessions: list[DeskSessionOut]
    reset_link_expires_at: datetime | None  # an unused reset link or letter is outstanding
    may_act: bool  # False: the caller's own account, or an operator's for a municipal admin
    may_act_reason: str | None


class ResetLetterOut(Out):
    """A password-reset letter for a person without e-mail: shown once, to print and hand over.

    The code is single-use and expires; it sets a password, it does not pass the second factor.
    """

    user_id: uuid.UUID
    login_id: str
    name: str
    office_name: str | None
    link: str
    code: str
    qr_image: str  # the link as a QR code: an SVG `data:` URI, standalone (print-safe)
    issued_at: datetime
    expires_at: datetime
    issued_by: str
    city_name: str
    contact_name: str
    contact_phone: str
