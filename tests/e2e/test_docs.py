"""The documents match the code, and their examples run in a real Home Assistant.

Every page (README.md and docs/*.md) is checked: every link and anchor resolves (GitHub
addresses of this repository are resolved in the checkout, as the README must use them:
HACS renders it inside Home Assistant, where relative links break), every page can be
reached from the README, every action and field of services.yaml is on the actions page,
every blueprint has an import button, the dashboard is the one the browser test renders,
and the changelog describes the manifest's version.

Every fenced example is known: each YAML automation is saved through the automation
editor of a real Home Assistant and then run by the event or state it waits for (the run
must get past its conditions to its actions); trigger snippets and action calls are
validated by Home Assistant, with the action's fields checked against services.yaml; the
roster examples (CSV and YAML) are synced to a simulated terminal.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket
import yaml

from harness.dashboard import terminal_dashboard
from simulator import images

from .conftest import Stack, add_terminal, make_terminal, run_async, wait_for_state

if TYPE_CHECKING:
    from collections.abc import Iterator

    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

REPO = Path(__file__).resolve().parents[2]
README_PATH = REPO / "README.md"
README = README_PATH.read_text(encoding="utf-8")
PAGES = [README_PATH, *sorted((REPO / "docs").glob("*.md"))]
GITHUB = "https://github.com/face-terminal/face_terminal"
RAW = "https://raw.githubusercontent.com/face-terminal/face_terminal/main/"
IN_REPOSITORY = (f"{GITHUB}/blob/main/", f"{GITHUB}/tree/main/", RAW)
MY_HOME_ASSISTANT = "https://my.home-assistant.io/redirect/"
SERVICES = yaml.safe_load(
    (REPO / "custom_components" / "face_terminal" / "services.yaml").read_text(encoding="utf-8")
)
BLUEPRINTS = sorted((REPO / "blueprints" / "automation" / "face_terminal").glob("*.yaml"))
README_MAX_LINES = 250
# Entity IDs Home Assistant gives a terminal named "Front door".
FRONT_DOOR_IDS = {
    key: f"{key.split('.')[0]}.front_door_{key.split('.')[1]}"
    for key in (
        "lock.door",
        "image.last_face",
        "sensor.body_temperature",
        "binary_sensor.online",
        "camera.scene",
        "event.access",
    )
}
FENCE_LANGUAGES = {"yaml", "csv", "bash", "conf", "text"}


def page_id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# --- reading the pages -----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page."""

    page: Path
    line: int
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{page_id(self.page)}:{self.line}"


