"""Pictures drawn with Pillow: faces, scenes, ID-card photos, and picture checks.

Every person gets a distinct, deterministic face (colours and features derived
from a hash of the label, initials written underneath). A target size in KB can
be requested: the face is scaled and overlaid with deterministic noise until the
JPEG is just below the target, then padded with JPEG comment segments so that
1 KB, 100 KB or 700 KB pictures come out at (almost exactly) the asked size.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageStat, UnidentifiedImageError

#: Pictures smaller than this (either side) are "too small to hold a face".
MIN_FACE_SIDE = 40
#: A picture whose grey-level standard deviation is below this is "blank" (no face).
MIN_FACE_CONTRAST = 6.0
_BASE_W, _BASE_H = 240, 320
_COM_MAX = 65533  # payload bytes in one JPEG COM segment


class PictureError(ValueError):
    """A picture could not be used; ``reason`` is ``"base64"``, ``"image"`` or ``"face"``."""

    def __init__(self, reason: str, message: str) -> None:
        """Store the machine-readable reason next to the message."""
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass(frozen=True, slots=True)
class PictureInfo:
    """What :func:`inspect_picture` found in a picture."""

    format: str
    width: int
    height: int
    has_face: bool


def _digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def _colour(digest: bytes, offset: int, low: int = 40, high: int = 220) -> tuple[int, int, int]:
    span = high - low
    return (
        low + digest[offset] * span // 255,
        low + digest[offset + 1] * span // 255,
        low + digest[offset + 2] * span // 255,
    )


def initials(label: str) -> str:
    """Return up to two initials; non-Latin names get a short hash tag instead."""
    words = [word for word in label.replace("_", " ").split() if word]
    letters = "".join(word[0] for word in words[:2])
    if letters.isascii() and letters.isalnum():
        return letters.upper()
    return "#" + _digest(label).hex()[:3].upper()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except OSError, ImportError:  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def draw_face(label: str, width: int = _BASE_W, height: int = _BASE_H) -> Image.Image:
    """Draw a cartoon face that is unique to ``label``.

    Args:
        label: Person name (or any seed); the same label gives the same picture.
        width: Picture width in pixels.
        height: Picture height in pixels.

    Returns:
        An RGB image.
    """
    digest = _digest(label)
    image = Image.new("RGB", (width, height), _colour(digest, 0, 150, 250))
    draw = ImageDraw.Draw(image)
    sx, sy = width / _BASE_W, height / _BASE_H

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * sx, y0 * sy, x1 * sx, y1 * sy)

    hair = _colour(digest, 3, 10, 120)
    skin = (200 + digest[6] % 50, 150 + digest[7] % 60, 110 + digest[8] % 60)
    face_w = 70 + digest[9] % 25
    draw.ellipse(box(120 - face_w - 8, 30, 120 + face_w + 8, 190), fill=hair)
    draw.ellipse(box(120 - face_w, 50, 120 + face_w, 230), fill=skin, outline=(60, 40, 30))
    eye = _colour(digest, 10, 0, 140)
    eye_gap = 22 + digest[13] % 14
    for centre in (120 - eye_gap, 120 + eye_gap):
        draw.ellipse(box(centre - 12, 115, centre + 12, 135), fill=(255, 255, 255))
        draw.ellipse(box(centre - 6, 119, centre + 6, 131), fill=eye)
    draw.line(
        [(120 * sx, 140 * sy), (114 * sx, 168 * sy), (124 * sx, 170 * sy)], fill=(120, 80, 60)
    )
    mouth_w = 18 + digest[14] % 20
    draw.arc(box(120 - mouth_w, 170, 120 + mouth_w, 200), 10, 170, fill=(160, 40, 40), width=4)
    draw.rectangle(box(0, 250, 240, 320), fill=_colour(digest, 15, 20, 120))
    font = _font(max(10, int(34 * min(sx, sy))))
    draw.text((width / 2, 285 * sy), initials(label), fill=(255, 255, 255), font=font, anchor="mm")
    return image


def _encode(image: Image.Image, quality: int, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def _noisy(image: Image.Image, seed: str, amplitude: int) -> Image.Image:
    rng = random.Random(seed)
    noise = Image.frombytes("RGB", image.size, rng.randbytes(image.width * image.height * 3))
    return Image.blend(image, noise, amplitude / 255)


def pad_jpeg(data: bytes, target: int) -> bytes:
    """Pad a JPEG with comment segments so that it grows to ``target`` bytes.

    Args:
        data: A JPEG (starting with the SOI marker).
        target: Wanted size; reached exactly unless fewer than 4 bytes are missing.

    Returns:
        The padded JPEG (unchanged when already at least ``target`` bytes).
    """
    missing = target - len(data)
    segments: list[bytes] = []
    while missing >= 4:
        payload = min(_COM_MAX, missing - 4)
        if 0 < missing - 4 - payload < 4:  # leave room for a last full segment
            payload -= 4
        segments.append(b"\xff\xfe" + (payload + 2).to_bytes(2, "big") + b"\x00" * payload)
        missing -= payload + 4
    return data[:2] + b"".join(segments) + data[2:]


@functools.lru_cache(maxsize=64)
def face_jpeg(label: str, size_kb: float | None = None) -> bytes:
    """Return the JPEG face of ``label``, optionally at about ``size_kb`` KB.

    Args:
        label: Person name (seed of the drawing).
        size_kb: Target size in KiB; ``None`` gives a natural ~10 KB picture.

    Returns:
        JPEG bytes. Targets below the smallest possible encoding (~0.6 KB) give that
        smallest encoding.
    """
    if size_kb is None:
        return _encode(draw_face(label), 85)
    target = max(1, int(size_kb * 1024))
    plain = _encode(draw_face(label), 85)
    if len(plain) > target:
        return _shrink(label, target)
    scale = 1.0
    best = plain
    for _ in range(8):
        width = max(MIN_FACE_SIDE, int(_BASE_W * scale) // 2 * 2)
        height = max(MIN_FACE_SIDE, int(_BASE_H * scale) // 2 * 2)
        data = _encode(_noisy(draw_face(label, width, height), label, 60), 90)
        if len(data) <= target:
            best = max(best, data, key=len)
            if len(data) >= target * 0.9:
                break
        scale *= max(0.5, min(3.0, (target * 0.95 / len(data)) ** 0.5))
    return pad_jpeg(best, target)


def _shrink(label: str, target: int) -> bytes:
    smallest = b""
    for width in (240, 180, 120, 90, 64, 48):
        image = draw_face(label, width, width * 4 // 3)
        for quality in (75, 50, 30, 15, 5):
            data = _encode(image, quality)
            if len(data) <= target:
                return pad_jpeg(data, target)
            smallest = data
    return smallest


def scene_picture(
    label: str,
    *,
    width: int = 1280,
    height: int = 720,
    quality: int = 55,
    fmt: str = "JPEG",
    faces: tuple[str, ...] = (),
) -> bytes:
    """Draw a "camera view" scene: a corridor, a timestamp-like caption and faces.

    Args:
        label: Caption (e.g. terminal ID and time); also seeds the colours.
        width: Width in pixels.
        height: Height in pixels.
        quality: JPEG quality (55-100 in ``GetSceneSnap``).
        fmt: ``"JPEG"`` or ``"BMP"``.
        faces: Person names to draw in the scene.

    Returns:
        The encoded picture.
    """
    digest = _digest(label)
    image = Image.new("RGB", (width, height), _colour(digest, 0, 60, 140))
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [
            (0, height),
            (width * 0.35, height * 0.45),
            (width * 0.65, height * 0.45),
            (width, height),
        ],
        fill=_colour(digest, 3, 90, 200),
    )
    draw.rectangle((width * 0.4, height * 0.15, width * 0.6, height * 0.45), fill=(70, 50, 40))
    for index, name in enumerate(faces):
        face = draw_face(name, width // 6, width // 6 * 4 // 3)
        image.paste(face, (width // 8 + index * width // 5, height // 3))
    rng = random.Random(label)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.ellipse((x, y, x + 6, y + 6), fill=_colour(rng.randbytes(3), 0))
    draw.text((12, 12), label, fill=(255, 255, 255), font=_font(max(12, height // 30)))
    return _encode(image, quality, fmt)


@functools.lru_cache(maxsize=32)
def id_photo(label: str) -> bytes:
    """Return a small (102x126) ID-card style JPEG photo of ``label``."""
    face = draw_face(label, 102, 136).crop((0, 0, 102, 126))
    return _encode(face, 80)


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    """Encode picture bytes as ``data:<mime>;base64,...``."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decode_base64_picture(value: str) -> bytes:
    """Decode a picture sent as a data-URI or a bare base64 string.

    Args:
        value: ``data:image/jpeg;base64,...`` (any label) or bare base64; white space
            is ignored and missing padding tolerated.

    Returns:
        The raw bytes.

    Raises:
        PictureError: With reason ``"base64"`` when the text is not valid base64.
    """
    text = value.strip()
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    text = "".join(text.split())
    text += "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise PictureError("base64", f"invalid base64: {err}") from err
    if not data:
        raise PictureError("base64", "empty picture")
    return data


