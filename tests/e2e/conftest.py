"""Browser tests: Debian's Chromium driven by Playwright for Python, never a downloaded browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true requires Debian's chromium (make test installs it)")
        pytest.skip("chromium is not installed (make test installs it with apt-get)")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait for the page (expect(...)); a loaded machine may need more than the
    # default 5 s before a page shows what the test looks for.
    expect.set_options(timeout=15_000)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
    # up data are plain synchronous calls between browser steps. Only while the browser is up.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def screenshot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _plain_static_names(settings: Any) -> None:
    # The test server finds static files by their source names; hashed names are for production,
    # where whitenoise serves the collected files (tests/config/test_serve.py checks that path).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
