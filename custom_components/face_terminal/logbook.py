"""Describe the integration's bus events in the logbook, in Home Assistant's language.

Each record becomes one readable line that names the person and the door, e.g.
"Alice was granted access at Front door", "Front door saw a stranger", "Front door read
the ID card of 张三 (…8515)" or "Plumber came in at Front door with a guest pass". Only
the event data is used; it never holds pictures, full ID or phone numbers or pass codes.

Where the line shows. The runtime puts the entity ID of the record's event entity (the
access, scan or alarm event) into the bus event data (`household.logbook_entity`): the
logbook then lists the line also where it is asked for entities only, which is what the
Activity page filtered to a device and a dashboard's logbook card do (both resolve their
target to entity IDs); the device page asks for the device too. The line itself keeps
no entity ID, so the frontend shows the person (or the door) as its name, not the entity.

What else shows per arrival, and why (issue 22; docs/automations.md, "Who came in"):
Home Assistant lists every state change of an event entity (an event entity's state is
the time of its last event) and of a text sensor; it leaves out only sensors with a
unit, a state class or a numeric device class, and counter, image and proximity
entities, and a logbook platform can describe bus events only, never a state change.
So the access event entity's own line ("Access granted", with this line's person as its
cause) follows every arrival, and the last-person sensor's line follows an arrival of
someone else than the last person. The entities write their states in the record's
context, so the logbook shows those lines as caused by this described event.

The sentences are translated (the ``logbook_*`` keys of the translations' "exceptions"
section: the one section of an integration's translations that Home Assistant loads in
its backend for messages the integration writes itself) into Home Assistant's language;
the logbook has no way to let each user's frontend translate an integration's lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import translation

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
from .guests.manager import ATTR_LABEL, ATTR_REASON, ATTR_RESULT, EVENT_GUEST_PASS, RESULT_USED

type DescribeCallback = Callable[[Event], dict[str, str]]
type Translate = Callable[..., str]

# The English sentences, also the fallback where a translation is missing.
ENGLISH: dict[str, str] = {
    "default_door": "Face terminal",
    "unknown_person": "An enrolled person",
    "access_granted": "was granted access at {door}",
    "access_denied": "was denied access at {door}",
    "awaiting_remote": "was recognised at {door}, awaiting remote confirmation",
    "no_permission": "was recognised at {door} but has no permission at this time",
    "blacklisted": "was recognised at {door} (blacklisted)",
    "vip": "was recognised at {door} (VIP)",
    "access_unknown": "was recognised at {door} with an unknown status (not granted)",
    "recognised": "was recognised at {door}",
    "not_registered": "saw a face that is not registered",
    "stranger": "saw a stranger",
    "captured": "captured a face",
    "alarm_code": "raised alarm {code}",
    "alarm": "raised an alarm",
    "qr_code": "scanned a QR code",
    "card_number": "read card {number}",
    "card": "read a card",
    "id_card_of": "read the ID card of {holder}",
    "id_card": "read an ID card",
    "credential": "read a credential",
    "resent": "{text} (re-sent record)",
    "guest_used": "came in at {door} with a guest pass",
    "guest_refused": "was refused at {door}: {reason}",
    "guest_refused_code": "refused a guest pass: {reason}",
    "guest_unknown": "unknown code",
    "guest_revoked": "the pass was revoked",
    "guest_wrong_terminal": "the pass is not for this door",
    "guest_not_yet_valid": "the pass is not valid yet",
    "guest_expired": "the pass has expired",
    "guest_used_up": "the pass is used up",
    "guest_replayed": "a re-sent scan never opens",
    "guest_rate_limited": "too many refused scans",
    "guest_door_failed": "the door did not open",
    "guest_other": "refused",
}
DEFAULT_NAME = ENGLISH["default_door"]
UNKNOWN_PERSON = ENGLISH["unknown_person"]

_RECOGNITION_KEYS: dict[str | None, str] = {
    ACCESS_GRANTED: "access_granted",
    ACCESS_DENIED: "access_denied",
    AWAITING_REMOTE: "awaiting_remote",
    NO_PERMISSION: "no_permission",
    BLACKLISTED: "blacklisted",
    VIP: "vip",
    ACCESS_UNKNOWN: "access_unknown",
}


def english(key: str, **placeholders: Any) -> str:
    """The English sentence `key` with its placeholders filled in."""
    return ENGLISH[key].format(**placeholders)


def translator(hass: HomeAssistant) -> Translate:
    """Sentences in Home Assistant's language, English where a translation is missing."""
    prefix = f"component.{DOMAIN}.exceptions.logbook_"
    strings = translation.async_get_cached_translations(
        hass, hass.config.language, "exceptions", DOMAIN
    )

    def translate(key: str, **placeholders: Any) -> str:
        template = strings.get(f"{prefix}{key}.message") or ENGLISH[key]
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return english(key, **placeholders)

    return translate


