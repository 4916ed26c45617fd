"""The clerk reads an application as a clerk, in a real browser at phone and desktop sizes:
each form's fields under its own Japanese labels, dates in the era, people by name, job
type and office, the history in Japanese; no payload key, code or id anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from server.demo.data import OFFICES, USERS

from .pages import Device
from .pwa_helpers import api_context, api_post, sign_in
from .server import LiveServer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
LEAKS = ("nameKana", "careLevel", "birthDate", "care_3", "female", "write", "proxy", "submitted")
PEOPLE = {u.login_id: u for u in USERS}
OFFICE_NAMES = {o.key: o.name for o in OFFICES}
TEAM = ("demo-doctor", "demo-nurse", "demo-caremanager")


def _submit_room_request(playwright: Any, url: str, device: str) -> str:
    """The nurse station's system manager asks for a room (様式5・6), as the office screen does."""
    office = api_context(playwright, url, "demo-officeadmin")
    try:
        directory = office.get("/api/office/directory").json()
        ids = {u["name"]: u["id"] for u in directory}
        members = [
            {"userId": ids[PEOPLE[login].name], "permission": "read" if i else "write"}
            for i, login in enumerate(TEAM)
        ]
        created = api_post(office, "/api/applications", {"kind": "roomOpen", "payload": {
            "patient": {
                "name": f"申請 花子（{device}）", "nameKana": "シンセイ ハナコ", "sex": "female",
                "birthDate": {"era": "showa", "year": 12, "month": 4, "day": 3},
                "address": "みどり市若葉町1-2-3", "careLevel": "care_3",
                # One patient per run: the same 被保険者番号 twice would be a duplicate patient.
                "insuredNumber": "000009876" + ("1" if device == "phone" else "2"),
                "attendingPhysician": "主治 医師",
            },
            "consent": {"date": "2026-03-30", "signedBy": "proxy", "proxyName": "申請 一郎",
                        "proxyRelationship": "長男", "explainedBy": "佐藤 美香",
                        "explainerOffice": "みどり訪問看護ステーション"},
            "members": members,
            "requester": {"representative": "代表 太郎", "systemManager": "田中 恵子"},
        }})
        return str(created["id"])
    finally:
        office.dispose()


def test_the_clerk_reads_a_room_request_as_its_forms(
    demo_server: LiveServer, device: Device, playwright: Any, screenshot: Callable[..., Path]
) -> None:
    url = demo_server.url
    application_id = _submit_room_request(playwright, url, device.name)
    watched = device.new_page()
    clerk = watched.page
    sign_in(clerk, url, "demo-admin")
    clerk.get_by_test_id("nav-admin").click()
    row = clerk.locator("[data-testid=inbox-row]", has_text=f"申請 花子（{device.name}）")
    expect(row).to_be_visible(timeout=15_000)
    row.get_by_test_id("inbox-open").click()
    detail = clerk.get_by_test_id("admin-application")
    expect(detail).to_be_visible(timeout=15_000)
    expect(detail.get_by_role("heading", level=1)).to_contain_text(
        "患者（利用者）部屋作成依頼（様式5・6）"
    )

    content = clerk.get_by_test_id("application-payload")
    headings = content.locator("[data-testid=application-section] h3")
    expect(headings).to_have_text([
        "様式6 申請者",
        "様式6 作成依頼内容（部屋情報）",
        "様式6 利用設定（部屋利用者）",
        "ケアレポート標題",
        "様式5 情報共有同意書",
    ])
    for label, value in (
        ("フリガナ", "シンセイ ハナコ"),
        ("性別", "女"),
        ("生年月日", "昭和12年4月3日（1937年4月3日）"),
        ("介護保険（認定）", "要介護3"),
        ("同意年月日", "令和8年3月30日（2026年3月30日）"),
        ("署名", "代理人"),
        ("続柄", "長男"),
        ("主治医", "主治 医師"),
        ("説明者（事業所名）", "みどり訪問看護ステーション"),
    ):
        fact = content.locator(".admin-facts > div", has=clerk.locator(f"dt:text-is('{label}')"))
        expect(fact.first.locator("dd")).to_have_text(value)
    members = content.get_by_test_id("application-members").locator("tbody tr")
    expect(members).to_have_count(3)
    doctor = PEOPLE["demo-doctor"]
    expect(members.nth(0)).to_contain_text(doctor.name)
    expect(members.nth(0)).to_contain_text("医師")
    expect(members.nth(0)).to_contain_text(OFFICE_NAMES[doctor.office_key])
    expect(members.nth(0)).to_contain_text("閲覧・書込")
    expect(members.nth(1)).to_contain_text("閲覧のみ")
    expect(clerk.get_by_test_id("application-history")).to_contain_text("提出")
    screenshot(clerk, f"{device.name}-application-as-forms")

    # Nothing of the wire: no payload keys, no codes, no ids, in the content or the history.
    shown = content.inner_text() + clerk.get_by_test_id("application-history").inner_text()
    for leak in LEAKS:
        assert leak not in shown, (leak, shown)
    assert not UUID.search(shown), shown
    assert application_id not in detail.inner_text()

    # Approving it adds a Japanese line to the history.
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み", timeout=15_000)
    expect(clerk.get_by_test_id("application-history").locator("li")).to_have_count(2)
    expect(clerk.get_by_test_id("application-history").locator("li").nth(1)).to_contain_text("承認")
    assert watched.problems() == []


