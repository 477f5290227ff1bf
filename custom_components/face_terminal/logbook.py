"""Describe the integration's bus events in the logbook.

Each record becomes one readable line that names the person and the door, e.g.
"Alice was granted access at Front door", "Front door saw a stranger" or "Front door read
the ID card of 张三 (…8515)". Only the event data is used; it never holds pictures or
full ID or phone numbers.

The entities a record updates (the access event, the last-person sensor) write their
states in the record's context, so the logbook shows their lines as caused by this
described event: its name (the person, where there is one) is their cause. Home
Assistant gives an integration no way to leave an event entity's or a text sensor's
state changes out of the logbook (it only drops sensors with a unit, a state class or a
numeric device class, and counter, image and proximity entities), so those lines remain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .alarms import EVENT_ALARM
from .const import (
    ACCESS_DENIED,
    ACCESS_GRANTED,
    ACCESS_UNKNOWN,
    ATTR_ACCESS,
    ATTR_ALARM_CODE,
    ATTR_CARD_NUMBER,
    ATTR_DESCRIPTION,
    ATTR_DEVICE_ID,
    ATTR_ID_LAST4,
    ATTR_PERSON_NAME,
    ATTR_REPLAY,
    ATTR_SCAN_TYPE,
    AWAITING_REMOTE,
    BLACKLISTED,
    DOMAIN,
    EVENT_CAPTURE,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
    NO_PERMISSION,
    NOT_REGISTERED,
    SCAN_CARD,
    SCAN_ID_CARD,
    SCAN_QR_CODE,
    VIP,
)

DEFAULT_NAME = "Face terminal"
UNKNOWN_PERSON = "An enrolled person"

type DescribeCallback = Callable[[Event], dict[str, str]]


def recognition_line(door: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """Name and message of a recognition record: who, then what happened where."""
    access = data.get(ATTR_ACCESS)
    if access == NOT_REGISTERED:
        return door, _replayed("saw a face that is not registered", data)
    person = data.get(ATTR_PERSON_NAME) or UNKNOWN_PERSON
    if access == ACCESS_GRANTED:
        text = f"was granted access at {door}"
    elif access == ACCESS_DENIED:
        text = f"was denied access at {door}"
    elif access == AWAITING_REMOTE:
        text = f"was recognised at {door}, awaiting remote confirmation"
    elif access == NO_PERMISSION:
        text = f"was recognised at {door} but has no permission at this time"
    elif access == BLACKLISTED:
        text = f"was recognised at {door} (blacklisted)"
    elif access == VIP:
        text = f"was recognised at {door} (VIP)"
    elif access == ACCESS_UNKNOWN:
        text = f"was recognised at {door} with an unknown status (not granted)"
    else:
        text = f"was recognised at {door}"
    return person, _replayed(text, data)


def stranger_line(door: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """Name and message of a stranger snapshot."""
    return door, _replayed("saw a stranger", data)


def capture_line(door: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """Name and message of a Jovision capture (a face, nobody matched)."""
    return door, "captured a face"


def alarm_line(door: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """Name and message of a terminal's alarm push: its code and its own description."""
    code = data.get(ATTR_ALARM_CODE)
    text = f"raised alarm {code}" if code is not None else "raised an alarm"
    description = data.get(ATTR_DESCRIPTION)
    return door, f"{text}: {description}" if description else text


def scan_line(door: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """Name and message of a QR code, card or ID card."""
    return door, scan_message(data)


def scan_message(data: Mapping[str, Any]) -> str:
    """Sentence (after the terminal's name) for a QR code, card or ID card."""
    scan_type = data.get(ATTR_SCAN_TYPE)
    if scan_type == SCAN_QR_CODE:
        # The code's text may be a personal access token: it stays in the event data.
        return "scanned a QR code"
    if scan_type == SCAN_CARD:
        number = data.get(ATTR_CARD_NUMBER)
        return f"read card {number}" if number else "read a card"
    if scan_type == SCAN_ID_CARD:
        holder = data.get(ATTR_PERSON_NAME)
        last4 = data.get(ATTR_ID_LAST4)
        text = f"read the ID card of {holder}" if holder else "read an ID card"
        return f"{text} (…{last4})" if last4 else text
    return "read a credential"


def _replayed(text: str, data: Mapping[str, Any]) -> str:
    return f"{text} (re-sent record)" if data.get(ATTR_REPLAY) else text


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, DescribeCallback], None],
) -> None:
    """Describe the recognition, stranger, scan, capture and alarm events."""

    @callback
    def door_name(data: Mapping[str, Any]) -> str:
        device_id = data.get(ATTR_DEVICE_ID)
        if device_id and (device := dr.async_get(hass).async_get(device_id)):
            return device.name_by_user or device.name or DEFAULT_NAME
        return DEFAULT_NAME

    def describer(line: Callable[[str, Mapping[str, Any]], tuple[str, str]]) -> DescribeCallback:
        @callback
        def describe(event: Event) -> dict[str, str]:
            name, message = line(door_name(event.data), event.data)
            return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}

        return describe

    async_describe_event(DOMAIN, EVENT_RECOGNITION, describer(recognition_line))
    async_describe_event(DOMAIN, EVENT_STRANGER, describer(stranger_line))
    async_describe_event(DOMAIN, EVENT_SCAN, describer(scan_line))
    async_describe_event(DOMAIN, EVENT_CAPTURE, describer(capture_line))
    async_describe_event(DOMAIN, EVENT_ALARM, describer(alarm_line))
