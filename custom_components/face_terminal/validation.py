"""The one way action input is refused: a translated `ServiceValidationError`."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN


def invalid_input(key: str, **placeholders: str) -> ServiceValidationError:
    """The error for bad action input, by its translation key under ``exceptions``."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
