"""Firmware of a terminal: the installed version, and installation from a URL (V1.24 §7).

The terminal cannot tell whether a newer firmware exists, so the entity shows "up to date"
until the `face_terminal.install_firmware` action hands it a firmware file (``.swx``) URL.
While the terminal downloads and installs it the entity is in progress; it ends when the
terminal reports the new version after its restart, when it refuses (the action raises its
reason), or after `UPGRADE_INSTALL_TIMEOUT`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, override
from urllib.parse import urlsplit

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

from .const import LOGGER, UPGRADE_INSTALL_TIMEOUT
from .entity import FaceTerminalEntity

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal, FaceTerminalConfigEntry

# One command at a time per terminal.
PARALLEL_UPDATES = 1

FIRMWARE_DESCRIPTION = UpdateEntityDescription(
    key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's firmware entity (only MQTT terminals have these platforms)."""
    terminal = entry.runtime_data
    async_add_entities([FaceTerminalFirmware(terminal, FIRMWARE_DESCRIPTION)])


def version_from_url(url: str) -> str:
    """A version name for a firmware file: its file name without ``.swx``."""
    name = PurePosixPath(urlsplit(url).path).name
    return name.removesuffix(".swx").removesuffix(".SWX") or "firmware"


class FaceTerminalFirmware(FaceTerminalEntity, UpdateEntity):
    """The installed firmware (``Versions``) and a running installation."""

    # Installation needs a file URL, so it is the install_firmware action, not update.install.
    _attr_supported_features = UpdateEntityFeature.PROGRESS

    def __init__(self, terminal: FaceTerminal, description: UpdateEntityDescription) -> None:
        """Nothing is being installed at first."""
        super().__init__(terminal, description)
        self._target: str | None = None
        self._started_from: str | None = None
        self._cancel_timeout: CALLBACK_TYPE | None = None

    @property
    @override
    def installed_version(self) -> str | None:
        return self.terminal.settings.firmware or self.terminal.state.firmware

    @property
    @override
    def latest_version(self) -> str | None:
        return self._target or self.installed_version

    @property
    @override
    def in_progress(self) -> bool:
        return self._target is not None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the version the terminal reports."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.settings.async_add_listener(self._version_changed))
        self.async_on_remove(self._stop_timeout)

    @callback
    def _version_changed(self) -> None:
        installed = self.installed_version
        if self.in_progress and installed is not None and installed != self._started_from:
            LOGGER.info("Terminal %s now runs %s", self.terminal.display_name, installed)
            self._finish()
        self.async_write_ha_state()

    @callback
    def _finish(self) -> None:
        self._target = None
        self._started_from = None
        self._stop_timeout()

    @callback
    def _stop_timeout(self) -> None:
        if self._cancel_timeout is not None:
            self._cancel_timeout()
            self._cancel_timeout = None

    @callback
    def _install_timed_out(self, _now: datetime) -> None:
        self._cancel_timeout = None
        LOGGER.warning(
            "Terminal %s did not report a new firmware version after the upgrade",
            self.terminal.display_name,
        )
        self._finish()
        self.async_write_ha_state()

    async def async_install_from_url(self, url: str, version: str | None = None) -> None:
        """Send ``Upgrade`` with `url`; raise the terminal's reason when it refuses."""
        name = version or version_from_url(url)
        self._started_from = self.installed_version
        self._target = name
        self.async_write_ha_state()
        try:
            await self.terminal.settings.async_upgrade(url, name)
        except HomeAssistantError:
            self._finish()
            self.async_write_ha_state()
            raise
        # Accepted: the terminal installs and restarts; the new version ends the progress.
        self._stop_timeout()
        self._cancel_timeout = async_call_later(
            self.hass, UPGRADE_INSTALL_TIMEOUT, self._install_timed_out
        )
