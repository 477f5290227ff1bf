"""Time stamps of the protocol (Q-19).

Terminals send local wall-clock time without a zone: records use
``YYYY-MM-DD HH:MM:SS``, commands and configuration use ``YYYY-MM-DDTHH:MM:SS``, version
strings use ``YYYY-MM-DD/HH:MM:SS``, some firmware drops the seconds or the leading zeros
(``2020-4-2T18:59:54``). All results are naive `datetime` objects; the caller attaches the
terminal's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_TIME_RE = re.compile(
    r"""
    (?P<y>\d{4}) [-./] (?P<mo>\d{1,2}) [-./] (?P<d>\d{1,2})
    (?:
        (?: [ T/_]+ | \s* )
        (?P<h>\d{1,2}) [:\-.] (?P<mi>\d{1,2})
        (?: [:\-.] (?P<s>\d{1,2}) (?: [.,] \d{1,9} )? )?
    )?
    \s* (?: Z | [+-]\d{2}:?\d{2} )?
    """,
    re.VERBOSE | re.ASCII,
)


def parse_time(value: object) -> datetime | None:
    """Parse a terminal time stamp into a naive `datetime`; ``None`` when not a time.

    Accepted: ``2019-11-29 10:06:54``, ``2020-04-01T09:10:00``, ``2019-12-02/10:46:05``,
    ``2020-4-2T18:59:54``, the same without seconds, and a bare date (midnight). A zone
    suffix is ignored. Placeholders such as ``0000-00-00 00:00:00`` and anything else give
    ``None``; the function never raises.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _TIME_RE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return datetime(  # noqa: DTZ001 - terminal wall-clock time has no zone
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"] or 0),
            int(match["mi"] or 0),
            int(match["s"] or 0),
        )
    except ValueError:
        return None


def format_command_time(dt: datetime) -> str:
    """Format a time for commands and configuration: ``YYYY-MM-DDTHH:MM:SS``."""
    return f"{format_date(dt)}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def format_record_time(dt: datetime) -> str:
    """Format a time the way records and person validity use it: ``YYYY-MM-DD HH:MM:SS``."""
    return f"{format_date(dt)} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def format_date(day: date) -> str:
    """Format a calendar date (birthday): ``YYYY-MM-DD``."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
