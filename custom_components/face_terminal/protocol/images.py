"""Pictures inside JSON: tolerant base64 decoding and magic-byte sniffing (Q-17, Q-30).

Terminals send pictures as data URIs whose label is often wrong (BMP bytes behind a
``jpeg`` label and the other way round), with spaces inside the prefix, line breaks
inside the base64 text or missing padding; re-pushing platforms may put a URL there
instead. `decode_image` copes with all of it and never raises: the outcome is an
`ImageResult` with either the decoded `Image` or the reason there is none.

Well-formed pictures are not decoded when the record arrives: most are never looked at,
and decoding is the largest per-record cost after JSON. `decode_image` checks what it
can from the text alone (length, and the magic bytes of its first characters) and
returns a `LazyImage` that decodes the bytes once, when they are first read (an image
entity being fetched, diagnostics). A picture whose base64 turns out broken past its
first characters then reads as empty bytes.
"""

from __future__ import annotations

import base64
import binascii
import re

from .errors import CommandError
from .models import NO_IMAGE, Image, ImageProblem, ImageResult

MAX_IMAGE_BYTES = 2 * 1024 * 1024
"""Largest decoded picture accepted from a terminal (a scene picture is at most 2 MB)."""

JPEG = "image/jpeg"
PNG = "image/png"
BMP = "image/bmp"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"BM", BMP),
)

# Base64 text of MAX_IMAGE_BYTES, plus generous room for line breaks and spaces. Longer
# text is refused before any work is done on it.
_MAX_B64_CHARS = (MAX_IMAGE_BYTES + 2) // 3 * 4
MAX_PICTURE_TEXT_CHARS = _MAX_B64_CHARS * 2 + 1024
_PREFIX_SEARCH = 256  # a data-URI prefix is short; a comma further in is not a prefix
# Enough base64 characters (multiple of 4) for the longest magic number (PNG: 8 bytes).
_SNIFF_CHARS = 16
_B64_RE = re.compile(r"[A-Za-z0-9+/]*", re.ASCII)
_URL_SAFE = str.maketrans("-_", "+/")
_WHITESPACE = str.maketrans("", "", " \t\r\n\f\v")


