"""Firmware of a terminal: the installed version, and installation from a URL (V1.24 §7).

The terminal cannot tell whether a newer firmware exists, so the entity does not claim
to know: its latest version is unknown, unless the terminal's "Firmware folder" option
names a folder with firmware files (``.swx``), whose newest one is then offered and
installed with the entity's Install (`firmware_folder`). The
`face_terminal.install_firmware` action installs a file from any URL. While the terminal
downloads and installs it the entity is in progress; it ends when the terminal reports
the new version after its restart, when it refuses (the action raises its reason), or
after `UPGRADE_INSTALL_TIMEOUT`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Final, override
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
from homeassistant.helpers.event import async_call_later, async_track_time_interval

from .const import CONF_FIRMWARE_FOLDER, DOMAIN, LOGGER, UPGRADE_INSTALL_TIMEOUT
from .entity import FaceTerminalEntity
from .firmware_folder import FirmwareFile, firmware_url, newest_firmware, version_key

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal, FaceTerminalConfigEntry

# One command at a time per terminal.
PARALLEL_UPDATES = 1

FOLDER_SCAN_INTERVAL: Final = timedelta(minutes=10)

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
    """The installed firmware (``Versions``), the folder's newest file, an installation."""

    # Install takes the folder's newest file; any other file: the install_firmware action.
    _attr_supported_features = UpdateEntityFeature.PROGRESS | UpdateEntityFeature.INSTALL

    def __init__(self, terminal: FaceTerminal, description: UpdateEntityDescription) -> None:
        """Nothing is being installed at first; the folder is read once added."""
        super().__init__(terminal, description)
        self._target: str | None = None
        self._started_from: str | None = None
        self._cancel_timeout: CALLBACK_TYPE | None = None
        self._folder: str | None = terminal.entry.options.get(CONF_FIRMWARE_FOLDER) or None
        self._offered: FirmwareFile | None = None

    @property
    @override
    def installed_version(self) -> str | None:
        return self.terminal.settings.firmware or self.terminal.state.firmware

    @property
    @override
    def latest_version(self) -> str | None:
        """What is being installed, else the folder's newest file; unknown without one."""
        if self._target is not None:
            return self._target
        return self._offered.version if self._offered is not None else None

    @property
    @override
    def release_summary(self) -> str | None:
        """Where the offered file is."""
        return str(self._offered.path) if self._offered is not None else None

    @override
    def version_is_newer(self, latest_version: str, installed_version: str) -> bool:
        """File names are not semantic versions: numbers compare by value, text as text."""
        return version_key(latest_version) > version_key(installed_version)

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
        if self._folder is not None:
            await self._async_scan_folder()
            self.async_on_remove(
                async_track_time_interval(self.hass, self._async_scan_folder, FOLDER_SCAN_INTERVAL)
            )

    async def _async_scan_folder(self, _now: datetime | None = None) -> None:
        """Look for the newest firmware file in the folder (files come and go)."""
        offered = (
            None
            if self._folder is None
            else await self.hass.async_add_executor_job(newest_firmware, self._folder)
        )
        if offered != self._offered:
            self._offered = offered
            self.async_write_ha_state()

    @override
    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Install the folder's newest file: serve it to the terminal and send ``Upgrade``."""
        await self._async_scan_folder()
        offered = self._offered
        if offered is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_firmware_file",
                translation_placeholders={"folder": self._folder or "-"},
            )
        url = firmware_url(self.hass, offered.path)
        if url is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="firmware_no_local_url"
            )
        await self.async_install_from_url(url, offered.version)

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
