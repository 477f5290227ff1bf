"""What users click, in a real browser: Debian's chromium driven by Playwright.

Each test logs in through Home Assistant's login page and clicks what a person clicks:
the discovery card, the device page (last person, last face, the door), and the
actions page of the developer tools. Elements are found by their visible text and
roles (Playwright's locators pierce the frontend's open shadow roots), not by entity
IDs or the frontend's internal structure.

Without chromium or Playwright the tests are skipped locally, saying so; in CI
(CI=true) they fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import shutil
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from harness.dashboard import terminal_dashboard
from simulator import images

from .conftest import FRONT_DOOR, last_command, make_terminal, wait_for_arrival, wait_for_state

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from playwright.async_api import Page

    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(180)

BACK_DOOR = "1305500"


def _browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (scripts/setup)"
    from harness.browser import CHROMIUM

    if shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} is missing (scripts/setup installs Debian's chromium)"
    return None


@pytest.fixture
async def page(stack: Stack, tmp_path: Path) -> AsyncIterator[Page]:
    """A chromium page logged in to the end-to-end Home Assistant as the demo user.

    The page as the test left it is saved to the test's tmp_path as last-page.png,
    for a look after a failure.
    """
    if (reason := _browser_missing()) is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test cannot run in CI: {reason}")
        pytest.skip(f"browser test skipped locally: {reason}")
    from harness.browser import chromium_page, log_in

    async with chromium_page() as browser_page:
        await log_in(browser_page, stack.hass.url)
        try:
            yield browser_page
        finally:
            with contextlib.suppress(Exception):
                await browser_page.screenshot(path=tmp_path / "last-page.png")


async def test_confirm_a_discovered_terminal_from_its_card(
    stack: Stack, page: Page, client: HomeAssistantClient
) -> None:
    terminal = make_terminal(stack, BACK_DOOR, name="Back door")
    terminal.start()
    try:
        await page.goto(f"{stack.hass.url}/config/integrations/dashboard")
        card = page.locator("ha-config-flow-card", has_text="Back door")
        await card.get_by_role("button", name="Add").click()
        # The confirmation step names the terminal and its ID before anything is added.
        await page.get_by_text(f"Terminal ID: {BACK_DOOR}").wait_for()
        await page.get_by_role("button", name="Submit").click()
        await page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()

        entry = await client.wait_for_entry(BACK_DOOR)
        assert entry["source"] == "mqtt"
        assert entry["title"] == "Back door"
        await client.delete_entry(entry["entry_id"])
    finally:
        terminal.stop()


async def test_device_page_shows_who_came_in_and_opens_the_door(
    front_door_online: Terminal, stack: Stack, client: HomeAssistantClient, page: Page
) -> None:
    ids = await client.entity_ids(FRONT_DOOR)
    front_door_online.push_recognition("Alice")
    await wait_for_arrival(client, ids["event.access"], "Alice")

    await page.goto(f"{stack.hass.url}/config/devices/device/{await client.device_id(FRONT_DOOR)}")
    await page.get_by_text("was granted access at").first.wait_for()
    # Visible text only: the logbook's hidden "cause" tooltips name Alice too.
    await page.get_by_text("Alice", exact=True).filter(visible=True).first.wait_for()

    # The last face, in the entity's dialog: the very picture the terminal sent.
    await page.get_by_text("Last face", exact=True).first.click()
    face = page.locator("ha-more-info-dialog img[src*='/api/image_proxy/']")
    await face.wait_for()
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await face.element_handle()
    )
    size = await face.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert tuple(size) == Image.open(io.BytesIO(images.face_jpeg("Alice"))).size
    await page.keyboard.press("Escape")

    # The door button in the device's controls: the terminal receives Unlock.
    unlocks = front_door_online.unlock_count
    await page.get_by_role("button", name="Unlock", exact=True).click()
    assert front_door_online.wait_for(lambda: front_door_online.unlock_count == unlocks + 1)
    assert last_command(front_door_online) == "Unlock"
    # The door locks again by itself after the door open time (1 s here).
    await wait_for_state(client, (await client.entity_ids(FRONT_DOOR))["lock.door"], "locked")


async def test_enrol_a_person_from_the_actions_page(
    front_door_online: Terminal, stack: Stack, client: HomeAssistantClient, page: Page
) -> None:
    photo = stack.media_dir / "frank.jpg"
    photo.write_bytes(images.face_jpeg("Frank"))
    action = {
        "action": "face_terminal.enrol_person",
        "data": {
            "device_id": await client.device_id(FRONT_DOOR),
            "custom_id": "browser-frank",
            "name": "Frank",
            "image_path": str(photo),
        },
    }

    await page.goto(f"{stack.hass.url}/developer-tools/action")
    await page.get_by_text("YAML mode").click()
    editor = page.locator(".cm-content").first
    await editor.click()
    await page.keyboard.press("Control+A")
    # JSON is YAML on one line: the editor's auto-indentation cannot reshape it.
    await page.keyboard.insert_text(json.dumps(action))
    await page.get_by_role("button", name="Perform action").click()

    # The response panel shows the terminal's answer; the terminal has the person.
    await page.get_by_text("success: true").wait_for()
    person = front_door_online.store.find("browser-frank")
    assert person is not None
    assert person.name == "Frank"


async def test_the_ready_dashboard_shows_who_came_in_and_opens_the_door(
    front_door_online: Terminal, stack: Stack, client: HomeAssistantClient, page: Page
) -> None:
    ids = await client.entity_ids(FRONT_DOOR)
    await client.ws(
        {
            "type": "lovelace/dashboards/create",
            "url_path": "face-browser-test",
            "title": "Face1",
            "mode": "storage",
            "show_in_sidebar": False,
            "require_admin": False,
        }
    )
    await client.ws(
        {
            "type": "lovelace/config/save",
            "url_path": "face-browser-test",
            "config": terminal_dashboard("Face1", ids),
        }
    )

    await page.goto(f"{stack.hass.url}/face-browser-test/terminal")
    # Who came in: one sentence per arrival names the person and the door, the repeat
    # visit too (not only "Access granted" with the name behind a hover icon). Earlier
    # tests' arrivals (Bob's among them when the whole suite runs) are in the same
    # logbook: counted before Bob's two visits.
    card = page.locator("hui-logbook-card")
    await card.wait_for()
    visits = (
        card.locator("ha-logbook-entry")
        .filter(has_text=re.compile(r"was granted access at "))
        .filter(has=page.get_by_text("Bob", exact=True))
    )
    await asyncio.sleep(1)  # the card's first page of entries
    before = await visits.count()
    front_door_online.push_recognition("Bob")
    await wait_for_arrival(client, ids["event.access"], "Bob")
    # Bob comes again: only the access event changes.
    first = await client.state(ids["event.access"])
    assert first is not None
    front_door_online.push_recognition("Bob")
    for _ in range(100):
        again = await client.state(ids["event.access"])
        if again is not None and again["state"] != first["state"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("Bob's second visit did not arrive")
    await visits.nth(before + 1).wait_for()
    assert await visits.count() == before + 2
    face = page.locator("hui-picture-entity-card img[src*='/api/image_proxy/']")
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await face.element_handle()
    )
    scene = page.locator("hui-picture-entity-card img[src*='/api/camera_proxy']")
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await scene.element_handle()
    )

    # The door button asks first, then the terminal receives Unlock.
    unlocks = front_door_online.unlock_count
    await page.get_by_text("Open the door", exact=True).click()
    await page.get_by_text("Open the door?").wait_for()
    await page.get_by_role("button", name=re.compile("^(yes|ok|confirm)$", re.IGNORECASE)).click()
    assert front_door_online.wait_for(lambda: front_door_online.unlock_count == unlocks + 1)
    assert last_command(front_door_online) == "Unlock"
    # The door locks again by itself after the door open time (1 s here).
    await wait_for_state(client, (await client.entity_ids(FRONT_DOOR))["lock.door"], "locked")