_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<language>\S*)\n(?P<text>.*?)^(?P=indent)```$", re.M | re.S
)


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a page, in order."""
    text = path.read_text(encoding="utf-8")
    return [
        Block(path, text.count("\n", 0, match.start()) + 1, match["language"], match["text"])
        for match in _FENCE.finditer(text)
    ]


def prose(text: str) -> str:
    """A page without its fenced blocks and inline code (links there are no links)."""
    text = _FENCE.sub("", text)
    return re.sub(r"`[^`\n]*`", "", text)


def links(text: str) -> list[str]:
    """Every link target of a page: inline links and images, references, HTML attributes."""
    body = prose(text)
    found = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", body)
    found += re.findall(r"^\[[^\]]+\]:\s+(\S+)", body, re.M)
    found += re.findall(r"(?:href|src)=\"([^\"]+)\"", body)
    return found


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a page: its headings' slugs (numbered when repeated) and HTML ids."""
    body = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", body, re.M):
        slug = github_slug(heading)
        found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    found.update(re.findall(r"<a (?:id|name)=\"([^\"]+)\"", body))
    return found


def local_target(page: Path, target: str) -> tuple[Path, str] | None:
    """The file and anchor a link points to in this checkout; None for other sites."""
    if target.startswith("#"):
        return page, target[1:]
    for prefix in IN_REPOSITORY:
        if target.startswith(prefix):
            path, _, anchor = target.removeprefix(prefix).partition("#")
            return REPO / urllib.parse.unquote(path), anchor
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
        return None
    path, _, anchor = target.partition("#")
    return (page.parent / urllib.parse.unquote(path)).resolve(), anchor


def link_problems(page: Path, target: str) -> list[str]:
    """What is wrong with one link of a page."""
    where = f"{page_id(page)} → {target}"
    if target.startswith(MY_HOME_ASSISTANT):
        return my_link_problems(page, target)
    if target.startswith(f"{GITHUB}/") and not target.startswith(IN_REPOSITORY):
        # Issues, releases, the repository itself: addresses of this project on GitHub.
        rest = target.removeprefix(f"{GITHUB}/")
        if not re.fullmatch(r"(issues(/\d+)?|releases(/latest)?|issues/new/choose)", rest):
            return [f"{where}: unknown address of this repository"]
        return []
    resolved = local_target(page, target)
    if resolved is None:
        return [] if target.startswith("https://") else [f"{where}: not an https address"]
    path, anchor = resolved
    if not path.is_relative_to(REPO):
        return [f"{where}: outside the repository"]
    if not path.exists():
        return [f"{where}: {page_id(path) if path.is_relative_to(REPO) else path} is missing"]
    if target.startswith(RAW) and not path.is_file():
        return [f"{where}: a raw address must name a file"]
    if anchor and path.suffix == ".md" and anchor not in anchors(path):
        return [f"{where}: no heading #{anchor} in {page_id(path)}"]
    return []


def my_link_problems(page: Path, target: str) -> list[str]:
    """A My Home Assistant link must name this integration, repository or a blueprint."""
    where = f"{page_id(page)} → {target}"
    url = urllib.parse.urlsplit(target)
    query = dict(urllib.parse.parse_qsl(url.query))
    kind = url.path.removeprefix("/redirect/").strip("/")
    if kind == "hacs_repository":
        expected = {"owner": "face-terminal", "repository": "face_terminal"}
        expected["category"] = "integration"
        return [] if query == expected else [f"{where}: not this repository"]
    if kind == "config_flow_start":
        return [] if query == {"domain": "face_terminal"} else [f"{where}: not this domain"]
    if kind == "blueprint_import":
        source = query.get("blueprint_url", "")
        if not source.startswith(f"{GITHUB}/blob/main/blueprints/"):
            return [f"{where}: not a blueprint of this repository"]
        return link_problems(page, source)
    return [f"{where}: unknown My Home Assistant redirect"]


# --- the pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_link_and_anchor_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    found = links(text)
    assert found or page.name == "benchmarks-roster.md"
    problems = [problem for target in found for problem in link_problems(page, target)]
    assert problems == []


def test_link_checks_catch_broken_links() -> None:
    """The checks above do fail: a missing page, a missing anchor, a foreign blueprint."""
    page = REPO / "docs" / "README.md"
    assert link_problems(page, "configuration.md#entities") == []
    assert link_problems(page, "nowhere.md")
    assert link_problems(page, "configuration.md#no-such-heading")
    assert link_problems(page, f"{GITHUB}/blob/main/docs/security.md#no-such-heading")
    assert link_problems(page, f"{RAW}docs/images/missing.png")
    assert link_problems(page, "http://example.com/")
    assert link_problems(
        page,
        MY_HOME_ASSISTANT
        + "blueprint_import/?blueprint_url="
        + urllib.parse.quote("https://github.com/someone/else/blob/main/x.yaml", safe=""),
    )
    assert github_slug("Broker with `set_tcp_nodelay true`") == "broker-with-set_tcp_nodelay-true"
    assert github_slug("`face_terminal.unlock`") == "face_terminalunlock"
    assert github_slug("Access decisions (door mode 3)") == "access-decisions-door-mode-3"


def test_readme_is_a_landing_page_that_works_in_hacs() -> None:
    """Short, and only absolute links: HACS shows it inside Home Assistant (render_readme)."""
    assert len(README.splitlines()) <= README_MAX_LINES
    relative = [target for target in links(README) if not target.startswith(("https://", "#"))]
    assert relative == []
    headings = set(re.findall(r"^## (.+)$", README, re.M))
    assert {
        "Screenshots",
        "Supported devices",
        "Install with HACS",
        "Adding the first terminal",
        "The dashboard",
        "Documentation",
    } <= headings


def test_readme_screenshots_exist() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\((\S+?\.png)\)", README)
    assert len(pictures) >= 4
    for picture in pictures:
        assert picture.startswith(f"{RAW}docs/images/"), picture
        assert (REPO / picture.removeprefix(RAW)).is_file(), picture


def test_every_page_is_reachable_from_the_readme() -> None:
    reached: set[Path] = set()
    todo = [README_PATH]
    while todo:
        page = todo.pop()
        if page in reached:
            continue
        reached.add(page)
        for target in links(page.read_text(encoding="utf-8")):
            resolved = local_target(page, target)
            if resolved is not None and resolved[0].suffix == ".md" and resolved[0].is_file():
                todo.append(resolved[0])
    assert set(PAGES) - reached == set()


def test_readme_dashboard_is_the_one_the_browser_test_renders() -> None:
    match = re.search(r"<!-- dashboard-yaml:[^>]*-->\n```yaml\n(.*?)```", README, re.DOTALL)
    assert match is not None
    assert yaml.safe_load(match.group(1)) == terminal_dashboard("Front door", FRONT_DOOR_IDS)


def test_every_blueprint_has_an_import_button_and_a_source() -> None:
    page = (REPO / "docs" / "automations.md").read_text(encoding="utf-8")
    assert BLUEPRINTS
    redirect = f"{MY_HOME_ASSISTANT}blueprint_import/?blueprint_url="
    for path in BLUEPRINTS:
        url = f"{GITHUB}/blob/main/{path.relative_to(REPO).as_posix()}"
        assert f"]({redirect}{urllib.parse.quote(url, safe='')})" in page, path.name
    # HACS installs no blueprints: the page says how to import them.
    assert "Import blueprint" in page
    assert "HACS installs the integration only" in page


def test_actions_page_has_every_action_with_every_field() -> None:
    page = (REPO / "docs" / "actions.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `face_terminal\.(\w+)`\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    assert set(sections) == set(SERVICES)
    for action, description in SERVICES.items():
        documented = set(re.findall(r"^\| `(\w+)` \|", sections[action], re.M))
        assert documented == set(description.get("fields") or {}), action
        if "target" in description:
            assert "**Target**" in sections[action], action


def test_changelog_describes_the_manifest_version() -> None:
    manifest = json.loads(
        (REPO / "custom_components" / "face_terminal" / "manifest.json").read_text(encoding="utf-8")
    )
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE)
    assert releases[0] == manifest["version"]  # the newest entry is the version in the making
    assert f"[{manifest['version']}]: {GITHUB}/" in changelog
    assert f'version = "{manifest["version"]}"' in (REPO / "pyproject.toml").read_text()


# --- the examples ----------------------------------------------------------------------


@dataclass
class Examples:
    """Every fenced example of every page, by kind."""

    automations: list[tuple[str, dict[str, Any]]]
    triggers: list[tuple[str, list[dict[str, Any]]]]
    action_calls: list[tuple[str, dict[str, Any]]]
    dashboards: list[tuple[str, dict[str, Any]]]
    rosters: list[tuple[str, str, str]]  # where, format (csv or yaml), text
    other: list[tuple[str, str]]  # where, language (shell, broker configuration, output)


def collect_examples() -> Examples:
    """Sort every fenced block; an example of an unknown kind fails the test."""
    examples = Examples([], [], [], [], [], [])
    for page in PAGES:
        for block in blocks(page):
            assert block.language in FENCE_LANGUAGES, f"{block.where}: ```{block.language}"
            if block.language == "csv":
                header = next(csv.reader(io.StringIO(block.text)))
                assert {"custom_id", "name"} <= set(header), block.where
                examples.rosters.append((block.where, "csv", block.text))
                continue
            if block.language != "yaml":
                examples.other.append((block.where, block.language))
                continue
            loaded = yaml.safe_load(block.text)
            if isinstance(loaded, dict) and "automation" in loaded:
                assert set(loaded) == {"automation"}, block.where
                examples.automations.extend(
                    (f"{block.where} ({item['alias']})", item) for item in loaded["automation"]
                )
            elif isinstance(loaded, dict) and set(loaded) == {"triggers"}:
                examples.triggers.append((block.where, loaded["triggers"]))
            elif isinstance(loaded, dict) and "action" in loaded:
                examples.action_calls.append((block.where, loaded))
            elif isinstance(loaded, dict) and "views" in loaded:
                examples.dashboards.append((block.where, loaded))
            elif isinstance(loaded, list) and all("custom_id" in row for row in loaded):
                examples.rosters.append((block.where, "yaml", block.text))
            else:
                raise AssertionError(f"{block.where}: an example of an unknown kind")
    return examples


EXAMPLES = collect_examples()


def test_every_example_is_of_a_known_kind() -> None:
    """Parsed above; the pages still hold the examples users copy."""
    assert len(EXAMPLES.automations) >= 8
    assert EXAMPLES.triggers
    assert len(EXAMPLES.action_calls) >= 2
    assert len(EXAMPLES.dashboards) == 1
    assert len(EXAMPLES.rosters) >= 3
    for where, call in EXAMPLES.action_calls:
        domain, _, action = call["action"].partition(".")
        assert domain == "face_terminal", where
        assert action in SERVICES, where
        assert set(call.get("data", {})) <= set(SERVICES[action].get("fields") or {}), where


# In a real Home Assistant ---------------------------------------------------------------

DOCS_TERMINAL = "1366001"
# What the integration's events carry (docs/automations.md, Events); a trigger's own
# `event_data` overrides these.
EVENT_SAMPLES: dict[str, dict[str, Any]] = {
    "face_terminal_recognition": {
        "record_id": "docs-1",
        "time": "2026-12-01T08:00:00+00:00",
        "access": "access_granted",
        "person_name": "Alice",
        "custom_id": "alice-01",
        "person_id": "1",
        "similarity": 92,
        "temperature": 36.5,
        "direction": "entr",
        "blacklisted": False,
        "replay": False,
        "person_entity_id": "person.alice",
    },
    "face_terminal_scan": {"time": "2026-12-01T08:00:00+00:00", "scan_type": "qr_code"},
    "face_terminal_guest_pass": {"result": "used", "pass_id": "1a2b3c4d", "label": "Plumber"},
    "face_terminal_access_request": {
        "request_id": "docs-request",
        "record_id": "docs-2",
        "time": "2026-12-01T08:00:00+00:00",
        "deadline": "2026-12-01T08:00:05+00:00",
        "default": False,
        "person_name": "Alice",
        "custom_id": "alice-01",
        "similarity": 92,
        "blacklisted": False,
        "person_entity_id": "person.alice",
    },
    "face_terminal_capture": {
        "family": "jovision",
        "time": "2026-12-01T08:00:00+00:00",
        "temperature": 37.8,
        "temperature_threshold": 37.3,
        "temperature_warning": "over",
    },
}
# The attributes of an event entity's state for each event type a state trigger waits for.
STATE_SAMPLES: dict[str, dict[str, Any]] = {
    "stranger": {},
    "terminal_alarm": {"alarm_code": 3, "description": "Tamper switch", "status": 1},
    "high_temperature": {"temperature": 38.2, "access": "access_granted"},
}


@pytest.fixture(scope="module")
def docs_terminal(stack: Stack) -> Iterator[Terminal]:
    """A terminal of its own: the examples open its door and sync rosters to it."""
    pytest_socket.enable_socket()  # module setup runs before the per-test socket fixture
    terminal = make_terminal(stack, DOCS_TERMINAL)
    try:
        run_async(add_terminal(stack, terminal))
        yield terminal
    finally:
        terminal.stop()


async def save_automation(
    client: HomeAssistantClient, automation_id: str, config: dict[str, Any]
) -> None:
    """Save through the editor (which validates it) and wait until it is on."""
    await client.save_automation(automation_id, config)
    for _ in range(100):
        for entry in await client.ws({"type": "config/entity_registry/list"}):
            if entry["platform"] == "automation" and entry["unique_id"] == automation_id:
                await wait_for_state(client, entry["entity_id"], "on")
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{config['alias']}: not created")


async def runs(client: HomeAssistantClient, automation_id: str) -> list[dict[str, Any]]:
    """The finished runs of an automation, with their traces."""
    summaries = await client.ws(
        {"type": "trace/list", "domain": "automation", "item_id": automation_id}
    )
    return [
        await client.ws(
            {
                "type": "trace/get",
                "domain": "automation",
                "item_id": automation_id,
                "run_id": summary["run_id"],
            }
        )
        for summary in summaries
        if summary["state"] == "stopped"
    ]


def fire_steps(config: dict[str, Any], device_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """What makes each trigger of an automation fire: ("event"|"state", name, data)."""
    steps = []
    for trigger in config["triggers"]:
        if trigger["trigger"] == "event":
            event_type = trigger["event_type"]
            data = {
                "device_id": device_id,
                "terminal_id": DOCS_TERMINAL,
                **EVENT_SAMPLES[event_type],
                **trigger.get("event_data", {}),
            }
            steps.append(("event", event_type, data))
        elif trigger["trigger"] == "state" and trigger.get("attribute") == "event_type":
            event_type = trigger["to"]
            attributes = {"event_type": event_type, **STATE_SAMPLES[event_type]}
            steps.append(("state", trigger["entity_id"], attributes))
        else:
            raise AssertionError(f"{config['alias']}: no way to fire {trigger}")
    return steps


async def fire(client: HomeAssistantClient, step: tuple[str, str, dict[str, Any]]) -> None:
    kind, name, data = step
    if kind == "event":
        await client.post(f"/api/events/{name}", data)
        return
    # An event entity: first another event type, so that the trigger sees a change.
    await client.post(
        f"/api/states/{name}",
        {"state": "2026-12-01T07:59:00.000+00:00", "attributes": {"event_type": "before"}},
    )
    await client.post(
        f"/api/states/{name}", {"state": "2026-12-01T08:00:00.000+00:00", "attributes": data}
    )


async def test_automation_examples_run(
    docs_terminal: Terminal, client: HomeAssistantClient
) -> None:
    """Each automation of the pages is saved, fired by its trigger and reaches its actions."""
    device_id = await client.device_id(DOCS_TERMINAL)
    # What the examples read besides the event: the person they name.
    await client.post(
        "/api/states/person.alice", {"state": "home", "attributes": {"friendly_name": "Alice"}}
    )
    unlocks = docs_terminal.unlock_count
    saved: list[str] = []
    try:
        for number, (where, config) in enumerate(EXAMPLES.automations):
            automation_id = f"docs_example_{number}"
            try:
                await save_automation(client, automation_id, config)
            except RuntimeError as err:
                raise AssertionError(f"{where}: Home Assistant refused it: {err}") from err
            saved.append(automation_id)
            steps = fire_steps(config, device_id)
            for count, step in enumerate(steps, start=1):
                await fire(client, step)  # one at a time: `mode: single` drops overlaps
                for _ in range(100):
                    finished = await runs(client, automation_id)
                    if len(finished) >= count:
                        break
                    await asyncio.sleep(0.1)
                assert len(finished) >= count, f"{where}: {len(finished)} runs of {count}"
            for run in finished:
                trace = run["trace"]
                assert "action/0" in trace, f"{where}: stopped before its actions: {run}"
                [step] = trace["action/0"]
                assert "params" in step.get("result", {}), f"{where}: {step}"
        # The parcel example opened the door of the terminal its QR code came from.
        assert docs_terminal.wait_for(lambda: docs_terminal.unlock_count > unlocks, 10)
    finally:
        for automation_id in saved:
            await client.delete_automation(automation_id)


async def test_trigger_and_action_examples_are_valid(client: HomeAssistantClient) -> None:
    for where, triggers in EXAMPLES.triggers:
        result = await client.ws({"type": "validate_config", "triggers": triggers})
        assert result["triggers"]["valid"], f"{where}: {result}"
    services = await client.ws({"type": "get_services"})
    for where, call in EXAMPLES.action_calls:
        result = await client.ws({"type": "validate_config", "actions": [call]})
        assert result["actions"]["valid"], f"{where}: {result}"
        action = call["action"].removeprefix("face_terminal.")
        assert set(call.get("data", {})) <= set(services["face_terminal"][action]["fields"])


async def wait_for_reload(client: HomeAssistantClient, before: dict[str, Any] | None) -> None:
    """A sync that changed links reloads the terminal's entry: wait until it is back online.

    The reload is scheduled, not awaited by the action: the online entity is written anew
    once the reloaded entry has set it up, and is on again once the terminal is heard.
    """
    assert before is not None
    entity_id = before["entity_id"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        state = await client.state(entity_id)
        if (
            state is not None
            and state["state"] == "on"
            and state["last_updated"] > before["last_updated"]
        ):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{entity_id} did not come back after the reload")


def photo(path: Path, label: str) -> None:
    """A drawn face in the format the file name asks for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        images.draw_face(label).save(path, format="PNG")
    else:
        path.write_bytes(images.face_jpeg(label))


async def test_roster_examples_sync_to_a_terminal(
    docs_terminal: Terminal, client: HomeAssistantClient, stack: Stack
) -> None:
    """Each roster of the pages, as a file with its photos, syncs without a failure."""
    device_id = await client.device_id(DOCS_TERMINAL)
    online = (await client.entity_ids(DOCS_TERMINAL))["binary_sensor.online"]
    for number, (where, kind, text) in enumerate(EXAMPLES.rosters):
        folder = stack.media_dir / f"docs-roster-{number}"
        rows = list(csv.DictReader(io.StringIO(text))) if kind == "csv" else yaml.safe_load(text)
        for row in rows:
            if row.get("photo"):
                photo(folder / row["photo"], row["name"])
        roster = folder / f"people.{kind}"
        roster.write_text(text, encoding="utf-8")
        before = await client.state(online)
        response = await client.call_service(
            "face_terminal",
            "sync_persons",
            {"device_id": device_id, "roster_file": str(roster)},
            response=True,
        )
        [report] = response["service_response"]["results"]
        assert report["success"] is True, f"{where}: {report}"
        assert report["failed"] == 0, f"{where}: {report}"
        synced = report["added"] + report["updated"] + report["unchanged"]
        assert synced == len(rows), f"{where}: {report}"
        if report["person_links"]["set"] or report["person_links"]["cleared"]:
            await wait_for_reload(client, before)
    for where, kind, text in EXAMPLES.rosters:
        for row in csv.DictReader(io.StringIO(text)) if kind == "csv" else yaml.safe_load(text):
            person = docs_terminal.store.get(row["custom_id"])
            assert person is not None, f"{where}: {row['custom_id']}"
            assert person.name == row["name"], where
