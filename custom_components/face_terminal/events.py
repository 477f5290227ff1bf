"""Turn terminal records into Home Assistant event data, without personal data.

Everything a record carries that may end up in an event, a state attribute, the logbook
or the recorder passes through here. Pictures, full ID-card numbers, phone numbers and
addresses never do: the protocol package drops most of them already, and the functions
below copy only the small, named fields they list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import (
    ACCESS_DENIED,
    ACCESS_GRANTED,
    ACCESS_UNKNOWN,
    ALARM_ATTRIBUTES,
    ATTR_ACCESS,
    ATTR_BLACKLISTED,
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_CUSTOM_ID,
    ATTR_DEVICE_ID,
    ATTR_DIRECTION,
    ATTR_ID_LAST4,
    ATTR_PERSON_ENTITY_ID,
    ATTR_PERSON_ID,
    ATTR_PERSON_NAME,
    ATTR_RECORD_ID,
    ATTR_REPLAY,
    ATTR_SCAN_TYPE,
    ATTR_SIMILARITY,
    ATTR_TEMPERATURE,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    AWAITING_REMOTE,
    DOMAIN,
    EVENT_CAPTURE,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
    HIGH_TEMPERATURE,
    NO_PERMISSION,
    NOT_REGISTERED,
    SCAN_CARD,
    SCAN_ID_CARD,
    SCAN_QR_CODE,
    STRANGER,
    TERMINAL_ALARM,
)
from .protocol import (
    CardPush,
    IDCardPush,
    PersonType,
    QRCodePush,
    RecPush,
    StrSnapPush,
    VerifyStatus,
)
from .protocol.alarms import AlarmInfoPush

if TYPE_CHECKING:
    from datetime import datetime

type Record = RecPush | StrSnapPush | QRCodePush | CardPush | IDCardPush

_ACCESS_BY_STATUS: dict[int, str] = {
    VerifyStatus.UNKNOWN: ACCESS_UNKNOWN,
    VerifyStatus.ALLOWED: ACCESS_GRANTED,
    VerifyStatus.REFUSED: ACCESS_DENIED,
    VerifyStatus.NOT_REGISTERED: NOT_REGISTERED,
    VerifyStatus.AWAITING_REMOTE: AWAITING_REMOTE,
    VerifyStatus.NO_PERMISSION: NO_PERMISSION,
}


@dataclass(frozen=True, slots=True)
class TerminalRecord:
    """A record as the integration hands it to entities, the bus and the logbook."""

    message: Record | AlarmInfoPush
    bus_event: str  # face_terminal_recognition | _stranger | _scan | _alarm
    event_type: str  # the event entity's type (access_granted, stranger, qr_code, ...)
    time: datetime  # aware, in HA's time zone
    data: dict[str, Any]  # bus event data, already free of personal data it must not carry
    # Shared by the bus event and the entity updates of the record: the logbook then shows
    # the entities' lines as caused by the event, which names the person.
    context: Context = field(default_factory=Context)

    @property
    def replay(self) -> bool:
        """Whether the record was re-sent (after an outage or on request), not live."""
        return bool(self.data.get(ATTR_REPLAY))

    @property
    def is_access(self) -> bool:
        """Whether the record belongs on the "access" event entity."""
        return self.bus_event in (EVENT_RECOGNITION, EVENT_STRANGER)

    @property
    def is_scan(self) -> bool:
        """Whether the record belongs on the "scan" event entity."""
        return self.bus_event == EVENT_SCAN

    @property
    def event_attributes(self) -> dict[str, Any]:
        """The event entity's attributes: access fields, the scan's, or the alarm's."""
        message = self.message
        if isinstance(message, AlarmInfoPush):
            return self.alarm_attributes
        if isinstance(message, (RecPush, StrSnapPush)):
            return without_none(
                {
                    **access_attributes(message),
                    ATTR_PERSON_ENTITY_ID: self.data.get(ATTR_PERSON_ENTITY_ID),
                }
            )
        return scan_attributes(message)

    @property
    def alarm_type(self) -> str | None:
        """``terminal_alarm`` for an alarm push; ``high_temperature`` for a flagged record.

        The flag is the record's ``temperatureAlarm`` 1, which V1.24 documents as "the
        face temperature exceeds the threshold"; the terminal decides, not Home Assistant.
        """
        message = self.message
        if isinstance(message, AlarmInfoPush):
            return TERMINAL_ALARM
        if isinstance(message, (RecPush, StrSnapPush)) and message.temperature_alarm:
            return HIGH_TEMPERATURE
        return None

    @property
    def alarm_attributes(self) -> dict[str, Any]:
        """The alarm's fields: what the terminal sent, never who it was.

        An alarm push's code, description and status; for a high temperature the reading
        and the record's access type.
        """
        alarm_type = self.alarm_type
        if alarm_type == TERMINAL_ALARM:
            return {key: self.data[key] for key in ALARM_ATTRIBUTES if key in self.data}
        if alarm_type == HIGH_TEMPERATURE:
            return without_none(
                {ATTR_TEMPERATURE: self.data.get(ATTR_TEMPERATURE), ATTR_ACCESS: self.event_type}
            )
        return {}

    @property
    def recognized_person(self) -> str | None:
        """Name of a recognised person (else their IDs); None for strangers and scans."""
        message = self.message
        if not isinstance(message, RecPush):
            return None
        return message.person_name or message.custom_id or message.person_id

    @property
    def person_attributes(self) -> dict[str, Any]:
        """Who it was and how the terminal decided; nothing personal beyond the name."""
        message = self.message
        if not isinstance(message, RecPush):
            return {}
        shown = access_attributes(message)
        return without_none(
            {
                ATTR_CUSTOM_ID: shown.get(ATTR_CUSTOM_ID),
                ATTR_PERSON_ID: message.person_id,
                ATTR_SIMILARITY: shown.get(ATTR_SIMILARITY),
                ATTR_ACCESS: self.event_type,
                ATTR_TIME: self.time.isoformat(),
                ATTR_PERSON_ENTITY_ID: self.data.get(ATTR_PERSON_ENTITY_ID),
            }
        )

    @property
    def temperature(self) -> float | None:
        """Body temperature measured with a recognition or a stranger snapshot.

        Terminals with a thermometer report degrees Celsius. Should a record ever carry
        a Fahrenheit flag, convert (or report the unit) here.
        """
        message = self.message
        if isinstance(message, (RecPush, StrSnapPush)):
            return message.temperature
        return None


