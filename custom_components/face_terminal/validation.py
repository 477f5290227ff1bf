"""The one way action input is refused: a translated `ServiceValidationError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN

if TYPE_CHECKING:
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
