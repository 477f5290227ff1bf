"""Run a real Home Assistant process and drive it the way a person's browser would.

Shared by the end-to-end tests, the demo (`scripts/demo`) and the benchmarks, which all
import it from here (scripts never import tests). Everything stays on loopback: Home
Assistant listens on 127.0.0.1 and talks to a local mosquitto.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

REPO = Path(__file__).resolve().parents[1]
DEMO_USER = "demo"
DEMO_PASSWORD = "face-terminal-demo"  # local demo only, printed to the user


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIGURATION_YAML = """\
homeassistant:
  name: Face terminal demo
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: {time_zone}
  country: NL
  currency: EUR
  # Home Assistant listens on loopback only, which it never offers as a local address on
  # its own; devices that post to it (the Jovision receiver's webhook) need this one.
  internal_url: http://127.0.0.1:{port}
  allowlist_external_dirs:
    - {allowed_dir}

{http}
{frontend}
config:
# Automations made in the UI or from a blueprint (the blueprint test, the demo), and those
# tests and benchmarks write through the editor's API (/api/config/automation).
automation: !include automations.yaml
logbook:
history:
recorder:
  purge_keep_days: 2
  commit_interval: 1

logger:
  default: warning
  logs:
    custom_components.face_terminal: {log_level}
    homeassistant.components.mqtt: warning
"""


def _kill_group(pgid: int) -> None:
    """SIGKILL whatever is left in a process group (a no-op when it is empty)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


# Since 2026.10 Home Assistant moves `http:` from YAML into `.storage/http` on the first
# start, as a "pending" configuration that reverts (with a restart onto port 8123 on every
# interface) unless it is confirmed within 5 minutes; later starts ignore the YAML. The
# harness writes the YAML once, confirms it after onboarding (`onboard_or_login`) and then
# reads the port back from the store.
HTTP_YAML = """\
http:
  server_host: 127.0.0.1
  server_port: {port}
"""


def _stored_loopback_port(storage: Path) -> int | None:
    """Port of the usable loopback-only HTTP configuration in `.storage/http`, if any."""
    try:
        data = json.loads((storage / "http").read_text(encoding="utf-8"))["data"]
    except OSError, ValueError, KeyError, TypeError:
        return None
    for slot in ("pending", "stable"):
        conf = data.get(slot)
        if (
            isinstance(conf, dict)
            and not conf.get("error")
            and conf.get("server_host") == ["127.0.0.1"]
            and isinstance(conf.get("server_port"), int)
        ):
            return int(conf["server_port"])
    return None


def _onboarding_store(done: list[str]) -> str:
    return json.dumps(
        {"version": 4, "minor_version": 1, "key": "onboarding", "data": {"done": done}}
    )


# Documentation addresses (RFC 5737), never contacted: the demo's and the screenshots'
# simulated terminals get one of these with Reconfigure, as a real terminal has its LAN
# address (loopback, where they run, is not taken as a terminal's address).
DEMO_ADDRESS_PREFIX = "192.0.2."