# The event entity (its unique ID's suffix) each bus event's line belongs to.
_LOGBOOK_ENTITY_KEYS: dict[str, str] = {
    EVENT_RECOGNITION: "access",
    EVENT_STRANGER: "access",
    EVENT_CAPTURE: "access",
    EVENT_SCAN: "scan",
    f"{DOMAIN}_alarm": "alarm",  # alarms.EVENT_ALARM (alarms imports this module)
}


@callback
def name_logbook_entity(
    hass: HomeAssistant, bus_event: str, data: dict[str, Any], unique_id_prefix: str
) -> None:
    """Put the entity ID of the record's event entity into its bus event `data`.

    The logbook lists a described event where it is asked for that entity: the Activity
    page filtered to the device and a dashboard's logbook card ask for entities only, so
    without it the sentence that names the person is missing there (issue 22; see the
    logbook platform). Nothing is added while the entity does not exist.
    """
    key = _LOGBOOK_ENTITY_KEYS.get(bus_event)
    if key is None:
        return
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, f"{unique_id_prefix}_{key}"
    )
    if entity_id is not None:
        data[ATTR_ENTITY_ID] = entity_id


def access_type(record: RecPush) -> str:
    """Event-entity type of a recognition record.

    A missing or 0 VerifyStatus is read from the list the person is on, the way platforms
    in the field treat it (notes Q-21): block list → denied, allow list or no list →
    granted. The parser only returns records that name a person, and gives
    `VerifyStatus.UNKNOWN` / `PersonType.UNKNOWN` for values outside the documented
    ones: those give `unknown`, never granted.
    """
    if record.verify_status in _ACCESS_BY_STATUS:
        return _ACCESS_BY_STATUS[record.verify_status]
    if record.person_type == PersonType.BLOCK:
        return ACCESS_DENIED
    if record.person_type == PersonType.UNKNOWN:
        return ACCESS_UNKNOWN
    return ACCESS_GRANTED


def record_time(naive: datetime | None) -> datetime:
    """Place a terminal's zone-less local time in HA's time zone; arrival time if absent."""
    if naive is None:
        return dt_util.now()
    if naive.tzinfo is not None:
        return dt_util.as_local(naive)
    return naive.replace(tzinfo=dt_util.get_default_time_zone())


def without_none(data: dict[str, Any]) -> dict[str, Any]:
    """The entries of `data` whose value is not None (absent fields stay out of events)."""
    return {key: value for key, value in data.items() if value is not None}


def _event_data(data: dict[str, Any]) -> dict[str, Any]:
    """Bus event data: no empty fields, but the record ID key always (None for scans)."""
    out = without_none(data)
    out.setdefault(ATTR_RECORD_ID, None)
    return out


def access_attributes(message: RecPush | StrSnapPush) -> dict[str, Any]:
    """The small set of fields the access event entity and the last-person sensor show."""
    if isinstance(message, StrSnapPush):
        return without_none(
            {
                ATTR_TEMPERATURE: message.temperature,
                ATTR_DIRECTION: message.direction,
            }
        )
    return without_none(
        {
            ATTR_PERSON_NAME: message.person_name,
            ATTR_CUSTOM_ID: message.custom_id,
            ATTR_SIMILARITY: message.similarity,
            ATTR_TEMPERATURE: message.temperature,
            ATTR_DIRECTION: message.direction,
            ATTR_BLACKLISTED: message.person_type == PersonType.BLOCK
            if message.person_type is not None
            else None,
        }
    )


def scan_attributes(message: QRCodePush | CardPush | IDCardPush) -> dict[str, Any]:
    """Fields of a scan: the QR text, the card number, or an ID card's holder and last digits."""
    if isinstance(message, QRCodePush):
        return without_none({ATTR_CODE: message.code})
    if isinstance(message, CardPush):
        return without_none({ATTR_CARD_NUMBER: message.card_number})
    return without_none({ATTR_PERSON_NAME: message.name, ATTR_ID_LAST4: message.id_last4})


def build_record(message: Record, *, device_id: str, terminal_id: str) -> TerminalRecord:
    """Describe one record for the bus, the event entities and the logbook."""
    when = record_time(message.time)
    base: dict[str, Any] = {
        ATTR_DEVICE_ID: device_id,
        ATTR_TERMINAL_ID: terminal_id,
        ATTR_TIME: when.isoformat(),
    }
    if isinstance(message, RecPush):
        kind = access_type(message)
        data = {
            **base,
            ATTR_RECORD_ID: message.record_id,
            ATTR_ACCESS: kind,
            **access_attributes(message),
            ATTR_PERSON_ID: message.person_id,
            ATTR_REPLAY: message.replay,
        }
        return TerminalRecord(message, EVENT_RECOGNITION, kind, when, _event_data(data))
    if isinstance(message, StrSnapPush):
        data = {
            **base,
            ATTR_RECORD_ID: message.snap_id,
            **access_attributes(message),
            ATTR_REPLAY: message.replay,
        }
        return TerminalRecord(message, EVENT_STRANGER, STRANGER, when, _event_data(data))
    scan_type = (
        SCAN_QR_CODE
        if isinstance(message, QRCodePush)
        else SCAN_CARD
        if isinstance(message, CardPush)
        else SCAN_ID_CARD
    )
    data = {**base, ATTR_SCAN_TYPE: scan_type, **scan_attributes(message)}
    return TerminalRecord(message, EVENT_SCAN, scan_type, when, _event_data(data))
