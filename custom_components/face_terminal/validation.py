"""The one way action input is refused: a translated `ServiceValidationError`."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .protocol import CommandError

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
