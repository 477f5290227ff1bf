"""Tiny real-looking pictures and the vendor-document fixtures with pictures filled in."""

import base64
import struct
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

# A JFIF header, a comment and the end marker: enough for magic-byte sniffing.
JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
    + b"\xff\xfe\x00\x0ahello!!!"
    + b"\xff\xd9"
)
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + struct.pack(">I", 13)
    + b"IHDR"
    + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
)
_PIXELS = b"\x00\x00\xff\x00"  # one red pixel, padded to 4 bytes
BMP = (
    b"BM"
    + struct.pack("<IHHI", 14 + 40 + len(_PIXELS), 0, 0, 14 + 40)
    + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(_PIXELS), 2835, 2835, 0, 0)
    + _PIXELS
)

JPEG_B64 = base64.b64encode(JPEG).decode()
PNG_B64 = base64.b64encode(PNG).decode()
BMP_B64 = base64.b64encode(BMP).decode()
JPEG_URI = f"data:image/jpeg;base64,{JPEG_B64}"
PNG_URI = f"data:image/png;base64,{PNG_B64}"
BMP_URI = f"data:image/bmp;base64,{BMP_B64}"


def fixture_text(name: str) -> str:
    """A fixture's JSON text with the picture placeholders replaced."""
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    return (
        text.replace("@JPEG_B64@", JPEG_B64)
        .replace("@PNG_B64@", PNG_B64)
        .replace("@BMP_B64@", BMP_B64)
    )


def fixture_bytes(name: str) -> bytes:
    """A fixture as the bytes an MQTT client hands over."""
    return fixture_text(name).encode("utf-8")


def fixture_names() -> list[str]:
    """All fixture names."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))
