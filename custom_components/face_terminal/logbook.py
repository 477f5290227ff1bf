"""Describe the integration's bus events in the logbook.

Each record becomes one readable line under the terminal's name, e.g.
"Front door granted access to Alice" or "Front door read the ID card of 张三 (…8515)".
Only the event data is used; it never holds pictures or full ID or phone numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import (
    ACCESS_DENIED,
    ACCESS_GRANTED,
    ACCESS_UNKNOWN,
    ATTR_ACCESS,
    ATTR_CARD_NUMBER,
    ATTR_DEVICE_ID,
    ATTR_ID_LAST4,
    ATTR_PERSON_NAME,
    ATTR_REPLAY,
    ATTR_SCAN_TYPE,
    AWAITING_REMOTE,
    DOMAIN,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
    NO_PERMISSION,
    NOT_REGISTERED,
    SCAN_CARD,
    SCAN_ID_CARD,
    SCAN_QR_CODE,
)

DEFAULT_NAME = "Face terminal"
UNKNOWN_PERSON = "an enrolled person"

type DescribeCallback = Callable[[Event], dict[str, str]]


def recognition_message(data: Mapping[str, Any]) -> str:
    """Sentence (after the terminal's name) for a recognition record."""
    person = data.get(ATTR_PERSON_NAME) or UNKNOWN_PERSON
    access = data.get(ATTR_ACCESS)
    if access == ACCESS_GRANTED:
        text = f"granted access to {person}"
    elif access == ACCESS_DENIED:
        text = f"denied access to {person}"
    elif access == NOT_REGISTERED:
        text = "saw a face that is not registered"
    elif access == AWAITING_REMOTE:
        text = f"recognised {person}, awaiting remote confirmation"
    elif access == NO_PERMISSION:
        text = f"recognised {person}, who has no permission at this time"
    elif access == ACCESS_UNKNOWN:
        text = f"recognised {person} with an unknown status (not granted)"
    else:
        text = f"recognised {person}"
    return _replayed(text, data)


def stranger_message(data: Mapping[str, Any]) -> str:
    """Sentence (after the terminal's name) for a stranger snapshot."""
    return _replayed("saw a stranger", data)


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
    """Describe the recognition, stranger and scan events."""

    @callback
    def terminal_name(data: Mapping[str, Any]) -> str:
        device_id = data.get(ATTR_DEVICE_ID)
        if device_id and (device := dr.async_get(hass).async_get(device_id)):
            return device.name_by_user or device.name or DEFAULT_NAME
        return DEFAULT_NAME

    def describer(sentence: Callable[[Mapping[str, Any]], str]) -> DescribeCallback:
        @callback
        def describe(event: Event) -> dict[str, str]:
            return {
                LOGBOOK_ENTRY_NAME: terminal_name(event.data),
                LOGBOOK_ENTRY_MESSAGE: sentence(event.data),
            }

        return describe

    async_describe_event(DOMAIN, EVENT_RECOGNITION, describer(recognition_message))
    async_describe_event(DOMAIN, EVENT_STRANGER, describer(stranger_message))
    async_describe_event(DOMAIN, EVENT_SCAN, describer(scan_message))
