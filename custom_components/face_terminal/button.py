"""Buttons of a terminal: restart it, and set its clock to Home Assistant's time now.

A factory reset is deliberately not a button: it deletes persons and records for good, so
it is the `face_terminal.factory_reset` action with a required confirmation field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory

from .entity import CommandDevice, FaceTerminalEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminalConfigEntry

# One command at a time per terminal.
PARALLEL_UPDATES = 1


async def _async_reboot(terminal: CommandDevice) -> None:
    await terminal.settings.async_reboot()


async def _async_sync_clock(terminal: CommandDevice) -> None:
    await terminal.clock.async_set()


@dataclass(frozen=True, kw_only=True)
class FaceTerminalButtonEntityDescription(ButtonEntityDescription):
    """A button that sends one command to the terminal."""

    press_fn: Callable[[CommandDevice], Awaitable[None]]


BUTTON_DESCRIPTIONS: tuple[FaceTerminalButtonEntityDescription, ...] = (
    FaceTerminalButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=_async_reboot,
    ),
    FaceTerminalButtonEntityDescription(
        key="sync_clock",
        translation_key="sync_clock",
        entity_category=EntityCategory.CONFIG,
        # The terminal keeps its own time (NTP); a rarely needed repair, one click away.
        entity_registry_enabled_default=False,
        press_fn=_async_sync_clock,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's buttons (only MQTT terminals have these platforms)."""
    terminal = entry.runtime_data
    async_add_entities(
        FaceTerminalButton(terminal, description) for description in BUTTON_DESCRIPTIONS
    )


class FaceTerminalButton(FaceTerminalEntity[CommandDevice], ButtonEntity):
    """Sends its command when pressed; a refusal raises the terminal's reason."""

    entity_description: FaceTerminalButtonEntityDescription

    @override
    async def async_press(self) -> None:
        await self.entity_description.press_fn(self.terminal)
