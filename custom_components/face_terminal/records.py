"""Records the session hands over, as Home Assistant bus events and entity updates.

`RecordEvents` (``FaceTerminal.records``) turns each new record into its bus event —
with the Home Assistant person linked to the recognised customId — and hands a live one
to `remember` (the terminal's `snapshot.TerminalSnapshot`). Its listeners (the entities) hear of
the live records later, once the runtime let the bus event go out first.

Replays (re-sent after an outage, or on request) are history for the bus and the
logbook, never a live arrival for the entities, nor the "last" anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback

from . import protocol
from .alarms import build_alarm
from .const import ATTR_PERSON_ENTITY_ID
from .events import build_record, name_logbook_entity
from .guests import ATTR_FACE_REF, async_get_guest_passes, async_get_stranger_faces, is_pass_code
from .people import linked_person
from .protocol.alarms import AlarmInfoPush

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable, Iterable

    from .events import Record, TerminalRecord
    from .guests import Unlock
    from .port import TerminalPort


class RecordEvents:
    """One terminal's records: bus events, the snapshot, the entities' listeners."""

    def __init__(
        self,
        terminal: TerminalPort,
        remember: Callable[[TerminalRecord], None],
        counters: Counter[str],
        unlock: Unlock | None = None,
    ) -> None:
        """Hand live records to `remember` before their event; count replays in `counters`.

        `unlock` opens the door for a guest pass the scanner read (`guests`); without
        it, passes are refused like any other scan.
        """
        self._terminal = terminal
        self._unlock = unlock
        self._remember = remember
        self._counters = counters
        self._listeners: list[Callable[[TerminalRecord], None]] = []
        self._replay_listeners: list[Callable[[TerminalRecord], None]] = []

    @callback
    def async_add_listener(self, listener: Callable[[TerminalRecord], None]) -> CALLBACK_TYPE:
        """Call `listener` with every new, live record (not duplicates, not replays)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_replay_listener(
        self, listener: Callable[[TerminalRecord], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with every re-sent record, after its bus event (`newest.py`)."""
        self._replay_listeners.append(listener)
        return lambda: self._replay_listeners.remove(listener)

    def fire(self, message: Record | AlarmInfoPush) -> TerminalRecord | None:
        """Fire a record's bus event; the live arrival the entities are to see, if any."""
        terminal = self._terminal
        if isinstance(message, protocol.QRCodePush) and is_pass_code(message.code):
            # A guest pass: its code is a secret, so no scan event carries it.
            if self._unlock is not None:
                async_get_guest_passes(terminal.hass).async_scan(terminal, message, self._unlock)
            return None
        ids = {"device_id": terminal.device_id, "terminal_id": terminal.terminal_id}
        if isinstance(message, AlarmInfoPush):
            record = build_alarm(message, **ids)
            name_logbook_entity(terminal.hass, record.bus_event, record.data, terminal.terminal_id)
        else:
            record = build_record(message, **ids)
            name_logbook_entity(terminal.hass, record.bus_event, record.data, terminal.terminal_id)
            if isinstance(message, protocol.RecPush) and (
                person := linked_person(terminal.entry, message.custom_id)
            ):
                record.data[ATTR_PERSON_ENTITY_ID] = person
            if record.replay:
                terminal.hass.bus.async_fire(record.bus_event, record.data, context=record.context)
                self._counters["replayed_records"] += 1
                # Not an arrival, but maybe newer than what the "last" entities show.
                for listener in list(self._replay_listeners):
                    listener(record)
                return None
        if isinstance(message, protocol.StrSnapPush) and message.face.image is not None:
            # A short-lived handle on the face (kept in memory only) to let the stranger in.
            record.data[ATTR_FACE_REF] = async_get_stranger_faces(terminal.hass).keep(
                message.face.image, terminal_id=terminal.terminal_id, device_id=terminal.device_id
            )
        self._remember(record)
        # One context for the event and the entity updates it causes (logbook lines).
        terminal.hass.bus.async_fire(record.bus_event, record.data, context=record.context)
        return record

    def deliver(self, records: Iterable[TerminalRecord]) -> None:
        """Tell the listeners of live records (after their bus events went out)."""
        for record in records:
            for listener in list(self._listeners):
                listener(record)