def test_the_clerk_reads_a_join_by_patient_with_the_office_and_its_staff(
    demo_server: LiveServer, device: Device, playwright: Any, screenshot: Callable[..., Path]
) -> None:
    """An office new to a patient names the patient, not a room: the clerk sees who asks,
    for whom (era date), whom it brings with which 閲覧権限, and that the room is hers to match."""
    url = demo_server.url
    patient = f"参加 太郎（{device.name}）"
    office = api_context(playwright, url, "demo-officeadmin")
    try:
        directory = office.get("/api/office/directory").json()
        nurse = PEOPLE["demo-nurse"]
        nurse_id = next(u["id"] for u in directory if u["name"] == nurse.name)
        api_post(office, "/api/applications", {"kind": "roomJoin", "payload": {
            "patient": {"name": patient, "nameKana": "サンカ タロウ",
                        "birthDate": {"era": "showa", "year": 20, "month": 8, "day": 15}},
            "members": [{"userId": nurse_id, "permission": "read"}],
            "note": "担当者会議で参加が決まりました",
        }})
        asking_office = office.get("/api/me").json()["user"]["officeName"]
    finally:
        office.dispose()

    watched = device.new_page()
    clerk = watched.page
    sign_in(clerk, url, "demo-admin")
    clerk.get_by_test_id("nav-admin").click()
    row = clerk.locator("[data-testid=inbox-row][data-kind=roomJoin]", has_text=patient)
    expect(row).to_be_visible(timeout=15_000)
    row.get_by_test_id("inbox-open").click()
    detail = clerk.get_by_test_id("admin-application")
    expect(detail.get_by_role("heading", level=1)).to_contain_text("部屋への参加依頼")
    content = clerk.get_by_test_id("application-payload")
    for label, value in (
        ("部屋", "（市が患者（利用者）の情報から照合します）"),
        ("参加事業所", asking_office),
        ("補足", "担当者会議で参加が決まりました"),
        ("患者（利用者）氏名", patient),
        ("生年月日", "昭和20年8月15日（1945年8月15日）"),
    ):
        fact = content.locator(".admin-facts > div", has=clerk.locator(f"dt:text-is('{label}')"))
        expect(fact.first.locator("dd")).to_have_text(value)
    members = content.get_by_test_id("application-members").locator("tbody tr")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text(nurse.name)
    expect(members.first).to_contain_text("看護師")
    expect(members.first).to_contain_text("閲覧のみ")
    screenshot(clerk, f"{device.name}-join-by-patient-as-read")
    shown = content.inner_text()
    for leak in (*LEAKS, "read", "roomJoin", "officeId"):
        assert leak not in shown, (leak, shown)
    assert not UUID.search(shown), shown
    assert watched.problems() == []
