"""Tests of photo preparation (Pillow work, without Home Assistant)."""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING

import pytest
from homeassistant.exceptions import ServiceValidationError
from PIL import Image

from custom_components.face_terminal import photo

from . import payloads

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """Bytes of `image` saved as `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def open_image(data: bytes) -> Image.Image:
    """Decode picture bytes."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@functools.cache
def noise_png() -> bytes:
    """A 1080p picture of pure noise: within the size limits but far too many bytes."""
    return encode(Image.effect_noise((1920, 1080), 100).convert("RGB"), "PNG")


def test_small_jpeg_is_sent_unchanged() -> None:
    data = payloads.jpeg(640, 480)
    assert photo.prepare_face_photo(data) is data


def test_grey_jpeg_is_sent_unchanged() -> None:
    data = encode(Image.new("L", (100, 100), 128), "JPEG")
    assert photo.prepare_face_photo(data) is data


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3840, 2160), (1920, 1080)),  # landscape 4K
        ((2160, 3840), (1080, 1920)),  # portrait 4K
        ((1200, 2400), (960, 1920)),  # tall: the long side decides
        ((3000, 1500), (1920, 960)),
        ((2000, 2000), (1080, 1080)),  # square: the short side decides
    ],
)
def test_large_pictures_are_scaled_to_1080p(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    data = encode(Image.new("RGB", size, (10, 120, 200)), "JPEG")
    result = open_image(photo.prepare_face_photo(data))
    assert result.format == "JPEG"
    assert result.size == expected


def test_png_with_transparency_becomes_jpeg_on_white() -> None:
    image = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 20, 40))
    result = open_image(photo.prepare_face_photo(encode(image, "PNG")))
    assert result.format == "JPEG"
    assert result.mode == "RGB"
    red, green, blue = result.getpixel((35, 20))  # type: ignore[misc]
    assert min(red, green, blue) > 240  # transparent became white, not black
    assert result.getpixel((5, 20))[2] > 200  # type: ignore[index]


def test_palette_picture_becomes_rgb_jpeg() -> None:
    image = Image.new("RGB", (30, 30), (0, 200, 0)).convert("P")
    result = open_image(photo.prepare_face_photo(encode(image, "GIF")))
    assert (result.format, result.mode) == ("JPEG", "RGB")


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = encode(Image.new("CMYK", (30, 30), (0, 255, 255, 0)), "JPEG")
    result = open_image(photo.prepare_face_photo(data))
    assert result.mode == "RGB"


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = encode(Image.new("RGB", (100, 50)), "JPEG", exif=exif)
    result = open_image(photo.prepare_face_photo(data))
    assert result.size == (50, 100)
    assert result.getexif().get(0x0112) is None


def test_picture_with_too_many_bytes_is_recompressed_and_shrunk() -> None:
    data = noise_png()
    assert len(data) > photo.MAX_FACE_PHOTO_BYTES
    result = photo.prepare_face_photo(data)
    assert len(result) <= photo.MAX_FACE_PHOTO_BYTES
    image = open_image(result)
    assert image.format == "JPEG"
    assert image.width <= 1920
    assert image.height <= 1080


def test_large_jpeg_uses_the_draft_decoder() -> None:
    data = encode(Image.new("RGB", (7680, 4320), (90, 90, 90)), "JPEG")
    result = open_image(photo.prepare_face_photo(data))
    assert result.size == (1920, 1080)


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"%PDF-1.7\n", payloads.jpeg()[:200]],
    ids=["empty", "text", "pdf", "truncated"],
)
def test_not_a_picture(data: bytes) -> None:
    with pytest.raises(ServiceValidationError) as err:
        photo.prepare_face_photo(data)
    assert err.value.translation_key == "not_an_image"


def test_truncated_png_is_not_a_picture() -> None:
    data = encode(Image.new("RGB", (300, 300), (1, 2, 3)), "PNG")
    with pytest.raises(ServiceValidationError) as err:
        photo.prepare_face_photo(data[: len(data) // 2])
    assert err.value.translation_key == "not_an_image"


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(Image.new("RGB", (200, 200)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ServiceValidationError) as err:
        photo.prepare_face_photo(data)
    assert err.value.translation_key == "photo_too_large"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("BMP", "image/bmp")],
)
def test_qr_picture_formats(fmt: str, content_type: str) -> None:
    assert photo.check_qr_image(encode(Image.new("RGB", (40, 40)), fmt)) == content_type


def test_qr_picture_of_another_format() -> None:
    with pytest.raises(ServiceValidationError) as err:
        photo.check_qr_image(encode(Image.new("RGB", (40, 40)), "GIF"))
    assert err.value.translation_key == "qr_image_format"


def test_qr_picture_too_large() -> None:
    data = encode(Image.effect_noise((200, 200), 100), "PNG")
    with pytest.raises(ServiceValidationError) as err:
        photo.check_qr_image(data)
    assert err.value.translation_key == "qr_image_too_large"
    placeholders = err.value.translation_placeholders or {}
    assert int(placeholders["size"]) > int(placeholders["max_size"])


async def test_load_without_source(hass: HomeAssistant) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await photo.async_load_image(hass)
    assert err.value.translation_key == "photo_source_count"
