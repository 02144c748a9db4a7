"""A staff member signs in and finds their home, on a phone and on a desktop; the language
switch works in the back office and on the storefront."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_signs_in_on_a_phone_and_switches_language(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    head = StaffFactory(role="head_of_digital", full_name="Astrid Lindqvist")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/staff/")
    assert "/staff/login/" in page.url
    page.get_by_label("Email address").fill(head.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", name="Hello, Astrid")).to_be_visible()
    expect(page.get_by_role("heading", name="Head of Digital")).to_be_visible()
    # On a phone the workspaces sit behind the menu button.
    page.get_by_text("Menu").click()
    expect(page.locator(".menu").get_by_role("link", name="Audit log")).to_be_visible()
    screenshot(page, "backoffice-home-phone")

    page.locator("#lang-select").select_option("sv")
    page.locator(".lang").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.get_by_role("heading", name="Hej Astrid")).to_be_visible()
    screenshot(page, "backoffice-home-phone-sv")
    page.close()


def test_staff_workspace_on_a_desktop(browser: Any, live_server: Any, screenshot: Any) -> None:
    manager = StaffFactory(role="project_manager", full_name="Chloé Bernard")
    StaffFactory(role="developer", full_name="Pieter Visser")
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    page.locator(".side").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("cell", name="Pieter Visser")).to_be_visible()
    screenshot(page, "backoffice-staff-desktop")
    page.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Email address").fill("femke@store.example")
    page.get_by_label("Full name").fill("Femke Bakker")
    page.get_by_label("Role").select_option("content_manager")
    page.locator("#id_language").select_option("nl")
    page.get_by_role("button", name="Add and invite").click()
    expect(page.get_by_text("femke@store.example was added and invited by email.")).to_be_visible()
    expect(page.get_by_role("heading", name="Femke Bakker")).to_be_visible()
    page.close()


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_storefront_language_switch(
    browser: Any, live_server: Any, screenshot: Any, viewport: Any, label: str
) -> None:
    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    screenshot(page, f"storefront-home-{label}")
    page.locator(".lang").get_by_role("link", name="Français").click()
    page.wait_for_url(f"{live_server.url}/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("link", name="Créer un compte")).to_be_visible()
    page.close()
