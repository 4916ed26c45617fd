"""Making home visits is a property of the person: a home-visiting doctor of an ordinary
診療所 or 病院 and a nurse of a hospital's visiting-nursing department (みなし訪問看護) count
toward the room-opening rule; the 409 still names exactly what is missing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.models import User
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn, consent, patient, team
from .test_invitations import application, invite


async def test_a_clinic_doctor_and_a_hospital_nurse_count_once_the_city_says_they_visit(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    body = {
        "patient": patient(),
        "consent": consent(),
        "members": team(city, "clinic_doctor", "hospital_nurse", "care_manager"),
    }
    refused = await admin.post("/api/admin/rooms", body)
    assert refused.status_code == 409, refused.text
    assert [m["code"] for m in refused.json()["missing"]] == ["visitingDoctorOrNurse"]
    assert "訪問診療を行う医師または訪問看護を行う看護師" in refused.json()["message"]

    # The hospital's visiting-nursing department: the city marks the nurse as visiting.
    marked = await admin.request(
        "PATCH", f"/api/admin/users/{city.id('hospital_nurse')}", {"visitsHomes": True}
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["user"]["visitsHomes"] is True
    change = next(c for c in marked.json()["changes"] if c["field"] == "visitsHomes")
    assert (change["before"], change["after"]) == ("いいえ", "はい")
    opened = await admin.post("/api/admin/rooms", body)
    assert opened.status_code == 201, opened.text
    assert opened.json()["missing"] == []


async def test_a_home_visit_clinic_doctor_who_stopped_visiting_no_longer_counts(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    unmarked = await admin.request(
        "PATCH", f"/api/admin/users/{city.id('home_doctor')}", {"visitsHomes": False}
    )
    assert unmarked.status_code == 200
    refused = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": team(city, "home_doctor", "hospital_nurse", "care_manager"),
        },
    )
    assert refused.status_code == 409
    assert [m["code"] for m in refused.json()["missing"]] == ["visitingDoctorOrNurse"]


async def test_a_clinic_doctor_alone_is_a_doctor_but_not_a_visiting_one(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    await admin.request(
        "PATCH", f"/api/admin/users/{city.id('clinic_doctor')}", {"visitsHomes": True}
    )
    # One person fills both places: a doctor, who makes home visits.
    opened = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": team(city, "clinic_doctor", "care_manager"),
        },
    )
    assert opened.status_code == 201, opened.text


async def test_the_person_says_so_on_the_invited_id_application(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    visitor = await clients.anonymous()
    for office in ("hospital", "station"):  # approving an invited ID needs the office's 4-1
        recorded = await admin.post(
            f"/api/admin/offices/{city.offices[office]}/pledges",
            {"representative": "代表 一郎", "version": "2024-04", "acceptedOn": "2026-11-20"},
        )
        assert recorded.status_code == 201, recorded.text
    cases = [
        # (office, visitsHomes on the form, expected)
        ("hospital", True, True),  # みなし訪問看護
        ("station", None, True),  # left out: the office kind's usual rule
        ("station", False, False),
    ]
    for n, (office, said, expected) in enumerate(cases):
        token = await invite(admin, city, smtp)
        form = application(
            city,
            email=f"nurse{n}@example.jp",
            nameKana="イシイ アカリ",
            officeId=str(city.offices[office]),
        )
        if said is not None:
            form["visitsHomes"] = said
        applied = await visitor.post(f"/api/invitations/{token}/apply", form)
        assert applied.status_code == 201, applied.text
        approved = await admin.post(
            f"/api/admin/applications/{applied.json()['applicationId']}/approve"
        )
        assert approved.status_code == 200, approved.text
        async with sessionmaker() as s:
            user = await s.scalar(select(User).where(User.email == f"nurse{n}@example.jp"))
        assert user is not None and user.visits_homes is expected, (office, said)


async def test_only_doctors_and_nurses_are_marked_as_visiting(city: City, sign_in: SignIn) -> None:
    admin = await sign_in(city.users["admin"])
    refused = await admin.request(
        "PATCH", f"/api/admin/users/{city.id('pharmacist')}", {"visitsHomes": True}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "visits_homes_not_applicable"
    # A nurse who becomes a care manager no longer fills the home-visit place.
    changed = await admin.request(
        "PATCH", f"/api/admin/users/{city.id('station_nurse')}", {"jobType": "care_manager"}
    )
    assert changed.status_code == 200
    assert changed.json()["user"]["visitsHomes"] is False
