"""The device-runtime contract: platforms decide by capability, never by the family's class."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from homeassistant.const import Platform

from custom_components.face_terminal.const import DOMAIN, PLATFORMS
from custom_components.face_terminal.coordinator import FaceTerminal
from custom_components.face_terminal.device import Capability, ImageKind, device_platforms
from custom_components.face_terminal.jovision import JovisionDevice
from custom_components.face_terminal.protocol import Image
from custom_components.face_terminal.snapshot import TerminalSnapshot

PACKAGE = Path(__file__).parent.parent / "custom_components" / "face_terminal"
SHARED_MODULES = ("entity", "binary_sensor", "event", "image", "sensor")
FAMILY_CLASSES = {"FaceTerminal", "JovisionDevice", "JovisionReceiver"}
FAMILY_MODULES = {"coordinator", "jovision"}


def _runtime_imports(tree: ast.Module) -> set[str]:
    """Modules of the package imported outside ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module)
    return found


def _family_checks(tree: ast.Module) -> list[str]:
    """The ``isinstance`` calls that test for a family's class."""
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "isinstance"
        and FAMILY_CLASSES.intersection(
            name.id for name in ast.walk(node.args[1]) if isinstance(name, ast.Name)
        )
    ]


def _parse(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("module", [*SHARED_MODULES, "services", "action_helpers"])
def test_shared_modules_do_not_know_the_families(module: str) -> None:
    """No isinstance on a family's class, and no run-time import of a family's module."""
    tree = _parse(module)
    assert _family_checks(tree) == []
    assert _runtime_imports(tree).isdisjoint(FAMILY_MODULES)


def test_diagnostics_ask_the_runtime() -> None:
    """Diagnostics do not pick their output by the runtime's class.

    They may tell the receiver entry (no device) from device entries, with the same
    `is_receiver_entry` the setup uses, which lives in the Jovision module.
    """
    assert _family_checks(_parse("diagnostics")) == []


def test_the_guard_sees_a_branch() -> None:
    """The check above finds what it looks for (it is not vacuous)."""
    tree = ast.parse(
        "from .jovision import JovisionDevice\n"
        "if isinstance(runtime, (JovisionDevice, int)):\n    pass\n"
    )
    assert _runtime_imports(tree) == {"jovision"}
    assert _family_checks(tree) == ["isinstance(runtime, (JovisionDevice, int))"]


def test_platforms_follow_capabilities() -> None:
    """A Jovision device has no lock or camera; an MQTT terminal has every platform."""
    assert device_platforms(FaceTerminal.__new__(FaceTerminal), PLATFORMS) == PLATFORMS
    assert device_platforms(JovisionDevice.__new__(JovisionDevice), PLATFORMS) == [
        Platform.BINARY_SENSOR,
        Platform.EVENT,
        Platform.IMAGE,
        Platform.SENSOR,
    ]
    assert Capability.COMMANDS in FaceTerminal.capabilities
    assert Capability.COMMANDS not in JovisionDevice.capabilities


def test_mqtt_terminal_reads_its_snapshot() -> None:
    """The MQTT runtime answers the contract from its snapshot (no second copy of state)."""
    seen = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    face = Image(b"\xff\xd8face", "image/jpeg")
    terminal = FaceTerminal.__new__(FaceTerminal)
    terminal.terminal_id = "1305433"
    terminal.state = TerminalSnapshot(online=True, last_seen=seen)
    assert (terminal.online, terminal.last_seen) == (True, seen)
    assert terminal.device_info == {"identifiers": {(DOMAIN, "1305433")}}
    assert terminal.last_image(ImageKind.FACE) is None
    terminal.state.last_face, terminal.state.last_face_time = face, seen
    assert terminal.last_image(ImageKind.FACE) == (face, seen)
    assert terminal.last_image(ImageKind.SCENE) is None
