"""Camera of a face terminal: a still picture of the scene, taken on request."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.camera import Camera, CameraEntityDescription
from homeassistant.exceptions import HomeAssistantError

from .const import LOGGER
from .device import DeviceRuntime
from .entity import FaceTerminalEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminalConfigEntry
    from .scene import SceneSnapshots

# Every picture is a command to the terminal, which handles one at a time.
PARALLEL_UPDATES = 1

SCENE_DESCRIPTION = CameraEntityDescription(key="scene", translation_key="scene")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's scene camera."""
    terminal = entry.runtime_data
    async_add_entities([FaceTerminalSceneCamera(terminal, terminal.scene, SCENE_DESCRIPTION)])


class FaceTerminalSceneCamera(FaceTerminalEntity[DeviceRuntime], Camera):
    """The terminal's current view, one JPEG per request (`GetSceneSnap`); no stream."""

    entity_description: CameraEntityDescription

    def __init__(
        self, terminal: DeviceRuntime, scene: SceneSnapshots, description: CameraEntityDescription
    ) -> None:
        """Set up both bases: Camera keeps its own tokens and stream state."""
        FaceTerminalEntity.__init__(self, terminal, description)
        Camera.__init__(self)
        self._scene = scene
        self.content_type = "image/jpeg"

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A fresh scene picture, or the last good one when the terminal does not answer.

        The scene pictures share one request between concurrent callers and cache the
        answer for a moment, so a dashboard refreshing the picture does not flood the
        terminal with commands.
        """
        try:
            return await self._scene.async_snapshot()
        except HomeAssistantError as err:
            LOGGER.debug(
                "Terminal %s: no scene picture (%s); showing the last one",
                self.terminal.terminal_id,
                err,
            )
            return self._scene.last
