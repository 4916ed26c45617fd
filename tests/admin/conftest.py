"""Fixtures for the city's side: a real SMTP sink on loopback, a small city of offices and
people, and signed-in API clients (one cookie jar each) for whoever a test needs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.clock import FrozenClock
from server.settings import Settings, load_settings
from store.models.enums import JobType, OfficeKind, Role
from tests.conftest import BASE_URL, server_env
from tests.factories import MadeUser, make_office, make_user
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink


@pytest.fixture()
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture()
def settings(data_dir: Path, database_url: str, smtp: SmtpSink) -> Settings:
    return load_settings(
        server_env(
            data_dir,
            database_url,
            CAREBOOK_SMTP_HOST=smtp.host,
            CAREBOOK_SMTP_PORT=str(smtp.port),
            # These tests send no push; keep the push worker out of every client's lifespan.
            CAREBOOK_PUSH_WORKER="0",
        )
    )


@dataclass
class City:
    """Offices and people of a small invented city."""

    offices: dict[str, uuid.UUID]
    users: dict[str, MadeUser]

    def id(self, key: str) -> uuid.UUID:
        return self.users[key].id


OFFICES = {
    "city": ("みどり市役所 高齢福祉課", OfficeKind.city_office),
    "home_clinic": ("みどり在宅クリニック", OfficeKind.home_visit_clinic),
    "clinic": ("さくら台内科クリニック", OfficeKind.clinic),
    "station": ("みどり訪問看護ステーション", OfficeKind.visiting_nurse_station),
    "hospital": ("みどり市民病院", OfficeKind.hospital),
    "care_plan": ("みどりケアプランセンター", OfficeKind.care_management_office),
    "pharmacy": ("ひまわり薬局", OfficeKind.pharmacy),
}
# key: (login, name, job, role, office)
PEOPLE = {
    "admin": ("city-admin", "市役所 太郎", JobType.city_staff, Role.municipal_admin, "city"),
    "operator": ("operator", "運用 次郎", JobType.city_staff, Role.operator, "city"),
    "station_admin": ("station-admin", "田中 恵子", JobType.nurse, Role.office_admin, "station"),
    "care_admin": ("care-admin", "木村 祐介", JobType.care_manager, Role.office_admin, "care_plan"),
    "home_doctor": ("home-doctor", "高橋 誠", JobType.doctor, Role.member, "home_clinic"),
    "clinic_doctor": ("clinic-doctor", "中村 健一", JobType.doctor, Role.member, "clinic"),
    "station_nurse": ("station-nurse", "鈴木 真理子", JobType.nurse, Role.member, "station"),
    "hospital_nurse": ("hospital-nurse", "岡田 ゆり", JobType.nurse, Role.member, "hospital"),
    "care_manager": ("care-manager", "佐藤 美香", JobType.care_manager, Role.member, "care_plan"),
    "pharmacist": ("pharmacist", "山口 由美", JobType.pharmacist, Role.member, "pharmacy"),
    "city_staff": ("city-staff", "窓口 花子", JobType.city_staff, Role.member, "city"),
}


@pytest.fixture()
async def city(sessionmaker: Any, settings: Settings, clock: FrozenClock) -> City:
    offices = {
        key: await make_office(sessionmaker, name, kind) for key, (name, kind) in OFFICES.items()
    }
    users = {
        key: await make_user(
            sessionmaker,
            settings,
            login,
            now=clock.now(),
            name=name,
            job_type=job,
            role=role,
            office_id=offices[office],
        )
        for key, (login, name, job, role, office) in PEOPLE.items()
    }
    return City(offices, users)


SignIn = Callable[[MadeUser], Awaitable[ApiClient]]


class Clients:
    """Test clients of one app, each with its own cookie jar and device.

    They live on one exit stack: overlapping clients of an app must close in the
    reverse order of opening (last in, first out), or a lifespan shutdown waits forever.
    """

    def __init__(self, app: Litestar, clock: FrozenClock, stack: AsyncExitStack) -> None:
        self.app = app
        self.clock = clock
        self.stack = stack

    async def anonymous(self) -> ApiClient:
        http = await self.stack.enter_async_context(AsyncTestClient(self.app, base_url=BASE_URL))
        return ApiClient(http)

    async def sign_in(self, user: MadeUser) -> ApiClient:
        api = await self.anonymous()
        assert user.totp_secret is not None
        done = await api.sign_in_totp(
            user.login_id, user.password, user.totp_secret, self.clock.now()
        )
        assert done.status_code == 200, done.text
        assert done.json()["next"] == "done", done.json()
        return api


@pytest.fixture()
async def clients(app: Litestar, clock: FrozenClock) -> AsyncIterator[Clients]:
    async with AsyncExitStack() as stack:
        yield Clients(app, clock, stack)


@pytest.fixture()
def sign_in(clients: Clients) -> SignIn:
    return clients.sign_in


@pytest.fixture()
async def anonymous(clients: Clients) -> ApiClient:
    return await clients.anonymous()


def patient(**over: Any) -> dict[str, Any]:
    """A 様式6 patient (invented), with the date of birth in the Japanese era calendar."""
    value: dict[str, Any] = {
        "name": "青木 ハナ",
        "nameKana": "アオキ ハナ",
        "sex": "female",
        "birthDate": {"era": "showa", "year": 15, "month": 3, "day": 12},
        "postalCode": "000-0120",
        "address": "みどり市若葉町3丁目2番1号",
        "phone": "012-555-0120",
        "careLevel": "care_3",
        "insuredNumber": "0000012345",
    }
    value.update(over)
    return value


def consent(**over: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "date": "2026-11-20",
        "signedBy": "proxy",
        "proxyName": "青木 一郎",
        "proxyRelationship": "長男",
        "explainedBy": "佐藤 美香（みどりケアプランセンター）",
    }
    value.update(over)
    return value


def team(city: City, *keys: str, permission: str = "write") -> list[dict[str, str]]:
    return [{"userId": str(city.id(k)), "permission": permission} for k in keys]


REQUIRED_TEAM = ("home_doctor", "station_nurse", "care_manager")


async def audit_events(sessionmaker: Any, action: str) -> list[Any]:
    """The audit log's events of one action, oldest first."""
    from sqlalchemy import select

    from store.models import AuditEvent

    async with sessionmaker() as s:
        return list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )
