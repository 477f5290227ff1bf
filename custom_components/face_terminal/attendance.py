"""Attendance from the doors' own records: who came when, per day.

The ``face_terminal.attendance`` action reads the integration's recognition events
(``face_terminal_recognition``) back from the recorder for a period, optionally only for
some people (custom IDs or linked ``person.*`` entities) and terminals, and returns per
person and day the first entry, the last exit, the first and last passage and every
passage (time, terminal, in/out). Only the fields the events carry are used (the record's
own time, the terminal, the custom ID, the name, the linked person, the direction, the
access decision): nothing the privacy rules keep out of the recorder is needed.

A passage is in or out by the terminal's **Door role** (`occupancy`) or, for terminals
without one, the record's own ``direction``. A record re-sent after an outage is one
passage (the same terminal, record and time count once). With ``csv_file`` the report is
also written, one row per person and day with translated column headers, to a file
under the media folder.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.recorder import DATA_INSTANCE
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .const import (
    ACCESS_GRANTED,
    ATTR_ACCESS,
    ATTR_CUSTOM_ID,
    ATTR_DIRECTION,
    ATTR_PERSON_ENTITY_ID,
    ATTR_PERSON_NAME,
    ATTR_RECORD_ID,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    CONF_TERMINAL_ID,
    DOMAIN,
    EVENT_RECOGNITION,
)
from .occupancy.const import CONF_DOOR_ROLE, ROLE_NONE, ROLE_RECORD
from .occupancy.state import passage_direction
from .validation import invalid_input

if TYPE_CHECKING:
    from collections.abc import Iterable

SERVICE_ATTENDANCE: Final = "attendance"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_PEOPLE: Final = "people"
ATTR_CSV_FILE: Final = "csv_file"
MAX_PERIOD: Final = timedelta(days=366)
# A record reaches the bus when it is made or later (re-sent after an outage, days later
# too): events fired from a day before the period (terminal clocks drift) until now count.
CLOCK_SLACK: Final = timedelta(days=1)
CSV_COLUMNS: Final = (
    "date",
    "custom_id",
    "name",
    "person",
    "first_in",
    "last_out",
    "first_seen",
    "last_seen",
    "passages",
)

ATTENDANCE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_START): cv.string,
        vol.Required(ATTR_END): cv.string,
        vol.Optional(ATTR_PEOPLE): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_CSV_FILE): cv.string,
    }
)


@dataclass(slots=True)
class Passage:
    """One passage in a report."""

    time: datetime
    terminal_id: str
    direction: str | None

    def as_dict(self) -> dict[str, Any]:
        """The response's form."""
        return {
            "time": self.time.isoformat(),
            "terminal_id": self.terminal_id,
            "direction": self.direction,
        }


@dataclass(slots=True)
class PersonDays:
    """A person's passages, by day."""

    custom_id: str
    name: str | None = None
    person_entity_id: str | None = None
    days: dict[date, list[Passage]] = field(default_factory=dict)


def _moment(raw: str, *, end: bool) -> datetime:
    """A date (the day's start, or for `end` the next day's) or a date and time."""
    text = raw.strip()
    try:
        if len(text) == 10 and (day := dt_util.parse_date(text)) is not None:
            day = day + timedelta(days=1) if end else day
            return datetime.combine(day, time(), dt_util.get_default_time_zone())
        moment = dt_util.parse_datetime(text, raise_on_error=True)
    except ValueError as err:
        raise invalid_input("attendance_invalid_time", value=raw) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
    return moment


def _csv_path(hass: HomeAssistant, raw: str) -> Path:
    """The file under the media folder that `raw` names; refused when it leaves it."""
    relative = PurePosixPath(raw.strip())
    if (
        not raw.strip()
        or relative.is_absolute()
        or ".." in relative.parts
        or relative.suffix.lower() != ".csv"
        or any(ord(char) < 0x20 for char in raw)
    ):
        raise invalid_input("attendance_invalid_csv_file", file=raw)
    root = Path(hass.config.media_dirs.get("local") or hass.config.path("media"))
    return root.joinpath(*relative.parts)


def _terminal_ids(hass: HomeAssistant, device_ids: Iterable[str]) -> set[str]:
    registry = dr.async_get(hass)
    found: set[str] = set()
    for device_id in device_ids:
        device = registry.async_get(device_id)
        ids = [ident for domain, ident in device.identifiers if domain == DOMAIN] if device else []
        if not ids:
            raise invalid_input("attendance_unknown_device", device=device_id)
        found.update(ids)
    return found


def _roles(hass: HomeAssistant) -> dict[str, str]:
    """Each terminal's door role as its options say now."""
    return {
        str(entry.data[CONF_TERMINAL_ID]): str(entry.options.get(CONF_DOOR_ROLE, ROLE_NONE))
        for entry in hass.config_entries.async_entries(DOMAIN)
        if CONF_TERMINAL_ID in entry.data
    }


def _read_events(
    hass: HomeAssistant, fired_from: datetime, fired_until: datetime
) -> list[dict[str, Any]]:
    """The recognition events' data fired in that window (in the recorder's thread pool)."""
    from homeassistant.components.recorder.db_schema import (  # noqa: PLC0415 - recorder only when used
        EventData,
        Events,
        EventTypes,
    )
    from homeassistant.helpers.recorder import session_scope  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    statement = (
        select(EventData.shared_data)
        .select_from(Events)
        .join(EventTypes, Events.event_type_id == EventTypes.event_type_id)
        .join(EventData, Events.data_id == EventData.data_id)
        .where(EventTypes.event_type == EVENT_RECOGNITION)
        .where(Events.time_fired_ts >= fired_from.timestamp())
        .where(Events.time_fired_ts < fired_until.timestamp())
        .order_by(Events.time_fired_ts)
    )
    out: list[dict[str, Any]] = []
    with session_scope(hass=hass, read_only=True) as session:
        for (shared,) in session.execute(statement).yield_per(1000):
            data = json.loads(shared)  # written by the recorder itself
            if isinstance(data, dict) and data.get(ATTR_ACCESS) == ACCESS_GRANTED:
                out.append(data)
    return out


def build_report(
    events: Iterable[dict[str, Any]],
    start: datetime,
    end: datetime,
    roles: dict[str, str],
    *,
    people: set[str] | None = None,
    terminals: set[str] | None = None,
) -> list[PersonDays]:
    """Per person and day, the passages of `events` made in [start, end)."""
    seen: set[tuple[str, str, str]] = set()
    found: dict[str, PersonDays] = {}
    for data in events:
        custom_id, terminal_id = data.get(ATTR_CUSTOM_ID), data.get(ATTR_TERMINAL_ID)
        raw_time = data.get(ATTR_TIME)
        if not isinstance(custom_id, str) or not isinstance(terminal_id, str):
            continue
        if not isinstance(raw_time, str) or (when := dt_util.parse_datetime(raw_time)) is None:
            continue
        if when.tzinfo is None or not start <= when < end:
            continue
        person = data.get(ATTR_PERSON_ENTITY_ID)
        if people is not None and custom_id not in people and person not in people:
            continue
        if terminals is not None and terminal_id not in terminals:
            continue
        key = (terminal_id, str(data.get(ATTR_RECORD_ID) or custom_id), raw_time)
        if key in seen:  # the same record re-sent
            continue
        seen.add(key)
        role = roles.get(terminal_id, ROLE_NONE)
        direction = passage_direction(
            ROLE_RECORD if role == ROLE_NONE else role, data.get(ATTR_DIRECTION)
        )
        entry = found.setdefault(custom_id, PersonDays(custom_id))
        if isinstance(name := data.get(ATTR_PERSON_NAME), str):
            entry.name = name
        if isinstance(person, str):
            entry.person_entity_id = person
        local = dt_util.as_local(when)
        entry.days.setdefault(local.date(), []).append(Passage(local, terminal_id, direction))
    for entry in found.values():
        for passages in entry.days.values():
            passages.sort(key=lambda passage: passage.time)
    return [found[key] for key in sorted(found)]


