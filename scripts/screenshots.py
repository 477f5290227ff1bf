"""Take the README's screenshots from a fresh demo instance (run by scripts/screenshots).

Starts mosquitto, a real Home Assistant with its web interface and two simulated
terminals: "Front door" is confirmed and gets the ready dashboard (harness/dashboard.py),
people walk up to it, a stranger is let in as a visitor until tonight and a guest scans
the pass Home Assistant issued (harness/guests_demo.py); "Garage" stays a discovered,
unconfirmed terminal. Then chromium (harness/browser.py) logs in and photographs, at
1280x800, the device page, the dashboard, the discovery card and its confirmation, the
blueprint and the logbook; at 1280x1000 the guest pass action and the visitors list
with their responses; the pass's picture at 480x360. The PNGs are reduced to 256
colours and optimised.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.browser import chromium_page, log_in  # noqa: E402
from harness.dashboard import terminal_dashboard  # noqa: E402
from harness.guests_demo import issue_pass, pass_request, tonight  # noqa: E402
from harness.home_assistant import (  # noqa: E402
    DEMO_ADDRESS_PREFIX,
    HomeAssistantClient,
    HomeAssistantProcess,
)
from simulator import Mosquitto, Terminal  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from playwright.async_api import Page

CONFIG_DIR = REPO / ".demo" / "screenshots"
FRONT_DOOR = "1305433"
GARAGE = "1305434"
DASHBOARD = "face-front-door"
# Online every second until answered (the first may come before Home Assistant listens,
# and a heartbeat alone carries no name); resume-from-breakpoint re-sends early records.
TERMINAL: dict[str, Any] = {"online_repeat": 1.0, "heartbeat": 10.0, "resume": True}
# Who walks up before the pictures are taken, oldest first: the last one is on screen.
ARRIVALS: list[tuple[str, dict[str, object]]] = [
    ("Bob", {"temperature": 36.5}),
    ("stranger", {}),
    ("张三", {"temperature": 36.4}),
    ("Carol Danvers", {"temperature": 36.7}),
    ("Alice", {"temperature": 36.6}),
]


def optimised_png(png: bytes) -> bytes:
    """The screenshot in at most 256 colours, optimised: a fraction of the size."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    reduced = picture.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    timeout: float = 30,  # noqa: ASYNC109 - a deadline for polling
) -> None:
    """Poll an async predicate until it holds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{check} did not hold in {timeout} s")
        await asyncio.sleep(0.3)


ACCESS_AUTOMATION = "front_door_who_may_enter"


async def prepare(client: HomeAssistantClient, front: Terminal) -> str:
    """Confirm the front door, let people arrive, give it its dashboard; its device ID."""

    async def front_door_loaded() -> bool:
        await client.confirm_discovered(unique_id=FRONT_DOOR)
        entry = await client.entry(FRONT_DOOR)
        return entry is not None and entry["state"] == "loaded"

    await wait_until(front_door_loaded)
    # The demo's address for it (scripts/demo.py): the device page shows IP and Visit.
    entry = await client.entry(FRONT_DOOR)
    assert entry is not None
    await client.reconfigure_terminal(
        entry["entry_id"],
        command_topic=f"mqtt/face/{FRONT_DOOR}",
        name="Front door",
        ip=f"{DEMO_ADDRESS_PREFIX}10",
    )

    async def reloaded() -> bool:
        entry = await client.entry(FRONT_DOOR)
        return entry is not None and entry["state"] == "loaded"

    await wait_until(reloaded)
    ids = await client.entity_ids(FRONT_DOOR)

    async def front_door_online() -> bool:
        state = await client.state(ids["binary_sensor.online"])
        return state is not None and state["state"] == "on"

    # A record pushed before the entry's response subscription is active is re-sent by
    # the terminal later, as a replay, which never counts as a live arrival.
    await wait_until(front_door_online)
    await asyncio.sleep(3)
    device_id = await client.device_id(FRONT_DOOR)
    for who, details in ARRIVALS:
        if who == "stranger":
            front.push_stranger(label="Courier")
        else:
            front.push_recognition(who, **details)  # type: ignore[arg-type]

        async def arrived(who: str = who) -> bool:
            state = await client.state(ids["event.access"])
            return who == "stranger" or (
                state is not None and state["attributes"].get("person_name") == who
            )

        await wait_until(arrived)
        await asyncio.sleep(1)  # distinct times in the logbook
    await client.ws(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD,
            "title": "Front door",
            "icon": "mdi:face-recognition",
            "mode": "storage",
            "show_in_sidebar": True,
            "require_admin": False,
        }
    )
    await client.ws(
        {
            "type": "lovelace/config/save",
            "url_path": DASHBOARD,
            "config": terminal_dashboard("Front door", ids),
        }
    )
    # The access-decision blueprint as a user sets it up (door mode 3).
    await client.post(
        f"/api/config/automation/config/{ACCESS_AUTOMATION}",
        {
            "alias": "Front door: who may enter",
            "use_blueprint": {
                "path": "face_terminal/decide_access.yaml",
                "input": {
                    "terminal": device_id,
                    "always": ["person.demo"],
                    "welcome": "Welcome home",
                    "refusal": "Not now, sorry",
                },
            },
        },
    )
    return device_id


async def prepare_guests(
    client: HomeAssistantClient, front: Terminal, device_id: str
) -> dict[str, Any]:
    """A stranger let in until tonight, then a guest with a pass; the pass's response."""
    async with client.subscribe_events(
        "face_terminal_stranger", "face_terminal_guest_pass"
    ) as events:
        kind, snap_id = front.present_face("Parcel courier")
        assert kind == "snap", kind
        [seen] = await events.wait_for(timeout=30, record_id=str(snap_id))
        await client.call_service(
            "face_terminal",
            "admit_stranger",
            {"face_ref": seen.data["face_ref"], "name": "Parcel courier", "valid_until": tonight()},
            response=True,
        )
        issued = await issue_pass(client, device_id, "Plumber")
        await asyncio.sleep(1)  # after the visitor in the logbook
        front.scan_qr(issued["code"])
        await events.wait_for(timeout=30, result="used", pass_id=issued["pass_id"])
    return issued


