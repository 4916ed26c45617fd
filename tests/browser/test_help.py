"""Help for everyone, in a real browser at phone and desktop sizes: a nurse reaches the help
page from the header and from settings, and the sign-in page says whom to call when the
password is forgotten or the tablet lost (only the contact points the city published).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from server.admin.help import DEFAULT_CONTACTS

from .pages import Device
from .pwa_helpers import sign_in
from .server import LiveServer

PUBLISHED, UNPUBLISHED = DEFAULT_CONTACTS


def test_a_nurse_reaches_help_from_the_header_and_from_settings(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    sign_in(page, demo_server.url, "demo-nurse")

    page.get_by_test_id("nav-help").click()
    help_page = page.get_by_test_id("help-page")
    expect(help_page).to_be_visible(timeout=15_000)
    expect(page).to_have_url(f"{demo_server.url}/#/help")
    expect(help_page.get_by_role("heading", level=1)).to_contain_text("ヘルプ（みどり市）")
    # Whom to call: both contact points, the unpublished one too (she is signed in).
    contacts = help_page.get_by_test_id("help-contact")
    expect(contacts).to_have_count(2)
    expect(contacts.nth(0)).to_contain_text(PUBLISHED.phone)
    expect(contacts.nth(1)).to_contain_text(UNPUBLISHED.name)
    # What the manual asks the city to tell: devices and browsers, the twelve 誓約事項, links.
    expect(help_page.get_by_test_id("help-devices")).to_contain_text("Safari")
    expect(help_page.get_by_test_id("help-pledge-items")).to_contain_text("⑫")
    expect(help_page.get_by_test_id("help-links").get_by_role("link")).to_have_count(2)
    expect(page.get_by_test_id("nav-help")).to_have_attribute("aria-current", "page")
    screenshot(page, f"{device.name}-help-from-header")

    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_test_id("settings-help")).to_be_visible()
    screenshot(page, f"{device.name}-settings-help-link", full_page=False)
    page.get_by_test_id("settings-help").click()
    expect(page.get_by_test_id("help-page")).to_be_visible()
    expect(page.get_by_test_id("help-contact")).to_have_count(2)

    # The page stays readable on a phone: nothing wider than the screen.
    width = (page.viewport_size or {"width": 0})["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert watched.problems() == []


def test_the_sign_in_page_says_whom_to_call(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    page.goto(demo_server.url + "/")
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    help_box = page.get_by_test_id("signin-help")
    expect(help_box).to_be_visible()
    heading = help_box.get_by_role("heading", level=2)
    expect(heading).to_have_text("ログインできないとき・端末をなくしたとき")
    expect(help_box).to_contain_text("パスワードを忘れたとき")
    contacts = help_box.get_by_test_id("help-contact")
    expect(contacts).to_have_count(1)
    expect(contacts).to_contain_text(PUBLISHED.name)
    expect(contacts.get_by_role("link", name=PUBLISHED.phone)).to_have_attribute(
        "href", "tel:0125550100"
    )
    # The city did not publish the coordination centre: nobody signed out sees it.
    expect(page.get_by_text(UNPUBLISHED.name)).to_have_count(0)
    screenshot(page, f"{device.name}-sign-in-whom-to-call")
    assert watched.problems() == []
