"""A city's first day: its name, its two help contacts and its clerks' office.

`carebook init-city` writes the city's name and the manual's two contact points
(the registration desk — 高齢福祉課地域支援センター in the manual — and the home-care
coordination centre — 在宅医療・介護連携支援センター) into the help page, registers the
desk as the clerks' office and issues the first clerk. It runs once: a database that
already has a city (or the demo) is left as it is, and the command says what it found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, SystemSetting, User
from store.models.enums import OfficeKind, Role

from ..audit import service as audit
from ..clock import Clock
from .help import load_help, store_help
from .schemas import HelpIn

CITY_KEY = "city"
DEFAULT_CITY_OFFICE = "市役所（ユーザー管理者）"
DESK_TITLE = "システム利用登録の手続きや運用について"
SUPPORT_TITLE = "患者（利用者）の状態に合わせた医療・介護関係者間の調整について"


class CitySetupError(ValueError):
    """The city cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str = ""
    postal_code: str = ""
    address: str = ""
    hours: str = ""


@dataclass(frozen=True)
class CityInit:
    city_name: str
    desk: Contact
    support: Contact


async def city_office(session: AsyncSession, *, create_as: str | None = None) -> Office:
    """The office the city's clerks belong to: the one `init-city` registered, else the first
    office of kind 市役所, else a new one (named `create_as`)."""
    setting = await session.get(SystemSetting, CITY_KEY)
    if setting is not None:
        office = await session.get(Office, uuid.UUID(str(setting.value["officeId"])))
        if office is not None:
            return office
    office = (
        await session.execute(
            select(Office)
            .where(Office.kind == OfficeKind.city_office, Office.is_demo.is_(False))
            .order_by(Office.created_at)
            .limit(1)
        )
    ).scalar_one_or_none()
    if office is None:
        office = Office(name=create_as or DEFAULT_CITY_OFFICE, kind=OfficeKind.city_office)
        session.add(office)
        await session.flush()
    return office


async def existing_city(session: AsyncSession) -> str | None:
    """What makes this database a city already (None: nothing, it may be set up)."""
    setting = await session.get(SystemSetting, CITY_KEY)
    if setting is not None:
        return f"the city {setting.value.get('name')!r} was set up on {setting.value.get('at')}"
    demo = await session.scalar(select(func.count()).select_from(User).where(User.is_demo))
    if demo:
        return "this database holds the demo data"
    clerks = await session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.municipal_admin)
    )
    if clerks:
        return f"it already has {clerks} city clerk account(s)"
    return None


def _contact(title: str, contact: Contact, *, public: bool) -> dict[str, Any]:
    """A help-page contact; `public` ones show on the sign-in page (whom to call, locked out)."""
    return {
        "title": title,
        "name": contact.name,
        "postalCode": contact.postal_code,
        "address": contact.address,
        "phone": contact.phone,
        "email": contact.email,
        "hours": contact.hours,
        "note": "",
        "public": public,
    }


async def set_up_city(session: AsyncSession, clock: Clock, city: CityInit) -> Office:
    """Name the city and its contacts on the help page, register the desk as the clerks'
    office and mark the city as set up. The caller issues the first clerk and commits."""
    problem = await existing_city(session)
    if problem is not None:
        raise CitySetupError(f"refusing to set up the city again: {problem}")
    now = clock.now()
    current = msgspec.to_builtins(await load_help(session))
    # Everything else on the help page (rules, pledge texts …) stays as it is.
    names = {field.encode_name for field in msgspec.structs.fields(HelpIn)}
    value = {key: current[key] for key in names if key in current}
    value["cityName"] = city.city_name
    # The registration desk answers for IDs, passwords and lost devices: the sign-in page names it.
    value["contacts"] = [
        _contact(DESK_TITLE, city.desk, public=True),
        _contact(SUPPORT_TITLE, city.support, public=False),
    ]
    try:
        help_in = msgspec.convert(value, HelpIn)
    except msgspec.ValidationError as exc:
        raise CitySetupError(f"the contacts are not valid: {exc}") from None
    await store_help(session, help_in, now)
    office = Office(
        name=city.desk.name,
        kind=OfficeKind.city_office,
        postal_code=city.desk.postal_code,
        address=city.desk.address,
        phone=city.desk.phone,
        created_at=now,
    )
    session.add(office)
    await session.flush()
    session.add(
        SystemSetting(
            key=CITY_KEY,
            value={"name": city.city_name, "officeId": str(office.id), "at": now.isoformat()},
            updated_at=now,
        )
    )
    await audit.record(
        session,
        at=now,
        actor=audit.Actor(login_id="carebook init-city"),
        action="city.initialized",
        target_type="office",
        target_id=office.id,
        details={"cityName": city.city_name},
    )
    return office
