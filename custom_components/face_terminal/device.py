"""The device-runtime contract both families implement, and what platforms read from it.

An entry with entities holds one runtime in ``entry.runtime_data``: a `FaceTerminal`
(MQTT, `coordinator`) or a `JovisionDevice` (HTTP push, `jovision`). Entities, the
platforms and the diagnostics talk to it only through `DeviceRuntime` and `DeviceRecord`;
what one family can do and the other cannot is a `Capability`, so a platform decides by
capability and never by the runtime's class. Entities of a device that takes commands
(`Capability.COMMANDS`: an MQTT terminal) reach its features through
`entity.CommandDevice`.

Why Jovision devices stay config entries of their own (and are not config subentries of
the receiver entry): subentries would give the receiver its devices as children, but the
entry model is what the unique IDs, the discovery flow, the options flow, the device
registry and the users' existing installations hang on; moving them is a migration with
its own risks (entities re-parented, options moved, an "ignore" per device no longer
possible), too large to do safely at this point. The contract does not depend on it: a
subentry-based layout could keep `JovisionDevice` as it is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.const import Platform

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import CALLBACK_TYPE, Context
    from homeassistant.helpers.device_registry import DeviceInfo

    from .protocol import Image, ImageProblem


type DeviceConfigEntry = ConfigEntry[DeviceRuntime]
"""An entry with a device and entities: an MQTT terminal or a Jovision device."""


class Capability(StrEnum):
    """Something a device can do beyond presence, faces and access records."""

    COMMANDS = "commands"
    """Takes commands (door, people, pictures on request): the actions accept it."""
    DOOR = "door"
    """Opens its door on request: a lock entity."""
    SCENE_SNAPSHOT = "scene_snapshot"
    """Takes a picture of its view on request: a camera entity."""
    SCENE_PUSH = "scene_push"
    """Sends a picture of the scene with its records: a "last scene" image entity."""
    TEMPERATURE = "temperature"
    """Measures body temperature with its records: a temperature sensor."""
    SCANS = "scans"
    """Reads QR codes, cards or ID cards: a scan event entity."""
    ALARMS = "alarms"
    """Raises alarms (alarm pushes, over-temperature flags on records): an alarm event entity."""


class ImageKind(StrEnum):
    """Pictures a runtime keeps from its records."""

    FACE = "face"
    SCENE = "scene"


# Platforms every device runtime has, and those that depend on a capability.
_PLATFORM_CAPABILITY: dict[Platform, Capability | None] = {
    Platform.BINARY_SENSOR: None,
    Platform.CAMERA: Capability.SCENE_SNAPSHOT,
    # Presence through the door: terminals report a direction with each passage.
    Platform.DEVICE_TRACKER: Capability.DOOR,
    Platform.EVENT: None,
    Platform.IMAGE: None,
    Platform.LOCK: Capability.DOOR,
    Platform.SENSOR: None,
    # The terminal's own settings, buttons and firmware: only devices that take commands.
    Platform.BUTTON: Capability.COMMANDS,
    Platform.NUMBER: Capability.COMMANDS,
    Platform.SELECT: Capability.COMMANDS,
    Platform.SWITCH: Capability.COMMANDS,
    Platform.TEXT: Capability.COMMANDS,
    Platform.UPDATE: Capability.COMMANDS,
}


def has_capability(runtime: DeviceRuntime, needed: Capability | None) -> bool:
    """Whether a runtime can do what a platform or an entity needs (None: any device)."""
    return needed is None or needed in runtime.capabilities


def device_platforms(runtime: DeviceRuntime, platforms: Iterable[Platform]) -> list[Platform]:
    """The `platforms` that apply to a runtime: those whose capability it has."""
    return [
        platform
        for platform in platforms
        if has_capability(runtime, _PLATFORM_CAPABILITY.get(platform))
    ]


def configuration_url(host: str | None) -> str | None:
    """The device page linked from Home Assistant's device view."""
    return f"http://{host}" if host else None


def image_summary(
    image: Image | None, problem: ImageProblem | None = None
) -> dict[str, Any] | None:
    """Type and size of a picture, or why there is none; never the picture (diagnostics)."""
    if image is not None:
        return {"content_type": image.content_type, "size": len(image.data)}
    if problem is not None:
        return {"problem": str(problem)}
    return None


class DeviceRecord(Protocol):
    """One record as entities see it, whichever family sent it.

    Everything here is already free of personal data that must not be shown: pictures,
    full ID-card numbers and phone numbers never get into a record's attributes.
    """

    @property
    def event_type(self) -> str:
        """The event entity's type (access_granted, stranger, qr_code, recognized, …)."""

    @property
    def time(self) -> datetime:
        """When it happened (aware, in Home Assistant's time zone)."""

    @property
    def is_access(self) -> bool:
        """Whether it belongs on the "access" event entity (a face was seen)."""

    @property
    def is_scan(self) -> bool:
        """Whether it belongs on the "scan" event entity (QR code, card, ID card)."""

    @property
    def event_attributes(self) -> dict[str, Any]:
        """Attributes of the event entity's event."""

    @property
    def alarm_type(self) -> str | None:
        """The alarm event entity's type if the record raises an alarm, else None.

        ``terminal_alarm`` for an alarm push, ``high_temperature`` for a record the
        device flagged as over its temperature threshold.
        """

    @property
    def alarm_attributes(self) -> dict[str, Any]:
        """Attributes of the alarm event (empty when the record raises none)."""

    @property
    def recognized_person(self) -> str | None:
        """Who was recognised (name, else an ID); None for strangers, scans and unknowns."""

    @property
    def person_attributes(self) -> dict[str, Any]:
        """The last-person sensor's attributes for a recognition."""

    @property
    def temperature(self) -> float | None:
        """Body temperature measured with the record, in °C."""

    @property
    def context(self) -> Context:
        """The context of the record's bus event; entity updates it causes share it."""


class DeviceRuntime(Protocol):
    """What entities and platforms may use of a device runtime (either family)."""

    @property
    def terminal_id(self) -> str:
        """The device's own ID (terminal ID or UUID): the prefix of its unique IDs."""

    @property
    def device_id(self) -> str:
        """The device registry ID of the device (set once the runtime started)."""

    @property
    def device_info(self) -> DeviceInfo:
        """The device-registry link of the device's entities."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the device can do beyond presence, faces and access records."""

    @property
    def access_event_types(self) -> list[str]:
        """Event types of its access event entity."""

    @property
    def online(self) -> bool:
        """Whether the device is heard from (presence)."""

    @property
    def last_seen(self) -> datetime | None:
        """When the device last sent anything."""

    def last_image(self, kind: ImageKind) -> tuple[Image, datetime] | None:
        """The last picture of a kind and when it arrived; None before the first."""

    def async_add_presence_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the device goes online or offline; returns the remover."""

    def async_add_record_listener(self, listener: Callable[[DeviceRecord], None]) -> CALLBACK_TYPE:
        """Call `listener` with every new record, after the runtime stored its pictures."""

    def async_add_replay_listener(self, listener: Callable[[DeviceRecord], None]) -> CALLBACK_TYPE:
        """Call `listener` with every record the device re-sent (never a live arrival)."""

    def diagnostics(self) -> dict[str, Any]:
        """The runtime's sections of a diagnostics download (presence, counters, records).

        Pictures appear only as `image_summary`. Personal fields may still be present
        under their usual keys (person name, IDs, card numbers): `diagnostics.py`
        redacts the whole result, so the rules live in one place.
        """
