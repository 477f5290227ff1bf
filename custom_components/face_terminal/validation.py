"""The one way action input is refused: a translated `ServiceValidationError`."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import voluptuous as vol
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import DOMAIN
from .protocol import CommandError

END_OF_DAY = time(23, 59, 59)

VALIDITY_BOUND = vol.Any(cv.date, cv.datetime)
"""A ``valid_from``/``valid_until`` field: a date (whole days) or a date and time.

The date is tried first: ``2027-06-30`` stays a date (`cv.datetime` would make it
midnight), and `validity_bound` turns it into the start or the end of that day."""


def validity_bound(value: date, *, until: bool) -> datetime:
    """The one date rule of every entry point (actions, CSV/YAML roster, blueprints).

    A date and time is kept as it is; a date alone means the start of that day for
    ``valid_from`` and its end (23:59:59) for ``valid_until``: a person valid until
    2027-06-30 may still come in on that day.
    """
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, END_OF_DAY if until else time(0, 0, 0))


if TYPE_CHECKING:
    from collections.abc import Iterator

    from homeassistant.core import ServiceCall


def invalid_input(key: str, **placeholders: str) -> ServiceValidationError:
    """The error for bad action input, by its translation key under ``exceptions``."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def check_one_source(call: ServiceCall, keys: tuple[str, ...], error: str) -> None:
    """Exactly one of `keys` must be given (a photo from a file, a URL or a camera)."""
    if sum(call.data.get(key) is not None for key in keys) != 1:
        raise invalid_input(error)


@contextmanager
def invalid_arguments(key: str = "invalid_command", **placeholders: str) -> Iterator[None]:
    """Inside the block, arguments a command builder refuses are the caller's fault.

    `protocol.CommandError` (raised when a command is framed, before anything is sent)
    becomes the error `key`, its text as the ``error`` placeholder.
    """
    try:
        yield
    except CommandError as err:
        raise invalid_input(key, **placeholders, error=str(err)) from err