def sniff_image_type(data: bytes) -> str | None:
    """Return the MIME type of JPEG, PNG or BMP bytes, from their magic bytes; else None."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    return None


def _strip_data_uri(text: str) -> str:
    """Drop one or more ``data:...,`` prefixes, whatever their label and spacing."""
    for _ in range(3):  # the vendor's own example repeats the prefix
        head = text[:_PREFIX_SEARCH]
        comma = head.find(",")
        if comma < 0 or not head[:comma].replace(" ", "").lower().startswith("data"):
            break
        text = text[comma + 1 :].lstrip()
    return text


def decode_image(value: object) -> ImageResult:
    """Decode a picture field of a terminal message into an `ImageResult`.

    Accepts a data URI with any label (``data:image/jpeg;base64,``,
    ``data: image / jpeg; Base64,``, a wrong type) or bare base64, with white space inside
    and with or without ``=`` padding; URL-safe base64 is accepted too. The content type
    comes from the magic bytes, never from the label.

    Results: no value, a non-string or blank text gives `NO_IMAGE`; a data URI without
    payload gives ``EMPTY``; an ``http(s)://`` URL gives ``URL``; text that is not base64
    gives ``NOT_BASE64``; bytes that are not JPEG/PNG/BMP give ``NOT_AN_IMAGE``; more than
    `MAX_IMAGE_BYTES` gives ``TOO_LARGE`` (checked on the text length first, so a huge
    string is refused without decoding it). Never raises.
    """
    if not isinstance(value, str):
        return NO_IMAGE
    if len(value) > MAX_PICTURE_TEXT_CHARS:
        return ImageResult(problem=ImageProblem.TOO_LARGE)
    text = value.strip()
    if not text:
        return NO_IMAGE
    if text[:8].lower().startswith(("http://", "https://")):
        return ImageResult(problem=ImageProblem.URL)
    raw = _strip_data_uri(text)
    lazy = _lazy_result(raw)
    if lazy is not None:
        return lazy
    payload = raw.translate(_WHITESPACE).rstrip("=")
    if not payload or payload[:5].lower() == "data:":
        return ImageResult(problem=ImageProblem.EMPTY)
    if len(payload) > _MAX_B64_CHARS:
        return ImageResult(problem=ImageProblem.TOO_LARGE)
    payload = payload.translate(_URL_SAFE)
    if len(payload) % 4 == 1 or _B64_RE.fullmatch(payload) is None:
        return ImageResult(problem=ImageProblem.NOT_BASE64)
    payload += "=" * (-len(payload) % 4)
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error, ValueError:  # pragma: no cover - excluded by the checks above
        return ImageResult(problem=ImageProblem.NOT_BASE64)
    return _image_result(data)


class LazyImage(Image):
    """An `Image` whose bytes are decoded from well-formed base64 on first read, once.

    Keeps the base64 text until then (never shown: `repr` gives type and size only).
    Text that turns out not to be base64 reads as empty bytes.
    """

    __slots__ = ("_decoded", "_text")
    _decoded: bytes | None
    _text: str

    def __init__(self, text: str, content_type: str) -> None:
        """Keep `text` (standard alphabet, padded) and the sniffed `content_type`."""
        object.__setattr__(self, "content_type", content_type)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_decoded", None)

    @property
    def data(self) -> bytes:
        """The picture bytes (decoded now if this is the first read)."""
        decoded: bytes | None = self._decoded
        if decoded is None:
            try:
                decoded = base64.b64decode(self._text, validate=True)
            except binascii.Error, ValueError:
                decoded = b""
            object.__setattr__(self, "_decoded", decoded)
            object.__setattr__(self, "_text", "")
        return decoded

    def __repr__(self) -> str:
        """Never print picture bytes or text."""
        return f"LazyImage({self.content_type}, {len(self._text) * 3 // 4} bytes of base64)"


def _lazy_result(raw: str) -> ImageResult | None:
    """A `LazyImage` for well-formed base64; None sends the text to the tolerant path.

    Almost every picture arrives well-formed (standard alphabet, padded, no line breaks):
    its size follows from the length and its type from the first characters, so nothing
    else is decoded now.
    """
    if len(raw) < _SNIFF_CHARS or len(raw) % 4 or len(raw) > _MAX_B64_CHARS + 2:
        return None
    try:
        head = base64.b64decode(raw[:_SNIFF_CHARS], validate=True)
    except binascii.Error, ValueError:
        return None
    size = len(raw) // 4 * 3 - len(raw[-2:]) + len(raw[-2:].rstrip("="))
    if size > MAX_IMAGE_BYTES:
        return ImageResult(problem=ImageProblem.TOO_LARGE)
    content_type = sniff_image_type(head)
    if content_type is None:
        return None  # the tolerant path decodes it all and names the problem
    return ImageResult(image=LazyImage(raw, content_type))


def _image_result(data: bytes) -> ImageResult:
    if len(data) > MAX_IMAGE_BYTES:
        return ImageResult(problem=ImageProblem.TOO_LARGE)
    content_type = sniff_image_type(data)
    if content_type is None:
        return ImageResult(problem=ImageProblem.NOT_AN_IMAGE)
    return ImageResult(image=Image(data=data, content_type=content_type))


def encode_image_base64(data: bytes, content_type: str | None = None) -> str:
    """Return ``data:<type>;base64,<data>`` for a command.

    Without `content_type` the type is sniffed from the bytes; bytes that are not JPEG, PNG
    or BMP then raise `CommandError`.
    """
    if content_type is None:
        content_type = sniff_image_type(data)
        if content_type is None:
            raise CommandError("the picture is not a JPEG, PNG or BMP file")
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
