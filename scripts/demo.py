"""Demo orchestration (run by scripts/demo inside the project environment).

Starts mosquitto on 127.0.0.1, a real Home Assistant (onboarded, with the frontend), the
MQTT integration, simulated terminals with people arriving, then the Jovision receiver
(created through the config flow) and one simulated Jovision device posting to its
webhook; confirms the discovered terminals and device and gives each one a dashboard.
The first terminal also gets a guest pass (its picture's address is printed) and the
"stranger becomes a visitor" blueprint, which notifies the notification panel about
each stranger among the arrivals (harness/guests_demo.py).
Ctrl-C (SIGINT) or SIGTERM stops everything: the simulators, Home Assistant (and its
process group) and the broker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.dashboard import terminal_dashboard  # noqa: E402
from harness.guests_demo import add_visitor_automation, issue_pass  # noqa: E402
from harness.home_assistant import (  # noqa: E402
    DEMO_ADDRESS_PREFIX,
    DEMO_PASSWORD,
    DEMO_USER,
    HomeAssistantClient,
    HomeAssistantProcess,
)
from simulator.broker import Mosquitto, free_port  # noqa: E402

DEMO_DIR = REPO / ".demo"
CONFIG_DIR = DEMO_DIR / "config"
# The MQTT entry stores the broker's port: a kept demo reuses it.
BROKER_PORT_FILE = DEMO_DIR / "broker-port"
# The receiver's webhook address is shown once, by the flow that creates it: a kept demo
# reads it back from here.
JOVISION_URL_FILE = DEMO_DIR / "jovision-url"
FIRST_ID = 1305433
JOVISION_UUID = "JVDEMO7A3F00C1E5"


def dashboard(name: str, ids: dict[str, str]) -> dict[str, Any]:
    """A dashboard for one terminal: the README's ready dashboard (harness/dashboard.py)."""
    return terminal_dashboard(name, ids)


def jovision_dashboard(name: str, ids: dict[str, str]) -> dict[str, Any]:
    """A dashboard for one Jovision device: faces, person, presence, events (no door)."""
    return {
        "title": name,
        "views": [
            {
                "title": name,
                "path": "terminal",
                "icon": "mdi:face-recognition",
                "cards": [
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
                            {
                                "type": "attribute",
                                "entity": ids["event.access"],
                                "attribute": "person_name",
                                "name": "Last person",
                            },
                            ids["binary_sensor.online"],
                        ],
                    },
                    {
                        "type": "logbook",
                        "title": "Who came in",
                        "target": {"entity_id": [ids["event.access"]]},
                        "name_detail": "entity",  # the sentences' names (harness/dashboard.py)
                        "hours_to_show": 24,
                    },
                    {
                        "type": "picture-entity",
                        "entity": ids["image.last_scene"],
                        "name": "Last scene",
                        "show_state": False,
                    },
                ],
            }
        ],
    }


async def jovision_address(client: HomeAssistantClient) -> str:
    """Create the Jovision receiver through the config flow; return its webhook address.

    A kept demo already has the receiver: its address was saved by the first run.
    """
    flow = await client.post("/api/config/config_entries/flow", {"handler": "face_terminal"})
    step = await client.post(
        f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "jovision"}
    )
    if step["type"] == "abort" and JOVISION_URL_FILE.exists():  # already configured
        return JOVISION_URL_FILE.read_text().strip()
    if step["type"] != "form":
        raise RuntimeError(f"cannot create the Jovision receiver: {step}")
    address = str(step["description_placeholders"]["address"])
    result = await client.post(f"/api/config/config_entries/flow/{flow['flow_id']}", {})
    if result.get("type") != "create_entry":
        raise RuntimeError(f"cannot create the Jovision receiver: {result}")
    JOVISION_URL_FILE.write_text(f"{address}\n")
    return address


