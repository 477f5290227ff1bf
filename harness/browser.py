"""Debian's chromium, driven by Playwright, logged in to a harness Home Assistant.

Shared by the browser test (tests/e2e/test_browser.py) and scripts/screenshots. The
browser is the distribution's `/usr/bin/chromium` (scripts/setup installs it); Playwright
never downloads one. Each run gets a fresh profile folder, deleted afterwards.
"""

from __future__ import annotations

import contextlib
import tempfile
from typing import TYPE_CHECKING

from playwright.async_api import Page, async_playwright

from .home_assistant import DEMO_PASSWORD, DEMO_USER

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHROMIUM = "/usr/bin/chromium"
# What this machine (and CI: a container without a GPU, a display or a user namespace)
# needs, and nothing that phones home while a test runs.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@contextlib.asynccontextmanager
async def chromium_page(
    *, width: int = VIEWPORT["width"], height: int = VIEWPORT["height"]
) -> AsyncIterator[Page]:
    """A page in a fresh chromium profile (English, light theme, `width` by `height`)."""
    with tempfile.TemporaryDirectory(prefix="face-terminal-chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile,  # --user-data-dir
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": width, "height": height},
                locale="en-US",
                timezone_id="UTC",
                color_scheme="light",
            )
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                page.set_default_timeout(30_000)
                yield page
            finally:
                await context.close()


async def log_in(
    page: Page, url: str, username: str = DEMO_USER, password: str = DEMO_PASSWORD
) -> None:
    """Log in through Home Assistant's login page, as a person would."""
    await page.goto(url)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    # The app shell (sidebar) appears once the login and the first WebSocket are done.
    await page.locator("ha-sidebar").wait_for()
