"""Image entities of a device: the face (and, where sent, the scene) of the last record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .device import Capability, ImageKind, has_capability
from .entity import FaceTerminalRecordEntity
from .newest import is_newer, record_face

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .device import DeviceConfigEntry, DeviceRecord, DeviceRuntime
    from .protocol import Image

# Push only: pictures arrive with the records.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FaceTerminalImageEntityDescription(ImageEntityDescription):
    """A picture the runtime keeps from its records (`kind`), if the device sends it."""

    kind: ImageKind
    capability: Capability | None = None


IMAGE_DESCRIPTIONS: tuple[FaceTerminalImageEntityDescription, ...] = (
    FaceTerminalImageEntityDescription(
        key="last_face", translation_key="last_face", kind=ImageKind.FACE
    ),
    FaceTerminalImageEntityDescription(
        key="last_scene",
        translation_key="last_scene",
        kind=ImageKind.SCENE,
        capability=Capability.SCENE_PUSH,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the device's last-face image, and its last-scene image where it sends one."""
    runtime = entry.runtime_data
    async_add_entities(
        FaceTerminalImage(hass, runtime, description)
        for description in IMAGE_DESCRIPTIONS
        if has_capability(runtime, description.capability)
    )


class FaceTerminalImage(FaceTerminalRecordEntity, ImageEntity):
    """The last picture of a kind, as the device sent it (a face crop, or the scene).

    Pictures live in memory only; after a restart the entity has none until the next
    record with one arrives. Like the last-person sensor it shows the newest arrival by
    the record's own time: a re-sent record's face only when it happened after the shown
    one.
    """

    entity_description: FaceTerminalImageEntityDescription
    follows_replays = True

    def __init__(
        self,
        hass: HomeAssistant,
        runtime: DeviceRuntime,
        description: FaceTerminalImageEntityDescription,
    ) -> None:
        """Set up both bases (ImageEntity needs `hass` for its HTTP client)."""
        FaceTerminalRecordEntity.__init__(self, runtime, description)
        ImageEntity.__init__(self, hass)
        self._image: Image | None = None
        self._shown: datetime | None = None  # the shown picture's record time
        self._use()

    def _use(self) -> bool:
        """Show the runtime's current picture if it is a new one; return whether it was."""
        latest = self.terminal.last_image(self.entity_description.kind)
        if latest is None or latest[0] is self._image:
            return False
        self._image, self._attr_image_last_updated = latest
        self._attr_content_type = self._image.content_type
        return True

    @callback
    @override
    def _async_handle_record(self, record: DeviceRecord) -> None:
        # The runtime stores a record's pictures before it calls the listeners; a record
        # without a (decodable) picture leaves the previous one in place.
        if self._use():
            self._shown = record.time
            self.async_write_ha_state()

    @callback
    @override
    def _async_handle_replay(self, record: DeviceRecord) -> None:
        if self.entity_description.kind is not ImageKind.FACE or not is_newer(record, self._shown):
            return
        if (face := record_face(record)) is None:
            return
        self._image = face
        self._attr_image_last_updated = dt_util.utcnow()
        self._attr_content_type = face.content_type
        self._shown = record.time
        self.async_write_ha_state()

    @override
    async def async_image(self) -> bytes | None:
        """The picture bytes (the content type was set with the picture).

        Decoded here, on the first fetch (`protocol.LazyImage`); a picture whose base64
        turned out broken gives none.
        """
        return (self._image.data or None) if self._image is not None else None