def recognition_line(
    door: str, data: Mapping[str, Any], text: Translate = english
) -> tuple[str, str]:
    """Name and message of a recognition record: who, then what happened where."""
    access = data.get(ATTR_ACCESS)
    if access == NOT_REGISTERED:
        return door, _replayed(text("not_registered"), data, text)
    person = data.get(ATTR_PERSON_NAME) or text("unknown_person")
    message = text(_RECOGNITION_KEYS.get(access, "recognised"), door=door)
    return person, _replayed(message, data, text)


def stranger_line(door: str, data: Mapping[str, Any], text: Translate = english) -> tuple[str, str]:
    """Name and message of a stranger snapshot."""
    return door, _replayed(text("stranger"), data, text)


def capture_line(door: str, data: Mapping[str, Any], text: Translate = english) -> tuple[str, str]:
    """Name and message of a Jovision capture (a face, nobody matched)."""
    return door, text("captured")


def alarm_line(door: str, data: Mapping[str, Any], text: Translate = english) -> tuple[str, str]:
    """Name and message of a terminal's alarm push: its code and its own description."""
    code = data.get(ATTR_ALARM_CODE)
    message = text("alarm_code", code=code) if code is not None else text("alarm")
    description = data.get(ATTR_DESCRIPTION)
    return door, f"{message}: {description}" if description else message


def scan_line(door: str, data: Mapping[str, Any], text: Translate = english) -> tuple[str, str]:
    """Name and message of a QR code, card or ID card."""
    return door, scan_message(data, text)


def scan_message(data: Mapping[str, Any], text: Translate = english) -> str:
    """Sentence (after the terminal's name) for a QR code, card or ID card."""
    scan_type = data.get(ATTR_SCAN_TYPE)
    if scan_type == SCAN_QR_CODE:
        # The code's text may be a personal access token: it stays in the event data.
        return text("qr_code")
    if scan_type == SCAN_CARD:
        number = data.get(ATTR_CARD_NUMBER)
        return text("card_number", number=number) if number else text("card")
    if scan_type == SCAN_ID_CARD:
        holder = data.get(ATTR_PERSON_NAME)
        last4 = data.get(ATTR_ID_LAST4)
        message = text("id_card_of", holder=holder) if holder else text("id_card")
        return f"{message} (…{last4})" if last4 else message
    return text("credential")


def guest_pass_line(
    door: str, data: Mapping[str, Any], text: Translate = english
) -> tuple[str, str]:
    """Name and message of a scanned guest pass: the guest's label, or the door."""
    label = data.get(ATTR_LABEL)
    if data.get(ATTR_RESULT) == RESULT_USED:
        return label or door, text("guest_used", door=door)
    key = f"guest_{data.get(ATTR_REASON)}"
    reason = text(key if key in ENGLISH else "guest_other")
    if label:
        return label, text("guest_refused", door=door, reason=reason)
    return door, text("guest_refused_code", reason=reason)


def _replayed(message: str, data: Mapping[str, Any], text: Translate) -> str:
    return text("resent", text=message) if data.get(ATTR_REPLAY) else message


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, DescribeCallback], None],
) -> None:
    """Describe the recognition, stranger, scan, capture, alarm and guest pass events."""

    @callback
    def door_name(data: Mapping[str, Any], text: Translate) -> str:
        device_id = data.get(ATTR_DEVICE_ID)
        if device_id and (device := dr.async_get(hass).async_get(device_id)):
            return device.name_by_user or device.name or text("default_door")
        return text("default_door")

    def describer(
        line: Callable[[str, Mapping[str, Any], Translate], tuple[str, str]],
    ) -> DescribeCallback:
        @callback
        def describe(event: Event) -> dict[str, str]:
            text = translator(hass)
            name, message = line(door_name(event.data, text), event.data, text)
            return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}

        return describe

    async_describe_event(DOMAIN, EVENT_RECOGNITION, describer(recognition_line))
    async_describe_event(DOMAIN, EVENT_STRANGER, describer(stranger_line))
    async_describe_event(DOMAIN, EVENT_SCAN, describer(scan_line))
    async_describe_event(DOMAIN, EVENT_CAPTURE, describer(capture_line))
    async_describe_event(DOMAIN, EVENT_ALARM, describer(alarm_line))
    async_describe_event(DOMAIN, EVENT_GUEST_PASS, describer(guest_pass_line))