async def perform_action(page: Page, url: str, action: str, data: dict[str, Any]) -> None:
    """Developer tools → Actions in YAML mode with `action` filled in, performed."""
    state = {"action": action, "data": data}
    await page.evaluate(
        """state => {
            localStorage.setItem("panel-dev-action-state-service-data", JSON.stringify(state));
            localStorage.setItem("panel-dev-action-state-yaml-mode", "true");
        }""",
        state,
    )
    await page.goto(f"{url}/config/tools/action")
    await page.get_by_role("button", name="Perform action").click()
    await page.get_by_text("Response", exact=True).wait_for()


async def shoot(
    url: str,
    device_id: str,
    out: Path,
    guests: Callable[[], Awaitable[dict[str, Any]]],
) -> list[Path]:
    """Photograph the pages the README shows; return the files written.

    `guests` lets the stranger and the guest in after the first pictures, so those show
    the arrivals alone; it answers with the guest's pass.
    """
    written = []
    async with chromium_page() as page:
        await log_in(page, url)

        async def save(name: str) -> None:
            await page.wait_for_timeout(1500)  # let pictures and fonts settle
            path = out / f"{name}.png"
            path.write_bytes(optimised_png(await page.screenshot()))
            written.append(path)

        try:
            await page.goto(f"{url}/config/devices/device/{device_id}")
            await page.get_by_text("Alice", exact=True).filter(visible=True).first.wait_for()
            await save("device-page")

            await page.goto(f"{url}/{DASHBOARD}/terminal")
            await page.locator("hui-logbook-card", has_text="Carol Danvers").wait_for()
            await page.locator("hui-picture-entity-card img").first.wait_for()
            await save("dashboard")

            await page.goto(f"{url}/config/integrations/dashboard")
            card = page.locator("ha-config-flow-card", has_text="Garage")
            await card.wait_for()
            await save("discovery")
            await card.get_by_role("button", name="Add").click()
            await page.get_by_text(f"Terminal ID: {GARAGE}").wait_for()
            await save("discovery-confirm")

            await page.goto(f"{url}/config/automation/edit/{ACCESS_AUTOMATION}")
            await page.get_by_text("Always let in").filter(visible=True).first.wait_for()
            await save("access-decision")

            issued = await guests()
            await page.goto(f"{url}/logbook")
            await page.get_by_text("came in at Front door with a guest pass").first.wait_for()
            await save("guest-logbook")

            # Taller: the action and its whole response.
            await page.set_viewport_size({"width": 1280, "height": 1000})
            await perform_action(
                page,
                url,
                "face_terminal.create_guest_pass",
                pass_request(device_id, "Window cleaner", uses=1),
            )
            await page.get_by_text("qr_url").first.wait_for()
            await save("guest-pass-action")

            await perform_action(page, url, "face_terminal.list_visitors", {"device_id": device_id})
            await page.get_by_text("Parcel courier").first.wait_for()
            await save("visitors")

            # The pass's picture as the guest's phone opens it (no login needed).
            await page.set_viewport_size({"width": 480, "height": 360})
            qr_url = issued["qr_url"]
            await page.goto(f"{url}{qr_url[qr_url.index('/api/') :]}")
            await save("guest-pass-picture")
        except Exception:
            failed = CONFIG_DIR / "failed-page.png"
            await page.screenshot(path=failed)
            print(f"[screenshots] failed on {page.url}; see {failed}", file=sys.stderr)
            raise
    return written


async def run(out: Path) -> None:
    """Start the demo stack, take the screenshots, stop everything."""
    with Mosquitto() as broker:
        hass = HomeAssistantProcess(CONFIG_DIR, frontend=True, log_level="warning")
        front = Terminal(FRONT_DOOR, broker.host, broker.port, name="Front door", **TERMINAL)
        garage = Terminal(GARAGE, broker.host, broker.port, name="Garage", **TERMINAL)
        client = None
        try:
            hass.start()
            client = HomeAssistantClient(hass.url)
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            front.start()
            garage.start()
            device_id = await prepare(client, front)
            written = await shoot(
                hass.url, device_id, out, lambda: prepare_guests(client, front, device_id)
            )
            for path in written:
                print(f"[screenshots] {path.relative_to(REPO)} ({path.stat().st_size // 1024} KiB)")
        finally:
            if client is not None:
                await client.close()
            front.stop()
            garage.stop()
            hass.stop()


def main() -> None:
    """Parse arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if CONFIG_DIR.exists():
        shutil.rmtree(CONFIG_DIR)
    asyncio.run(run(out))


if __name__ == "__main__":
    main()