async def wait_for_terminals(
    client: HomeAssistantClient,
    count: int,
    timeout: float,  # noqa: ASYNC109 - a deadline for polling
) -> dict[str, dict[str, Any]]:
    """Confirm discovered terminals until `count` of them are loaded; return them by ID."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await client.confirm_discovered()
        terminals = await client.terminals()
        if len(terminals) >= count and all(e["state"] == "loaded" for e in terminals.values()):
            return terminals
        await asyncio.sleep(0.5)
    raise TimeoutError("the simulated terminals were not discovered in time")


async def create_dashboards(
    client: HomeAssistantClient, terminals: dict[str, dict[str, Any]]
) -> list[str]:
    """One storage dashboard per terminal; returns their URL paths."""
    existing = {d["url_path"] for d in await client.ws({"type": "lovelace/dashboards/list"})}
    paths = []
    for terminal_id, entry in sorted(terminals.items()):
        ids = await client.entity_ids(terminal_id)
        layout = dashboard if "lock.door" in ids else jovision_dashboard
        url_path = f"face-{terminal_id.lower()}"
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
                "config": layout(entry["title"], ids),
            }
        )
        paths.append(url_path)
    return paths


async def give_addresses(client: HomeAssistantClient, terminals: dict[str, dict[str, Any]]) -> None:
    """Give each simulated MQTT terminal an address, as Reconfigure does for a real one.

    The simulated terminals run on loopback, which the integration does not take as a
    terminal's address: without this their device pages would lack the IP address and
    Visit link a real terminal has (and the README's screenshots show).
    """
    for number, (terminal_id, entry) in enumerate(sorted(terminals.items()), start=10):
        if not terminal_id.isdigit():  # the Jovision device (reconfigured by its own page)
            continue
        await client.reconfigure_terminal(
            entry["entry_id"],
            command_topic=f"mqtt/face/{terminal_id}",
            name=entry["title"],
            ip=f"{DEMO_ADDRESS_PREFIX}{number}",
        )


def broker_port(keep: bool) -> int:
    """The port of the demo's broker: the previous one for a kept demo, else a free one."""
    if keep and BROKER_PORT_FILE.exists():
        with contextlib.suppress(ValueError):
            return int(BROKER_PORT_FILE.read_text().strip())
    port = free_port()
    DEMO_DIR.mkdir(exist_ok=True)
    BROKER_PORT_FILE.write_text(f"{port}\n")
    return port


def start_simulator(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    """The terminals, as their own process (its output goes to the simulator log)."""
    with (CONFIG_DIR / "simulator.log").open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulator",
                "--broker",
                f"127.0.0.1:{port}",
                "--terminals",
                str(args.terminals),
                "--id-base",
                str(FIRST_ID),
                "--arrivals",
                str(args.arrivals),
                "--heartbeat",
                "30",
                # Announce every 2 s until Home Assistant answers: the first Online may
                # come before Home Assistant's MQTT client has subscribed.
                "--online-repeat",
                "2",
                "--resume",
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # stopped by us, not by the terminal's Ctrl-C
        )


def start_jovision(args: argparse.Namespace, address: str) -> subprocess.Popen[bytes]:
    """The Jovision device, as a simulator process of its own posting to `address`."""
    with (CONFIG_DIR / "simulator-jovision.log").open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulator",
                "--terminals",
                "0",
                "--jovision",
                address,
                "--jovision-uuid",
                JOVISION_UUID,
                "--jovision-heartbeat",
                "10",
                "--arrivals",
                str(args.arrivals),
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop_simulator(simulator: subprocess.Popen[bytes]) -> None:
    """Let the terminals say goodbye (SIGTERM), kill them if they take too long."""
    if simulator.poll() is None:
        simulator.terminate()
        try:
            simulator.wait(10)
        except subprocess.TimeoutExpired:
            simulator.kill()
            simulator.wait()


async def run(args: argparse.Namespace) -> None:
    """Start everything, print where to look, wait until cancelled (Ctrl-C)."""
    if CONFIG_DIR.exists() and not args.keep:
        shutil.rmtree(CONFIG_DIR)
    started = time.monotonic()
    with Mosquitto(broker_port(args.keep)) as broker:
        print(f"[demo] mosquitto on 127.0.0.1:{broker.port}", flush=True)
        hass = HomeAssistantProcess(CONFIG_DIR, frontend=True)
        if args.port:
            hass.port = args.port
        simulators: list[subprocess.Popen[bytes]] = []
        client: HomeAssistantClient | None = None
        try:
            hass.start()  # a kept demo keeps its port: read `hass.url` after this
            client = HomeAssistantClient(hass.url)
            print(f"[demo] starting Home Assistant (log: {hass.log_file})", flush=True)
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            simulators.append(start_simulator(args, broker.port))
            address = await jovision_address(client)
            print(f"[demo] Jovision receiver at {address}", flush=True)
            simulators.append(start_jovision(args, address))
            terminals = await wait_for_terminals(client, args.terminals + 1, timeout=90)
            await give_addresses(client, terminals)
            terminals = await wait_for_terminals(client, args.terminals + 1, timeout=90)
            paths = await create_dashboards(client, terminals)
            front_door = await client.device_id(str(FIRST_ID))
            guest_pass = await issue_pass(client, front_door, "Demo guest", uses=5)
            await add_visitor_automation(client, front_door)
            took = time.monotonic() - started
            print()
            print(f"  Home Assistant:  {hass.url}   (ready after {took:.0f} s)")
            print(f"  Log in as:       {DEMO_USER} / {DEMO_PASSWORD}")
            for path in paths:
                print(f"  Dashboard:       {hass.url}/{path}/terminal")
            print(f"  Guest pass:      {guest_pass['qr_url']}")
            print(f"                   (code {guest_pass['code']}, 5 uses, until tonight)")
            print(f"  Simulator logs:  {CONFIG_DIR / 'simulator.log'}")
            print(f"                   {CONFIG_DIR / 'simulator-jovision.log'}")
            print(
                f"\n  People arrive every {args.arrivals:g} s. Press Ctrl-C to stop everything.\n",
                flush=True,
            )
            await asyncio.Event().wait()  # until cancelled by a signal
        finally:
            print("[demo] stopping", flush=True)
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()
            for simulator in simulators:
                stop_simulator(simulator)
            hass.stop()


async def main_async(args: argparse.Namespace) -> None:
    """Run the demo; SIGINT and SIGTERM cancel it, also while it is starting up."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def stop() -> None:
        # Once: a second Ctrl-C must not interrupt the shutdown half-way.
        for sig in signals:
            loop.add_signal_handler(sig, lambda: None)
        task.cancel()

    for sig in signals:
        loop.add_signal_handler(sig, stop)
    with contextlib.suppress(asyncio.CancelledError):
        await run(args)
    print("[demo] stopped", flush=True)


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=2)
    parser.add_argument("--arrivals", type=float, default=5.0, help="seconds between people")
    parser.add_argument("--port", type=int, default=0, help="Home Assistant port (default: free)")
    parser.add_argument("--keep", action="store_true", help="keep the previous demo's state")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
