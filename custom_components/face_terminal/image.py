"""Image entity of a face terminal: the face picture of the last record."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .entity import FaceTerminalEntity
from .jovision import JovisionDevice
from .jovision_entity import image_entities

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal
    from .events import TerminalRecord
    from .jovision import FaceTerminalDeviceConfigEntry
    from .protocol import Image

# Push only: pictures arrive with the records.
PARALLEL_UPDATES = 0

LAST_FACE_DESCRIPTION = ImageEntityDescription(key="last_face", translation_key="last_face")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalDeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's last-face image."""
    runtime = entry.runtime_data
    if isinstance(runtime, JovisionDevice):
        async_add_entities(image_entities(hass, runtime))
        return
    async_add_entities([FaceTerminalFaceImage(hass, runtime, LAST_FACE_DESCRIPTION)])


class FaceTerminalFaceImage(FaceTerminalEntity, ImageEntity):
    """The face of the last recognised person or stranger, as the terminal cropped it.

    The picture lives in memory only; after a restart the entity has none until the
    next record with a face arrives.
    """

    entity_description: ImageEntityDescription

    def __init__(
        self, hass: HomeAssistant, terminal: FaceTerminal, description: ImageEntityDescription
    ) -> None:
        """Set up both bases (ImageEntity needs `hass` for its HTTP client)."""
        FaceTerminalEntity.__init__(self, terminal, description)
        ImageEntity.__init__(self, hass)
        self._image: Image | None = None
        self._use(terminal.state.last_face)

    def _use(self, image: Image | None) -> bool:
        """Show `image` if it is a new one; return whether it was."""
        if image is None or image is self._image:
            return False
        self._image = image
        self._attr_content_type = image.content_type
        self._attr_image_last_updated = self.terminal.state.last_face_time or dt_util.utcnow()
        return True

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the terminal's records."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.async_add_record_listener(self._async_handle_record))

    @callback
    def _async_handle_record(self, record: TerminalRecord) -> None:
        # The runtime stores a record's face before it calls the listeners; a record
        # without a (decodable) face leaves the previous one in place.
        if self._use(self.terminal.state.last_face):
            self.async_write_ha_state()

    @override
    async def async_image(self) -> bytes | None:
        """The picture bytes (the content type was set with the picture).

        Decoded here, on the first fetch (`protocol.LazyImage`); a picture whose base64
        turned out broken gives none.
        """
        return (self._image.data or None) if self._image is not None else None
