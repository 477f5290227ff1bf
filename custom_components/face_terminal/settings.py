"""The terminal's own settings as Home Assistant knows them: read, kept, changed.

One `TerminalSettings` per terminal (``FaceTerminal.settings``), on the terminal's
`port.TerminalPort`. It reads every parameter
group of V1.24 §9 and the firmware version when the terminal comes online, again every
`SETTINGS_REFRESH_INTERVAL` while it stays online (so a change made on the terminal's own
web page shows up within that time), and the changed group right after each change.

Other modules that need a parameter ask `async_current` instead of sending their own
``Get…config`` (record recovery asks whether resume-from-breakpoint is on): a value read
recently answers at once, a read already under way is shared, and a group read for them
while a full read runs is not asked again by that read. One terminal is never asked the
same thing twice at the same time.

A change is sent with the group's ``Up…config`` command. Nothing is assumed: the value
entities show is what the terminal reported, and after a change it is what the terminal
confirmed and then reported again (firmware labels do not always mean what they say,
Q-39). A group the terminal refuses or never answers stays unreported, and so do its
entities' values (they are unavailable, not guessed).

Reading is background work (`port.TerminalPort.async_request` with ``background``): it
waits in the session's background lane, so a group the terminal never answers delays no
action and no change made in the UI. A group left unanswered `UNANSWERED_LIMIT` reads
in a row is remembered as unanswered (diagnostics) and not asked again by the refresh
until the firmware version changes; when the version read itself is not answered, the
refresh stops there and tries again at the next interval instead of asking every group
of a terminal that does not answer.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import UnitOfTemperature
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from . import protocol
from .const import DOMAIN, LOGGER, SETTINGS_REFRESH_INTERVAL
from .errors import CommandFailedError, Failure, TerminalCommandError, refused_as
from .protocol.settings import Setting, decode, encode, find, parse_parameters
from .validation import invalid_arguments

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from .port import TerminalPort

SECTIONS: Final = tuple(protocol.ConfigSection)
REMOTE_DECISION_MODE: Final = "face_and_remote"
"""Door mode 3 (§9.3.5): the platform decides; it needs `REMOTE_DECISION_PREREQUISITES`."""
REMOTE_DECISION_PREREQUISITES: Final = {"ResumefromBreakpoint": "1"}
"""§9.3.5: "platform decides" needs resume-from-breakpoint and record upload on."""
RECORD_UPLOAD: Final = "RecordUploadType"
RECORD_UPLOAD_OFF: Final = "0"
RECORD_UPLOAD_WITH_PICTURE: Final = "1"
UNANSWERED_LIMIT: Final = 2
"""Reads in a row left unanswered before the refresh stops asking for a group."""
TEMPERATURE_MODE: Final = "TemperatureMode"


# Parameter names (any case) whose values are credentials: the HTTP push user and password
# of V1.24 §9.4 (``UserName``/``PassWord``, ``User``/``Pwd``), and anything alike.
SECRET_PARAMETER_PARTS: Final = ("user", "pass", "pwd", "token", "secret", "key")
REDACTED: Final = "**REDACTED**"


def _is_secret(name: str) -> bool:
    folded = name.casefold()
    return any(part in folded for part in SECRET_PARAMETER_PARTS)


class TerminalSettings:
    """What the terminal reported of its settings, and the way to change them."""

    def __init__(self, terminal: TerminalPort) -> None:
        """Nothing is read before the terminal is online."""
        self.terminal = terminal
        self.parameters: dict[protocol.ConfigSection, dict[str, str]] = {}
        self.refused: dict[protocol.ConfigSection, str] = {}
        self.firmware: str | None = None
        self.firmware_build: str | None = None
        self.last_read: datetime | None = None
        # When each group was last answered (reported or refused), for `async_current`.
        self.answered_at: dict[protocol.ConfigSection, datetime] = {}
        # Groups answered since the running full read started: that read skips them.
        self._answered_in_refresh: set[protocol.ConfigSection] = set()
        # A read of the group under way, resolved when it ends (answered or not).
        self._reading: dict[protocol.ConfigSection, asyncio.Future[None]] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._refresh_task: asyncio.Task[None] | None = None
        self._refresh_again = False
        self._ready = False
        # Unanswered reads in a row per group, and the groups given up on (until the
        # firmware version changes): the refresh does not ask them.
        self._misses: dict[protocol.ConfigSection, int] = {}
        self.unanswered: set[protocol.ConfigSection] = set()
        self._unanswered_firmware: str | None = None

    # --- lifecycle ----------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Read when the terminal comes online, and periodically while it is.

        Reading starts once `async_subscription_ready` was called.
        """
        entry = self.terminal.entry
        entry.async_on_unload(self.terminal.async_add_presence_listener(self._presence_changed))
        entry.async_on_unload(
            async_track_time_interval(
                self.terminal.hass,
                self._periodic,
                SETTINGS_REFRESH_INTERVAL,
                name=f"{DOMAIN} settings {self.terminal.terminal_id}",
            )
        )

    @callback
    def async_subscription_ready(self) -> None:
        """The broker confirmed the runtime's reply subscription: reads can be answered.

        Nothing is read before (a reply to a command sent earlier is lost). Presence may
        already be known by then (the shared presence router tells a new runtime at once),
        and this also runs after the MQTT client re-subscribed on a reconnect.
        """
        self._ready = True
        if self.terminal.online:
            self.async_schedule_refresh()

    @callback
    def _presence_changed(self) -> None:
        if self.terminal.online and self._ready:
            self.async_schedule_refresh()
        else:
            self._notify()

    @callback
    def _periodic(self, now: datetime) -> None:
        # A read that just happened (the terminal came online) needs no repeat.
        recent = self.last_read is not None and now - self.last_read < SETTINGS_REFRESH_INTERVAL / 2
        if self.terminal.online and self._ready and not recent:
            self.async_schedule_refresh()

    @callback
    def async_schedule_refresh(self) -> None:
        """Read everything again in the background (once, however often asked)."""
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_again = True
            return
        # Not eagerly: this runs inside the runtime's presence callback, which is itself
        # inside the handling of a message; a command submitted from there would re-enter
        # the session while it is still matching that message.
        self._refresh_task = self.terminal.entry.async_create_background_task(
            self.terminal.hass,
            self.async_refresh(),
            f"{DOMAIN} settings {self.terminal.terminal_id}",
            eager_start=False,
        )

    async def async_refresh(self) -> None:
        """Read the firmware version and every parameter group.

        A group the terminal does not answer (older firmware may stay silent instead of
        refusing) does not stop the others; going offline does.
        """
        while True:
            self._refresh_again = False
            self._answered_in_refresh.clear()
            if not await self._async_read_version():
                return  # it does not answer: the next interval (or Online) tries again
            for section in SECTIONS:
                if not self.terminal.online:
                    return  # read again when it is back
                if section in self._answered_in_refresh or section in self.unanswered:
                    continue  # read meanwhile (just as new), or given up on this firmware
                await self._async_join_or_read(section)
            self.last_read = dt_util.utcnow()
            if not self._refresh_again:
                return

    async def _async_read_version(self) -> bool:
        """Read the firmware version; False when the terminal did not answer in time."""
        terminal = self.terminal
        try:
            ack = await terminal.async_request(protocol.ReadVersions(), background=True)
        except CommandFailedError as err:
            LOGGER.debug("Terminal %s: no version: %s", terminal.terminal_id, err)
            return err.failure is not Failure.TIMEOUT
        except HomeAssistantError as err:
            LOGGER.debug("Terminal %s: no version: %s", terminal.terminal_id, err)
            return True
        if isinstance(ack, protocol.VersionsAck):
            self.firmware = ack.version
            self.firmware_build = ack.build_time
            if self.unanswered and ack.version != self._unanswered_firmware:
                # New firmware may answer what the old one ignored: ask everything again.
                self.unanswered.clear()
                self._misses.clear()
            self._notify()
        return True

    async def async_current(
        self,
        section: protocol.ConfigSection,
        max_age: timedelta = SETTINGS_REFRESH_INTERVAL,
        *,
        background: bool = True,
    ) -> dict[str, str] | None:
        """A group's parameters as answered at most `max_age` ago; read now only if need be.

        `max_age` defaults to the periodic read's interval: while the terminal is online,
        the store is about that old at most anyway. None when the terminal refused the
        group, or when nothing that recent was known and the read now got no answer
        (offline, silent firmware). `background` False: someone waits for the answer
        (a change made in the UI), so a read needed now goes in the query lane.
        """
        if not self._answered_within(section, max_age):
            await self._async_join_or_read(section, background=background)
            if not self._answered_within(section, max_age):
                return None
        return self.parameters.get(section)

    def _answered_within(self, section: protocol.ConfigSection, max_age: timedelta) -> bool:
        answered = self.answered_at.get(section)
        return answered is not None and dt_util.utcnow() - answered <= max_age

    async def _async_join_or_read(
        self, section: protocol.ConfigSection, *, background: bool = True
    ) -> None:
        """Wait for the read of `section` under way, or read it now."""
        reading = self._reading.get(section)
        if reading is not None:
            # Shielded: a waiter cancelled (its entry unloading) leaves the read alone.
            await asyncio.shield(reading)
            return
        await self.async_read_section(section, background=background)

    async def async_read_section(
        self, section: protocol.ConfigSection, *, background: bool = True
    ) -> None:
        """Read one parameter group; one that is not answered keeps what it had.

        Always a new read (never one under way): after a change, only an answer to a read
        sent after it tells what the terminal stored. `background` False puts the read
        in the query lane (someone waits for it) instead of the background lane.
        """
        done: asyncio.Future[None] = self.terminal.hass.loop.create_future()
        self._reading[section] = done
        try:
            await self._async_read_section(section, background=background)
        finally:
            if self._reading.get(section) is done:
                del self._reading[section]
            done.set_result(None)

    async def _async_read_section(
        self, section: protocol.ConfigSection, *, background: bool
    ) -> None:
        terminal = self.terminal
        try:
            ack = await terminal.async_request(protocol.ReadConfig(section), background=background)
        except TerminalCommandError as err:
            # This model has no such group (no thermometer, older firmware): its settings
            # stay unreported rather than guessed.
            self.parameters.pop(section, None)
            self.refused[section] = err.reason
            self._answered(section)
            return
        except CommandFailedError as err:
            LOGGER.debug(
                "Terminal %s: %s settings not read: %s", terminal.terminal_id, section, err
            )
            if err.failure is Failure.TIMEOUT:
                self._missed(section)
            return
        except HomeAssistantError as err:
            LOGGER.debug(
                "Terminal %s: %s settings not read: %s", terminal.terminal_id, section, err
            )
            return
        self.parameters[section] = parse_parameters(ack.info)
        self.refused.pop(section, None)
        self._answered(section)

    def _missed(self, section: protocol.ConfigSection) -> None:
        """The terminal was online and let a read of `section` go unanswered."""
        self._misses[section] = self._misses.get(section, 0) + 1
        if self._misses[section] >= UNANSWERED_LIMIT and section not in self.unanswered:
            LOGGER.info(
                "Terminal %s never answers %s; not asked again until its firmware changes",
                self.terminal.display_name,
                section.get_operator,
            )
            self.unanswered.add(section)
            self._unanswered_firmware = self.firmware

    def _answered(self, section: protocol.ConfigSection) -> None:
        self._misses.pop(section, None)
        self.unanswered.discard(section)
        self.answered_at[section] = dt_util.utcnow()
        self._answered_in_refresh.add(section)
        self._notify()

    # --- reading ------------------------------------------------------------------

    def raw(self, setting: Setting) -> str | None:
        """The reported text of a setting's key, or None."""
        parameters = self.parameters.get(setting.section)
        if parameters is None:
            return None
        return find(parameters, setting.parameter)

    def value(self, setting: Setting) -> bool | float | str | None:
        """The setting's current value as the terminal reported it; None if not reported."""
        return decode(setting, self.raw(setting))

    @property
    def fahrenheit(self) -> bool:
        """Whether the terminal shows temperatures in °F (its ``TemperatureMode`` is 1)."""
        parameters = self.parameters.get(protocol.ConfigSection.TEMPERATURE, {})
        return protocol.as_int(find(parameters, TEMPERATURE_MODE)) == 1

    @property
    def temperature_unit(self) -> str:
        """The unit of temperatures the terminal reports."""
        return UnitOfTemperature.FAHRENHEIT if self.fahrenheit else UnitOfTemperature.CELSIUS

    # --- changing -----------------------------------------------------------------

    async def async_set(self, setting: Setting, value: object) -> None:
        """Send a new value; return once the terminal confirmed it.

        Raises `ServiceValidationError` for a value the terminal must not get and
        `HomeAssistantError` naming the terminal's reason when it refuses.
        """
        terminal = self.terminal
        current = self.raw(setting)
        if current is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="setting_not_reported",
                translation_placeholders={"name": terminal.display_name, "setting": setting.key},
            )
        with invalid_arguments("invalid_setting", setting=setting.key):
            text = encode(setting, value, current=current, fahrenheit=self.fahrenheit)
            command = terminal.frame(
                protocol.WriteConfig(setting.section, {setting.parameter: text})
            )
        ack = await self._async_send(command, "setting_refused", setting=setting.key)
        parameters = self.parameters.setdefault(setting.section, {})
        key = next(
            (name for name in parameters if name.casefold() == setting.parameter.casefold()),
            setting.parameter,
        )
        parameters[key] = text
        if setting.key == "door_mode" and value == REMOTE_DECISION_MODE:
            # Listeners hear of the mode with its prerequisites (or their refusal), never
            # of the mode alone for a moment (`remote_decision` would raise its repair).
            try:
                await self.async_enable_remote_decision()
            finally:
                self._notify()
        else:
            self._notify()
        if setting.restarts or protocol.as_int(ack.info.get("reboot")) == 1:
            return  # it restarts now; everything is read when it is back online
        # Read the group back: what the terminal stored is what counts. Someone
        # waits for it (the entity shows the value read back): not a background read.
        await self.async_read_section(setting.section, background=False)

    async def async_enable_remote_decision(self) -> None:
        """Turn on what door mode 3 needs (§9.3.5): after the mode, or from its repair.

        Resume-from-breakpoint (a record waits for Home Assistant's ``PushAck``) and record
        upload (with pictures, unless it is on already), in one ``UpMQTTconfig`` after the
        mode (an MQTT change may restart the terminal). A refusal fails the change with
        the terminal's reason.
        """
        section = protocol.ConfigSection.MQTT
        current = await self.async_current(section, background=False) or {}
        wanted = dict(REMOTE_DECISION_PREREQUISITES)
        if find(current, RECORD_UPLOAD) in (None, RECORD_UPLOAD_OFF):
            wanted[RECORD_UPLOAD] = RECORD_UPLOAD_WITH_PICTURE
        missing = {key: text for key, text in wanted.items() if find(current, key) != text}
        if not missing:
            return
        ack = await self._async_send(
            protocol.WriteConfig(section, missing), "setting_refused", setting="door_mode"
        )
        self.parameters.setdefault(section, {}).update(missing)
        self._notify()
        if protocol.as_int(ack.info.get("reboot")) != 1:
            await self.async_read_section(section, background=False)

    # --- device management (buttons and actions call these) -------------------------

    async def _async_send(
        self, what: protocol.Intent | protocol.Command, refused_key: str, **placeholders: str
    ) -> protocol.Ack:
        """Send a command; a refusal becomes `refused_key` naming the terminal's reason.

        `placeholders` adds to the message's ``name`` (the terminal) and ``reason``.
        """
        with refused_as(refused_key, self.terminal.display_name, **placeholders):
            return await self.terminal.async_request(what)

    async def async_reboot(self) -> None:
        """Restart the terminal (``RebootDevice``, V1.24 §9.7)."""
        await self._async_send(protocol.Reboot(), "reboot_refused")

    async def async_upgrade(self, url: str, name: str) -> None:
        """Make the terminal download and install the firmware at `url` (V1.24 §7.1)."""
        with invalid_arguments("invalid_firmware"):
            command = self.terminal.frame(protocol.InstallFirmware(url, name))
        await self._async_send(command, "firmware_refused")

    async def async_set_advertisement(self, slot: int, url: str, poll_time: int) -> None:
        """Show the JPEG at `url` in advertisement `slot` (``EditAD``, V1.24 §12.1)."""
        with invalid_arguments():
            command = self.terminal.frame(protocol.ShowAdvertisement(slot, url, poll_time))
        await self._async_send(command, "advertisement_refused")

    async def async_delete_advertisement(self, slot: int) -> None:
        """Remove the advertisement in `slot` (``DelAD``, V1.24 §12.3)."""
        with invalid_arguments():
            command = self.terminal.frame(protocol.DeleteAdvertisement(slot))
        await self._async_send(command, "advertisement_refused")

    async def async_factory_reset(self, parts: list[str]) -> None:
        """Restore `parts` to factory settings (``SetFactoryDefault``, V1.24 §9.9).

        It goes through the persons lane (`protocol.ROUTES`): restoring persons must not
        cross an enrolment. What was restored is read again (after a restart: when the
        terminal is back).
        """
        with invalid_arguments():
            command = self.terminal.frame(protocol.FactoryReset(parts))
        await self._async_send(command, "factory_reset_refused")
        self.async_schedule_refresh()

    # --- listeners ----------------------------------------------------------------

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever a reported value may have changed."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # --- diagnostics --------------------------------------------------------------

    def as_diagnostics(self) -> dict[str, Any]:
        """Everything reported, by group, with credentials redacted (any spelling)."""
        return {
            "last_read": self.last_read.isoformat() if self.last_read else None,
            "firmware": self.firmware,
            "firmware_build": self.firmware_build,
            "parameters": {
                str(section): {
                    name: REDACTED if value and _is_secret(name) else value
                    for name, value in sorted(values.items())
                }
                for section, values in sorted(self.parameters.items())
            },
            "refused": {str(section): reason for section, reason in sorted(self.refused.items())},
            "unanswered": sorted(section.get_operator for section in self.unanswered),
        }
