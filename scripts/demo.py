"""Demo orchestration (run by scripts/demo inside the project environment)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.broker import Mosquitto  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    DEMO_PASSWORD,
    DEMO_USER,
    HomeAssistantClient,
    HomeAssistantProcess,
)

CONFIG_DIR = REPO / ".demo" / "config"
FIRST_ID = 1305433


def dashboard(name: str, ids: dict[str, str]) -> dict[str, Any]:
    """A dashboard for one terminal: door button, face, person, temperature, events."""
    return {
        "title": name,
        "views": [
            {
                "title": name,
                "path": "terminal",
                "icon": "mdi:face-recognition",
                "cards": [
                    {
                        "type": "button",
                        "entity": ids["lock.door"],
                        "name": "Open the door",
                        "icon": "mdi:door-open",
                        "show_state": True,
                        "tap_action": {
                            "action": "perform-action",
                            "perform_action": "lock.open",
                            "target": {"entity_id": ids["lock.door"]},
                        },
                    },
                    {
                        "type": "picture-entity",
                        "entity": ids["image.last_face"],
                        "name": "Last face",
                        "show_state": False,
                    },
                    {
                        "type": "entities",
                        "title": name,
                        "entities": [
                            ids["sensor.last_person"],
                            ids["sensor.body_temperature"],
                            ids["binary_sensor.online"],
                            ids["lock.door"],
                        ],
                    },
                    {
                        "type": "logbook",
                        "title": "Recent access events",
                        "target": {
                            "entity_id": [ids["event.access"], ids["event.scan"]],
                        },
                        "hours_to_show": 24,
                    },
                    {
                        "type": "picture-entity",
                        "entity": ids["camera.scene"],
                        "name": "Scene",
                        "camera_view": "auto",
                    },
                ],
            }
        ],
    }


async def wait_for_terminals(client: HomeAssistantClient, count: int, timeout: float) -> None:
    """Confirm discovered terminals until `count` entries exist."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await client.confirm_discovered()
        entries = await client.entries()
        if len(entries) >= count and all(e["state"] == "loaded" for e in entries):
            return
        await asyncio.sleep(1)
    raise TimeoutError("the simulated terminals were not discovered in time")


async def create_dashboards(client: HomeAssistantClient) -> list[str]:
    """One storage dashboard per terminal; returns their URL paths."""
    existing = {d["url_path"] for d in await client.ws({"type": "lovelace/dashboards/list"})}
    paths = []
    for entry in await client.entries():
        terminal_id = entry["unique_id"]
        ids = await client.entity_ids(terminal_id)
        url_path = f"face-{terminal_id}"
        if url_path not in existing:
            await client.ws(
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": url_path,
                    "title": entry["title"],
                    "icon": "mdi:face-recognition",
                    "mode": "storage",
                    "show_in_sidebar": True,
                    "require_admin": False,
                }
            )
        await client.ws(
            {
                "type": "lovelace/config/save",
                "url_path": url_path,
                "config": dashboard(entry["title"], ids),
            }
        )
        paths.append(url_path)
    return paths


async def run(args: argparse.Namespace) -> None:
    """Start everything, print where to look, wait for Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    with Mosquitto() as broker:
        print(f"[demo] mosquitto on 127.0.0.1:{broker.port}")
        hass = HomeAssistantProcess(CONFIG_DIR, frontend=True)
        if args.port:
            hass.port = args.port
        if CONFIG_DIR.exists() and not args.keep:
            shutil.rmtree(CONFIG_DIR)
        started = time.monotonic()
        hass.start()
        simulator: subprocess.Popen[bytes] | None = None
        client = HomeAssistantClient(hass.url)
        try:
            print(f"[demo] starting Home Assistant (log: {hass.log_file})")
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            simulator = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "simulator",
                    "--broker",
                    f"127.0.0.1:{broker.port}",
                    "--terminals",
                    str(args.terminals),
                    "--id-base",
                    str(FIRST_ID),
                    "--arrivals",
                    str(args.arrivals),
                    "--heartbeat",
                    "30",
                    "--resume",
                ],
                cwd=REPO,
                stdout=(CONFIG_DIR / "simulator.log").open("ab"),
                stderr=subprocess.STDOUT,
            )
            await wait_for_terminals(client, args.terminals, timeout=90)
            paths = await create_dashboards(client)
            took = time.monotonic() - started
            print()
            print(f"  Home Assistant:  {hass.url}   (ready after {took:.0f} s)")
            print(f"  Log in as:       {DEMO_USER} / {DEMO_PASSWORD}")
            for path in paths:
                print(f"  Dashboard:       {hass.url}/{path}/terminal")
            print(f"  Simulator log:   {CONFIG_DIR / 'simulator.log'}")
            print("\n  People arrive every few seconds. Press Ctrl-C to stop everything.\n")
            await stop.wait()
        finally:
            print("[demo] stopping")
            await client.close()
            if simulator is not None:
                simulator.send_signal(signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    simulator.wait(10)
                if simulator.poll() is None:
                    simulator.kill()
            hass.stop()


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminals", type=int, default=2)
    parser.add_argument("--arrivals", type=float, default=5.0, help="seconds between people")
    parser.add_argument("--port", type=int, default=0, help="Home Assistant port (default: free)")
    parser.add_argument("--keep", action="store_true", help="keep the previous demo's state")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