def day_summary(day: date, passages: list[Passage]) -> dict[str, Any]:
    """First entry, last exit, first and last passage and the passages of one day."""
    ins = [p.time for p in passages if p.direction == "in"]
    outs = [p.time for p in passages if p.direction == "out"]
    return {
        "date": day.isoformat(),
        "first_in": min(ins).isoformat() if ins else None,
        "last_out": max(outs).isoformat() if outs else None,
        "first_seen": passages[0].time.isoformat(),
        "last_seen": passages[-1].time.isoformat(),
        "passages": [passage.as_dict() for passage in passages],
    }


def report_response(report: list[PersonDays]) -> list[dict[str, Any]]:
    """The response's ``people``."""
    return [
        {
            "custom_id": entry.custom_id,
            "name": entry.name,
            "person_entity_id": entry.person_entity_id,
            "days": [day_summary(day, entry.days[day]) for day in sorted(entry.days)],
        }
        for entry in report
    ]


def report_csv(people: list[dict[str, Any]], headers: list[str]) -> str:
    """One row per person and day, the headers first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for entry in people:
        for day in entry["days"]:
            writer.writerow(
                [
                    day["date"],
                    entry["custom_id"],
                    entry["name"] or "",
                    entry["person_entity_id"] or "",
                    day["first_in"] or "",
                    day["last_out"] or "",
                    day["first_seen"],
                    day["last_seen"],
                    len(day["passages"]),
                ]
            )
    return out.getvalue()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8-sig")  # with a BOM: spreadsheets read UTF-8
    partial.replace(path)


async def _async_headers(hass: HomeAssistant) -> list[str]:
    strings = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])
    prefix = f"component.{DOMAIN}.selector.attendance_column.options."
    return [strings.get(prefix + column, column) for column in CSV_COLUMNS]


async def async_attendance(call: ServiceCall) -> ServiceResponse:
    """Handle ``face_terminal.attendance``."""
    hass = call.hass
    start = _moment(call.data[ATTR_START], end=False)
    end = _moment(call.data[ATTR_END], end=True)
    if end <= start:
        raise invalid_input("attendance_period_invalid")
    if end - start > MAX_PERIOD:
        raise invalid_input("attendance_period_too_long")
    path = _csv_path(hass, call.data[ATTR_CSV_FILE]) if ATTR_CSV_FILE in call.data else None
    terminals = (
        _terminal_ids(hass, call.data[ATTR_DEVICE_ID]) if call.data.get(ATTR_DEVICE_ID) else None
    )
    people = set(call.data[ATTR_PEOPLE]) if call.data.get(ATTR_PEOPLE) else None
    recorder = hass.data.get(DATA_INSTANCE)
    if recorder is None:
        raise invalid_input("attendance_needs_recorder")
    if (pending := recorder.async_get_commit_future()) is not None:
        await pending
    until = dt_util.utcnow() + timedelta(minutes=1)
    events = await recorder.async_add_executor_job(_read_events, hass, start - CLOCK_SLACK, until)
    report = build_report(events, start, end, _roles(hass), people=people, terminals=terminals)
    response: dict[str, Any] = {
        ATTR_START: start.isoformat(),
        ATTR_END: end.isoformat(),
        ATTR_PEOPLE: report_response(report),
    }
    if path is not None:
        text = report_csv(response[ATTR_PEOPLE], await _async_headers(hass))
        await hass.async_add_executor_job(_write, path, text)
        response[ATTR_CSV_FILE] = str(path)
    return response


def async_setup_attendance(hass: HomeAssistant) -> None:
    """Register the attendance action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ATTENDANCE,
        async_attendance,
        schema=ATTENDANCE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
