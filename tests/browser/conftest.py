"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system's /usr/bin/chromium (``.ci/run`` installs it with
apt-get). A failed test leaves a screenshot and the page's HTML under ``$TRUSTASSET_DATA_DIR/browser-artifacts``.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# Waits for a selector, never a sleep: generous, because htmx polls and the eager tasks run inside requests.
TIMEOUT_MS = 15_000
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
CALL_FAILED = pytest.StashKey[bool]()
# The real data folder, read before a test points settings.DATA_DIR at its own temporary one.
ARTIFACTS_DIR = Path(settings.DATA_DIR) / "browser-artifacts"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note a failed test body, for ``page`` to save what the browser showed."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED] = True
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per module.

    While Playwright's sync API is open, its event loop runs in this thread, and Django refuses ORM calls
    from a thread with a running loop; the test's own setup and checks are plain sync code, so Django is
    told to allow them for as long as the browser lives (and only then: other modules never see it).
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does, with apt-get)")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; on failure, a screenshot and the HTML."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    if request.node.stash.get(CALL_FAILED, False):
        _save_artifacts(opened, name=request.node.name)
    context.close()


def _save_artifacts(page: Page, *, name: str) -> None:
    folder = ARTIFACTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"[^\w.-]+", "_", name)
    page.screenshot(path=f"{stem}.png", full_page=True)
    Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
    print(f"Browser artifacts of the failure: {stem}.png, {stem}.html (page {page.url})")


def sign_in(page: Page, *, username: str) -> None:
    """Log in through the login form; Django sends the person to the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("/")
    page.locator(".account-nav .username", has_text=username).wait_for()
