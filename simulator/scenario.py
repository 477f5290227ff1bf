"""Scripted events: ``--event`` strings and scenario files.

One event per line (``#`` at the start or after white space starts a comment)::

    person Alice at 1305433      # RecPush for an enrolled person (name or customId)
    stranger at 1305434          # StrSnapPush
    qr https://u.wechat.com/x at 1305433
    card 86664719 at 1305433
    idcard at 1305433            # IDCardPush with a fake identity card
    idcard Wang Wu at 1305433    # ... with that name
    sleep 2.5                    # pause
    kill at 1305433              # drop the connection (broker sends the will)
    stop at 1305433              # graceful stop (Offline)
    start at 1305433             # start again after kill/stop
    reboot at 1305433            # simulated reboot

``at <ID>`` is optional and defaults to the first terminal.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading
    from collections.abc import Sequence

    from simulator.terminal import Terminal

_LOGGER = logging.getLogger(__name__)
_COMMENT = re.compile(r"(^|\s)#.*$")
_AT = re.compile(r"^(?P<rest>.*?)\s+at\s+(?P<target>\S+)\s*$", re.IGNORECASE)
ACTIONS = frozenset(
    {"person", "stranger", "qr", "card", "idcard", "sleep", "kill", "stop", "start", "reboot"}
)
_NEEDS_ARGUMENT = frozenset({"person", "qr", "card", "sleep"})


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One scripted event.

    Attributes:
        action: One of :data:`ACTIONS`.
        argument: Person, QR text, card number, ID-card name or sleep seconds.
        target: Terminal ID, or ``None`` for the first terminal.
    """

    action: str
    argument: str | None = None
    target: str | None = None


def parse_event(text: str) -> Event | None:
    """Parse one event line; blank lines and comments give ``None``.

    Raises:
        ValueError: For unknown actions or a missing argument.
    """
    line = _COMMENT.sub("", text).strip()
    if not line or line.startswith("#"):
        return None
    target = None
    match = _AT.match(line)
    if match is not None:
        line, target = match["rest"].strip(), match["target"]
    action, _, argument = line.partition(" ")
    action = action.lower()
    argument = argument.strip()
    if action not in ACTIONS:
        raise ValueError(f"unknown event {text!r}; actions: {', '.join(sorted(ACTIONS))}")
    if action in _NEEDS_ARGUMENT and not argument:
        raise ValueError(f"event {text!r} needs an argument")
    if action == "sleep":
        try:
            float(argument)
        except ValueError as err:
            raise ValueError(f"bad sleep time in {text!r}") from err
    return Event(action, argument or None, target)


def parse_scenario(text: str) -> list[Event]:
    """Parse a scenario file's content (one event per line).

    Raises:
        ValueError: With the line number for the first bad line.
    """
    events: list[Event] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            event = parse_event(line)
        except ValueError as err:
            raise ValueError(f"line {number}: {err}") from err
        if event is not None:
            events.append(event)
    return events


def run_event(event: Event, terminals: Sequence[Terminal], stop: threading.Event) -> None:
    """Perform one event on the matching terminal.

    Args:
        event: What to do.
        terminals: The running terminals (the first one is the default target).
        stop: Set to interrupt ``sleep``.

    Raises:
        ValueError: When the target terminal does not exist.
        KeyError: When a ``person`` event names nobody enrolled.
    """
    if event.action == "sleep":
        stop.wait(float(event.argument or 0))
        return
    terminal = _target(event.target, terminals)
    _LOGGER.info("event: %s %s at %s", event.action, event.argument or "", terminal.terminal_id)
    match event.action:
        case "person":
            terminal.push_recognition(event.argument or "")
        case "stranger":
            terminal.push_stranger()
        case "qr":
            terminal.push_qr(event.argument or "")
        case "card":
            terminal.push_card(event.argument or "")
        case "idcard":
            if event.argument:
                terminal.push_id_card(name=event.argument)
            else:
                terminal.push_id_card()
        case "kill":
            terminal.kill()
        case "stop":
            terminal.stop()
        case "start":
            terminal.start()
        case _:
            terminal.reboot()


def _target(target: str | None, terminals: Sequence[Terminal]) -> Terminal:
    if not terminals:
        raise ValueError("no terminals")
    if target is None:
        return terminals[0]
    for terminal in terminals:
        if terminal.terminal_id == target:
            return terminal
    known = ", ".join(terminal.terminal_id for terminal in terminals)
    raise ValueError(f"no terminal {target!r} (known: {known})")