def inspect_picture(data: bytes) -> PictureInfo:
    """Open a picture and decide whether a face could be extracted from it.

    The simulated "face detector" accepts any decodable picture of at least
    40x40 pixels that is not blank (grey-level standard deviation above 6).

    Args:
        data: Raw picture bytes.

    Returns:
        Format, size and the face verdict.

    Raises:
        PictureError: With reason ``"image"`` when Pillow cannot decode the bytes.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format or "unknown"
            width, height = image.size
            grey = image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise PictureError("image", f"not a picture: {err}") from err
    contrast = ImageStat.Stat(grey).stddev[0]
    has_face = min(width, height) >= MIN_FACE_SIDE and contrast > MIN_FACE_CONTRAST
    return PictureInfo(fmt, width, height, has_face)


def similarity(first: bytes, second: bytes) -> float:
    """Return a deterministic 0-100 "face similarity" of two pictures.

    Identical bytes give 100; otherwise the mean absolute difference of 16x16 RGB
    thumbnails is mapped onto 0-99 (the same generated face at another size scores
    about 92, two different generated faces below 87).

    Args:
        first: Raw picture bytes.
        second: Raw picture bytes.

    Returns:
        The score, rounded to one decimal.

    Raises:
        PictureError: When a picture cannot be decoded.
    """
    if first == second:
        return 100.0
    thumbs = []
    for data in (first, second):
        try:
            with Image.open(io.BytesIO(data)) as image:
                thumb = image.convert("RGB").resize((16, 16), Image.Resampling.BOX)
                thumbs.append(thumb.tobytes())
        except (UnidentifiedImageError, OSError, ValueError) as err:
            raise PictureError("image", f"not a picture: {err}") from err
    diff = sum(abs(a - b) for a, b in zip(thumbs[0], thumbs[1], strict=True)) / len(thumbs[0])
    return round(max(0.0, min(99.0, 100.0 - diff * 0.6)), 1)
