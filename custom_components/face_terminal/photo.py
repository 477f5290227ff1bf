"""Pictures for the terminal's actions: load them, check them, make them fit.

Sources are a file in an allowed folder, a URL fetched with Home Assistant's shared web
session, or a snapshot of any camera entity. Face photos are re-encoded as JPEG when the
terminal would refuse them (too many bytes, larger than 1080p, not JPEG, rotated by an
EXIF tag); pictures for the QR-code area are checked but never changed, because
re-compressing a QR code can make it unreadable.

All Pillow work runs in the executor. Errors are translated: `ServiceValidationError`
when the input is at fault (a path outside the allow list, a 404, a file that is not a
picture), `HomeAssistantError` when the source could not be reached.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Final

import aiohttp
from homeassistant.components import camera
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from PIL import Image, ImageOps, UnidentifiedImageError

from . import protocol
from .const import DOMAIN
from .protocol.commands import MAX_QRCODE_DATA_BYTES
from .validation import invalid_input

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

MAX_SOURCE_BYTES: Final = 10 * 1024 * 1024
"""Largest file or download accepted as a source (it is shrunk afterwards)."""

DOWNLOAD_TIMEOUT: Final = 30
CAMERA_TIMEOUT: Final = 10
_CHUNK: Final = 64 * 1024

MAX_FACE_PHOTO_BYTES: Final = 700 * 1024
"""Largest face photo sent: its base64 text (~933 KiB) keeps the command under 1 MB."""

MAX_LONG_SIDE: Final = 1920
MAX_SHORT_SIDE: Final = 1080
"""The terminal accepts at most 1080p pictures, in either orientation."""

_QUALITIES: Final = (90, 82, 74, 66, 58)
_SHRINK_STEP: Final = 0.75
_MIN_SIDE: Final = 64
_EXIF_ORIENTATION: Final = 0x0112


def _too_large() -> ServiceValidationError:
    return invalid_input("image_too_large", max_mb=str(MAX_SOURCE_BYTES // (1024 * 1024)))


# --- sources ------------------------------------------------------------------------


async def async_load_image(
    hass: HomeAssistant,
    *,
    image_path: str | None = None,
    image_url: str | None = None,
    camera_entity_id: str | None = None,
) -> bytes:
    """Return the bytes of the one source given (the caller checks there is exactly one)."""
    if image_path is not None:
        return await async_read_file(hass, image_path)
    if image_url is not None:
        return await async_download(hass, image_url)
    if camera_entity_id is not None:
        return await async_camera_image(hass, camera_entity_id)
    raise invalid_input("photo_source_count")


async def async_read_file(hass: HomeAssistant, image_path: str) -> bytes:
    """Read a picture from a folder in `allowlist_external_dirs`."""
    return await hass.async_add_executor_job(_read_file, hass, image_path)


def _read_file(hass: HomeAssistant, image_path: str) -> bytes:
    if not hass.config.is_allowed_path(image_path):
        raise invalid_input("path_not_allowed", path=image_path)
    try:
        with Path(image_path).open("rb") as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except OSError as err:
        raise invalid_input(
            "file_unreadable", path=image_path, error=err.strerror or str(err)
        ) from err
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large()
    return data


async def async_download(hass: HomeAssistant, url: str) -> bytes:
    """Download a picture with the shared session: status 200, at most 10 MiB."""
    session = async_get_clientsession(hass)
    try:
        async with session.get(
            url, timeout=aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
        ) as response:
            if response.status != 200:
                raise invalid_input("download_failed", url=url, status=str(response.status))
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > MAX_SOURCE_BYTES:
                raise _too_large()
            data = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                data += chunk
                if len(data) > MAX_SOURCE_BYTES:
                    raise _too_large()
    except (aiohttp.ClientError, TimeoutError) as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="download_error",
            translation_placeholders={"url": url, "error": str(err) or type(err).__name__},
        ) from err
    return bytes(data)


async def async_camera_image(hass: HomeAssistant, entity_id: str) -> bytes:
    """Take a snapshot of a camera entity of any integration."""
    try:
        image = await camera.async_get_image(hass, entity_id, timeout=CAMERA_TIMEOUT)
    except HomeAssistantError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="camera_image_failed",
            translation_placeholders={"entity_id": entity_id, "error": str(err)},
        ) from err
    return image.content


# --- face photos -----------------------------------------------------------------------


async def async_prepare_face_photo(
    hass: HomeAssistant, data: bytes, max_bytes: int = MAX_FACE_PHOTO_BYTES
) -> bytes:
    """Return a JPEG the terminal accepts, made from any picture Pillow can read."""
    return await hass.async_add_executor_job(prepare_face_photo, data, max_bytes)


def _open(data: bytes) -> Image.Image:
    """Open a picture lazily (only the header is read)."""
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:
        raise invalid_input("photo_too_large") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        # Pillow raises SyntaxError or ValueError for some broken headers.
        raise invalid_input("not_an_image") from err


def _load(image: Image.Image) -> None:
    """Decode the pixels; a truncated or corrupt file is not a usable picture."""
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as err:
        raise invalid_input("not_an_image") from err


def _fit_scale(width: int, height: int) -> float:
    long_side, short_side = max(width, height), min(width, height)
    return min(1.0, MAX_LONG_SIDE / long_side, MAX_SHORT_SIDE / short_side)


def prepare_face_photo(data: bytes, max_bytes: int = MAX_FACE_PHOTO_BYTES) -> bytes:
    """Return `data` unchanged when the terminal accepts it, else a JPEG re-encoding.

    Accepted as is: a JPEG in RGB or grey of at most `MAX_FACE_PHOTO_BYTES`, within
    1920 x 1080 in either orientation, without an EXIF rotation. Everything else is
    rotated upright, flattened onto white, scaled to fit and saved as JPEG, lowering the
    quality and then the size until it fits. Raises `ServiceValidationError` for data
    that is not a picture.
    """
    image = _open(data)
    scale = _fit_scale(*image.size)
    if image.format == "JPEG" and scale < 1.0:
        # Let the JPEG decoder skip detail we would throw away (1/2, 1/4 or 1/8 scale).
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    _load(image)
    if (
        image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and len(data) <= max_bytes
        and scale == 1.0
        and image.getexif().get(_EXIF_ORIENTATION, 1) == 1
    ):
        return data
    image = _flatten(ImageOps.exif_transpose(image))
    scale = _fit_scale(*image.size)
    while True:
        width = max(1, math.floor(image.width * scale))
        height = max(1, math.floor(image.height * scale))
        resized = image if scale == 1.0 else image.resize((width, height), Image.Resampling.LANCZOS)
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            resized.save(buffer, format="JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        if min(width, height) * _SHRINK_STEP < _MIN_SIDE:  # pragma: no cover - JPEG of 64 px
            raise invalid_input("photo_too_large")
        scale *= _SHRINK_STEP


def _flatten(image: Image.Image) -> Image.Image:
    """RGB (or grey) without transparency: transparent parts become white."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in {"P", "PA"}:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


# --- QR-code pictures -----------------------------------------------------------------


def check_qr_image(data: bytes) -> str:
    """Return the MIME type of a PNG, JPEG or BMP picture that fits `ShowQRCode`.

    The picture is not changed. Raises `ServiceValidationError` for other formats and
    when its data URI would not fit in `QRCodeData` (32 KiB including the terminator).
    """
    content_type = protocol.sniff_image_type(data)
    if content_type is None:
        raise invalid_input("qr_image_format")
    size = len(f"data:{content_type};base64,") + 4 * math.ceil(len(data) / 3)
    if size > MAX_QRCODE_DATA_BYTES:
        raise invalid_input(
            "qr_image_too_large",
            size=str(size),
            max_size=str(MAX_QRCODE_DATA_BYTES),
        )
    return content_type