@dataclass
class HomeAssistantProcess:
    """A `hass` process with its own configuration folder.

    `start()` writes the configuration (first start only), links this repository's
    integration into it and starts Home Assistant; `onboard()` creates the demo user.
    """

    config_dir: Path
    port: int = field(default_factory=free_port)
    frontend: bool = False
    log_level: str = "info"
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """Where Home Assistant's console output goes."""
        return self.config_dir / "hass.out"

    def prepare(self) -> None:
        """Write configuration.yaml, pre-complete onboarding steps, link the integration."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        storage = self.config_dir / ".storage"
        storage.mkdir(exist_ok=True)
        (self.config_dir / "media").mkdir(exist_ok=True)
        http_yaml = HTTP_YAML.format(port=self.port)
        if (stored_port := _stored_loopback_port(storage)) is not None:
            self.port, http_yaml = stored_port, ""
        else:
            # No usable stored configuration (first start, or one that reverted to the
            # default): let Home Assistant take the YAML again.
            (storage / "http").unlink(missing_ok=True)
        (self.config_dir / "configuration.yaml").write_text(
            CONFIGURATION_YAML.format(
                http=http_yaml,
                port=self.port,
                time_zone=os.environ.get("FACE_TERMINAL_TZ", "UTC"),
                allowed_dir=self.config_dir / "media",
                frontend="frontend:\n" if self.frontend else "",
                log_level=self.log_level,
            )
        )
        onboarding = storage / "onboarding"
        if not onboarding.exists():
            # Location, units and analytics come from the YAML above; the user and the
            # integration steps are done through the API, as the browser would.
            onboarding.write_text(_onboarding_store(["core_config", "analytics"]))
        automations = self.config_dir / "automations.yaml"
        if not automations.exists():
            automations.write_text("[]\n")
        # The repository's blueprints, as if imported: the blueprint test and the demo use
        # them. Copied, not linked: Home Assistant does not follow linked folders there.
        shutil.copytree(REPO / "blueprints", self.config_dir / "blueprints", dirs_exist_ok=True)
        link = self.config_dir / "custom_components"
        if not link.exists():
            link.symlink_to(REPO / "custom_components")

    def start(self) -> None:
        """Start Home Assistant in the background (logs go to `log_file`)."""
        self.prepare()
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "homeassistant", "-c", str(self.config_dir), "--skip-pip"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.config_dir,
            start_new_session=True,
        )

    def stop(self, timeout: float = 30) -> None:
        """Stop Home Assistant gracefully (SIGTERM), killing it if it hangs.

        Anything Home Assistant started in its process group goes too.
        """
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _kill_group(self.process.pid)
        self.process = None

    def kill(self) -> None:
        """Kill Home Assistant at once, as a power cut would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            _kill_group(self.process.pid)
            self.process = None

    def rss_bytes(self) -> int:
        """Resident memory of the Home Assistant process (VmRSS), in bytes."""
        status = Path(f"/proc/{self.pid()}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("VmRSS missing from /proc status")

    def pid(self) -> int:
        """Process ID of the running Home Assistant."""
        assert self.process is not None
        return self.process.pid

    async def wait_until_up(self, timeout: float = 120) -> None:  # noqa: ASYNC109
        """Wait until the HTTP API answers."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"Home Assistant exited; see {self.log_file}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"{self.url}/api/onboarding") as resp:
                        # 404 once onboarding is complete (its views are gone then).
                        if resp.status in (200, 401, 404):
                            return
                await asyncio.sleep(0.5)
        raise TimeoutError(f"Home Assistant did not start in {timeout} s; see {self.log_file}")


class HomeAssistantClient:
    """REST and WebSocket client with an access token for the demo user."""

    def __init__(self, url: str) -> None:
        """Client for Home Assistant at `url` (not logged in yet)."""
        self.url = url
        self.client_id = f"{url}/"
        self.session = aiohttp.ClientSession()
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_id = 0

    async def close(self) -> None:
        """Close the WebSocket and the HTTP session."""
        if self._ws is not None:
            await self._ws.close()
        await self.session.close()

    # --- authentication -----------------------------------------------------------

    async def onboard_or_login(self) -> None:
        """Create the demo user on a fresh instance, or log in on an onboarded one."""
        async with self.session.get(f"{self.url}/api/onboarding") as resp:
            steps = await resp.json() if resp.status == 200 else []
        user_done = any(s["step"] == "user" and s["done"] for s in steps) or not steps
        if user_done:
            code = await self._login_code()
        else:
            async with self.session.post(
                f"{self.url}/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": "Demo",
                    "username": DEMO_USER,
                    "password": DEMO_PASSWORD,
                    "language": "en",
                },
            ) as resp:
                resp.raise_for_status()
                code = (await resp.json())["auth_code"]
        await self._exchange(code)
        await self._confirm_http_config()
        if not any(s["step"] == "integration" and s["done"] for s in steps) and steps:
            async with self.session.post(
                f"{self.url}/api/onboarding/integration",
                json={"client_id": self.client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
                headers=self._headers,
            ) as resp:
                resp.raise_for_status()

    async def _confirm_http_config(self) -> None:
        """Confirm the HTTP configuration taken from YAML, so that it does not revert."""
        config = await self.ws({"type": "http/config"})
        pending = config.get("pending")
        if pending and not pending.get("error"):
            await self.ws({"type": "http/config/promote"})

    async def _login_code(self) -> str:
        async with self.session.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.url}/?auth_callback=1",
            },
        ) as resp:
            resp.raise_for_status()
            flow_id = (await resp.json())["flow_id"]
        async with self.session.post(
            f"{self.url}/auth/login_flow/{flow_id}",
            json={"client_id": self.client_id, "username": DEMO_USER, "password": DEMO_PASSWORD},
        ) as resp:
            resp.raise_for_status()
            return str((await resp.json())["result"])

    async def _exchange(self, code: str) -> None:
        async with self.session.post(
            f"{self.url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        ) as resp:
            resp.raise_for_status()
            self.token = (await resp.json())["access_token"]

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # --- REST ---------------------------------------------------------------------

    async def get(self, path: str) -> Any:
        """GET a JSON API path."""
        async with self.session.get(f"{self.url}{path}", headers=self._headers) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def get_bytes(self, path: str) -> tuple[int, bytes]:
        """GET a binary path (camera or image proxy): status and body."""
        async with self.session.get(f"{self.url}{path}", headers=self._headers) as resp:
            return resp.status, await resp.read()

    async def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """POST JSON to an API path."""
        async with self.session.post(
            f"{self.url}{path}", json=data or {}, headers=self._headers
        ) as resp:
            body = await resp.text()
            if resp.status >= 400:
                raise RuntimeError(f"POST {path} -> {resp.status}: {body[:500]}")
            return json.loads(body) if body else None

    async def post_raw(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, Any]:
        """POST JSON to an API path; return the status and the decoded body (no raising)."""
        async with self.session.post(
            f"{self.url}{path}", json=data or {}, headers=self._headers
        ) as resp:
            body = await resp.text()
            try:
                return resp.status, json.loads(body) if body else None
            except ValueError:
                return resp.status, body

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """State object of an entity, or None."""
        async with self.session.get(
            f"{self.url}/api/states/{entity_id}", headers=self._headers
        ) as resp:
            if resp.status == 404:
                return None
            resp.raise_for_status()
            result: dict[str, Any] = await resp.json()
            return result

    async def save_automation(self, automation_id: str, config: dict[str, Any]) -> None:
        """Create or replace an automation through the editor's API (reloads automations)."""
        result = await self.post(f"/api/config/automation/config/{automation_id}", config)
        if not isinstance(result, dict) or result.get("result") != "ok":
            raise RuntimeError(f"saving automation {automation_id} failed: {result}")

    async def wait_until_on(self, entity_id: str, timeout: float = 20) -> None:  # noqa: ASYNC109
        """Poll until `entity_id` is on (an automation saved a moment ago has loaded)."""
        deadline = time.monotonic() + timeout
        while ((await self.state(entity_id)) or {}).get("state") != "on":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{entity_id} did not turn on in {timeout} s")
            await asyncio.sleep(0.2)

    async def confirm_terminals(self, terminal_ids: set[str], timeout: float = 60) -> None:  # noqa: ASYNC109
        """Confirm the discovered flows of `terminal_ids`; wait until each is online."""
        deadline = time.monotonic() + timeout
        while not terminal_ids <= set(await self.terminals()):
            if time.monotonic() > deadline:
                raise RuntimeError("the terminals were not discovered")
            await self.confirm_discovered()
            await asyncio.sleep(0.3)
        for terminal_id in terminal_ids:
            await self.wait_for_entry(terminal_id)
        for terminal_id in terminal_ids:
            entity = (await self.entity_ids(terminal_id))["binary_sensor.online"]
            remaining = max(deadline - time.monotonic(), 1.0)
            await self.wait_until_state(entity, "on", remaining)

    async def wait_until_state(self, entity_id: str, state: str, timeout: float) -> None:  # noqa: ASYNC109
        """Poll until `entity_id` has `state`."""
        deadline = time.monotonic() + timeout
        while ((await self.state(entity_id)) or {}).get("state") != state:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{entity_id} is not {state!r} after {timeout} s")
            await asyncio.sleep(0.2)

    async def delete_automation(self, automation_id: str) -> None:
        """Delete an automation created with `save_automation`."""
        async with self.session.delete(
            f"{self.url}/api/config/automation/config/{automation_id}", headers=self._headers
        ) as resp:
            resp.raise_for_status()

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool = False
    ) -> Any:
        """Call an action; with `response` the action's response is returned."""
        suffix = "?return_response" if response else ""
        return await self.post(f"/api/services/{domain}/{service}{suffix}", data)

    # --- config entries -----------------------------------------------------------

    async def setup_mqtt(self, port: int) -> None:
        """Add the MQTT integration pointing at the local broker."""
        entries = await self.get("/api/config/config_entries/entry?domain=mqtt")
        if entries:
            return
        flow = await self.post("/api/config/config_entries/flow", {"handler": "mqtt"})
        result = await self.post(
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {
                "broker": "127.0.0.1",
                "port": port,
                "other_settings": {"set_client_cert": False, "set_ca_cert": "off"},
            },
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"MQTT setup failed: {result}")

    async def confirm_discovered(
        self, domain: str = "face_terminal", unique_id: str | None = None
    ) -> int:
        """Confirm every discovered flow of `domain` (only `unique_id`'s when given).

        Returns how many were confirmed.
        """
        # Discovered flows in progress (GET on the flow index is not allowed).
        flows = await self.ws({"type": "config_entries/flow/progress"})
        confirmed = 0
        for flow in flows:
            if flow["handler"] != domain or flow["context"].get("source") not in (
                "mqtt",
                "integration_discovery",
            ):
                continue
            if unique_id is not None and flow["context"].get("unique_id") != unique_id:
                continue
            with contextlib.suppress(RuntimeError):  # already finished by another caller
                result = await self.post(f"/api/config/config_entries/flow/{flow['flow_id']}", {})
                if result.get("type") == "create_entry":
                    confirmed += 1
        return confirmed

    async def entries(self, domain: str = "face_terminal") -> list[dict[str, Any]]:
        """Config entries of a domain."""
        result: list[dict[str, Any]] = await self.get(
            f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def terminals(self, domain: str = "face_terminal") -> dict[str, dict[str, Any]]:
        """Config entries of `domain` by the ID in their device's identifiers.

        The REST API does not show an entry's unique ID; each terminal entry has one
        device identified by ``(domain, terminal_id)``. Entries whose device is not
        registered yet are left out.
        """
        entries = {entry["entry_id"]: entry for entry in await self.entries(domain)}
        result: dict[str, dict[str, Any]] = {}
        for device in await self.ws({"type": "config/device_registry/list"}):
            for identifier_domain, identifier in device["identifiers"]:
                if identifier_domain != domain:
                    continue
                for entry_id in device["config_entries"]:
                    if entry_id in entries:
                        result[str(identifier)] = entries[entry_id]
        return result

    async def entry(self, unique_id: str, domain: str = "face_terminal") -> dict[str, Any] | None:
        """The config entry of the terminal `unique_id`, or None."""
        return (await self.terminals(domain)).get(unique_id)

    async def delete_entry(self, entry_id: str) -> None:
        """Delete a config entry, as its menu's "Delete" does."""
        async with self.session.delete(
            f"{self.url}/api/config/config_entries/entry/{entry_id}", headers=self._headers
        ) as resp:
            resp.raise_for_status()

    async def set_options(self, entry_id: str, options: dict[str, Any]) -> dict[str, Any]:
        """Run an entry's options flow with `options`, as the options dialog would.

        Returns the flow's final result (``type`` ``create_entry`` on success).
        """
        flow = await self.post("/api/config/config_entries/options/flow", {"handler": entry_id})
        result: dict[str, Any] = await self.post(
            f"/api/config/config_entries/options/flow/{flow['flow_id']}", options
        )
        return result

    async def reconfigure_terminal(
        self, entry_id: str, *, command_topic: str, name: str, ip: str
    ) -> dict[str, Any]:
        """Run a terminal entry's Reconfigure (entry menu) with these values.

        Returns the flow's result (``abort`` with ``reconfigure_successful`` on success).
        """
        flow: dict[str, Any] = await self.post(
            "/api/config/config_entries/flow", {"handler": "face_terminal", "entry_id": entry_id}
        )
        if flow.get("type") != "form":
            return flow  # not a terminal that can be reconfigured (a Jovision device)
        result: dict[str, Any] = await self.post(
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {"command_topic": command_topic, "name": name, "ip": ip},
        )
        return result

    async def wait_for_entry(
        self,
        unique_id: str,
        state: str = "loaded",
        timeout: float = 30,  # noqa: ASYNC109 - a deadline for polling
    ) -> dict[str, Any]:
        """Wait until the entry of a terminal exists and is in `state`."""
        deadline = time.monotonic() + timeout
        while True:
            entry = await self.entry(unique_id)
            if entry is not None and entry["state"] == state:
                return entry
            if time.monotonic() >= deadline:
                raise TimeoutError(f"entry {unique_id} not {state}: {entry}")
            await asyncio.sleep(0.1)

    async def device_id(self, terminal_id: str, domain: str = "face_terminal") -> str:
        """Device registry ID of a terminal."""
        for device in await self.ws({"type": "config/device_registry/list"}):
            if [domain, terminal_id] in device["identifiers"]:
                return str(device["id"])
        raise KeyError(f"no device for terminal {terminal_id}")

    # --- WebSocket ----------------------------------------------------------------

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send one WebSocket command and return its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            reply = await self._ws.receive_json()
            if reply.get("type") != "auth_ok":
                raise RuntimeError(f"WebSocket auth failed: {reply}")
        self._ws_id += 1
        await self._ws.send_json({**message, "id": self._ws_id})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == self._ws_id and reply.get("type") == "result":
                if not reply.get("success"):
                    raise RuntimeError(f"{message['type']} failed: {reply.get('error')}")
                return reply.get("result")

    async def ping(self) -> float:
        """Round trip of a WebSocket ``ping`` on the command connection, in seconds."""
        await self.ws({"type": "get_config"})  # connect and authenticate first
        assert self._ws is not None
        self._ws_id += 1
        started = time.perf_counter()
        await self._ws.send_json({"type": "ping", "id": self._ws_id})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == self._ws_id and reply.get("type") == "pong":
                return time.perf_counter() - started

    async def open_websocket(self) -> aiohttp.ClientWebSocketResponse:
        """A new, authenticated WebSocket connection (the caller closes it)."""
        ws = await self.session.ws_connect(f"{self.url}/api/websocket", max_msg_size=0)
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": self.token})
        reply = await ws.receive_json()
        if reply.get("type") != "auth_ok":
            await ws.close()
            raise RuntimeError(f"WebSocket auth failed: {reply}")
        return ws

    @contextlib.asynccontextmanager
    async def subscribe_events(self, *event_types: str) -> AsyncIterator[EventStream]:
        """Collect bus events of `event_types` on a WebSocket connection of their own."""
        ws = await self.open_websocket()
        stream = EventStream(ws)
        try:
            for number, event_type in enumerate(event_types, start=1):
                await ws.send_json(
                    {"id": number, "type": "subscribe_events", "event_type": event_type}
                )
                while True:
                    reply = await ws.receive_json()
                    if reply.get("id") == number and reply.get("type") == "result":
                        if not reply.get("success"):
                            raise RuntimeError(f"subscribe_events failed: {reply}")
                        break
            stream.start()
            yield stream
        finally:
            await stream.close()

    async def entity_ids(self, terminal_id: str) -> dict[str, str]:
        """Map of `<platform>.<key>` (e.g. ``lock.door``) → entity ID for one terminal."""
        entries = await self.ws({"type": "config/entity_registry/list"})
        result = {}
        prefix = f"{terminal_id}_"
        for entry in entries:
            if entry.get("platform") == "face_terminal" and str(entry["unique_id"]).startswith(
                prefix
            ):
                domain = entry["entity_id"].split(".", 1)[0]
                key = str(entry["unique_id"]).removeprefix(prefix)
                result[f"{domain}.{key}"] = entry["entity_id"]
        return result


@dataclass(slots=True)
class ReceivedEvent:
    """A bus event as the WebSocket delivered it, with its arrival time."""

    event_type: str
    data: dict[str, Any]
    time_fired: str
    arrived: float  # time.perf_counter() when the client read it


class EventStream:
    """Bus events arriving on a dedicated WebSocket (see `subscribe_events`)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read events from an authenticated, subscribed WebSocket once started."""
        self._ws = ws
        self.events: list[ReceivedEvent] = []
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start reading in the background."""
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            arrived = time.perf_counter()
            decoded = json.loads(message.data)
            for item in decoded if isinstance(decoded, list) else [decoded]:
                if item.get("type") != "event":
                    continue
                event = item["event"]
                self.events.append(
                    ReceivedEvent(event["event_type"], event["data"], event["time_fired"], arrived)
                )
            self._changed.set()

    async def close(self) -> None:
        """Stop reading and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._ws.close()

    def matching(self, **data: Any) -> list[ReceivedEvent]:
        """Events whose data has all the given key/value pairs."""
        return [e for e in self.events if all(e.data.get(k) == v for k, v in data.items())]

    async def wait_for(
        self,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 - a deadline for polling
        **data: Any,
    ) -> list[ReceivedEvent]:
        """Wait until at least `count` events match `data`; return them."""
        if not await self.wait_until(lambda: len(self.matching(**data)) >= count, timeout):
            found = len(self.matching(**data))
            raise TimeoutError(f"{found} of {count} events matching {data}")
        return self.matching(**data)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - a deadline for polling
    ) -> bool:
        """Wait until `predicate` holds, checked after each batch of events; return it."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
        return True


def _config_dir(config_dir: Path, *, fresh: bool) -> Path:
    """The absolute configuration folder, emptied first when `fresh`."""
    if fresh and config_dir.exists():
        shutil.rmtree(config_dir)
    return config_dir.resolve()


@contextlib.asynccontextmanager
async def running_home_assistant(
    config_dir: Path, *, frontend: bool = False, fresh: bool = True
) -> AsyncIterator[tuple[HomeAssistantProcess, HomeAssistantClient]]:
    """Start Home Assistant, onboard it and yield the process and a logged-in client."""
    hass_process = HomeAssistantProcess(_config_dir(config_dir, fresh=fresh), frontend=frontend)
    hass_process.start()
    client = HomeAssistantClient(hass_process.url)
    try:
        await hass_process.wait_until_up()
        await client.onboard_or_login()
        yield hass_process, client
    finally:
        await client.close()
        hass_process.stop()
