"""The pass QR encoder (checked against the standard's worked values) and its pictures."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util
from PIL import Image

from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.guests import qr
from custom_components.face_terminal.guests.pictures import (
    PICTURE_URL_PREFIX,
    PassPictures,
    picture_url,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator


def syndromes(words: list[int], degree: int) -> list[int]:
    """The codeword polynomial at 2^0..2^(degree-1): all zero for a valid RS codeword."""
    values = []
    root = 1
    for _ in range(degree):
        value = 0
        for word in words:
            value = qr.gf_multiply(value, root) ^ word
        values.append(value)
        root = qr.gf_multiply(root, 2)
    return values


def test_reed_solomon_known_answer() -> None:
    # The well-known "HELLO WORLD" 1-M example: data and its ten error-correction words.
    data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
    assert qr.error_correction(data, 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]


def test_format_bits_known_answer() -> None:
    assert format(qr.format_bits(0), "015b") == "111011111000100"  # level L, mask 0


@pytest.mark.parametrize("length", [1, 17, 42, 78, 106])
def test_matrix_reads_back(length: int) -> None:
    text = "FTG1-" + "x" * (length - 5) if length > 5 else "a" * length
    version, words = qr.codewords(text)
    total, ec = {1: (26, 7), 2: (44, 10), 3: (70, 15), 4: (100, 20), 5: (134, 26)}[version]
    assert len(words) == total
    assert syndromes(words, ec) == [0] * ec
    modules = qr.matrix(text)
    assert len(modules) == 17 + 4 * version
    # Read the data modules back in placement order, undo mask 0: the same codewords.
    function = qr._Grid(len(modules))
    qr._function_patterns(function, version)
    positions = qr.data_positions(function.function)
    bits = [modules[y][x] != ((x + y) % 2 == 0) for x, y in positions]
    read = [
        int("".join("1" if b else "0" for b in bits[i : i + 8]), 2) for i in range(0, total * 8, 8)
    ]
    assert read == words
    assert read[0] >> 4 == 0b0100  # byte mode
    count = ((read[0] & 0xF) << 4) | (read[1] >> 4)
    assert count == len(text.encode())
    # Finder pattern corners and the dark module.
    size = len(modules)
    assert modules[0][0]
    assert modules[0][size - 1]
    assert modules[size - 1][0]
    assert modules[size - 8][8]


def test_too_long() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        qr.codewords("x" * 107)


def test_png_is_a_picture() -> None:
    image = Image.open(io.BytesIO(qr.png("FTG1-00000000-abc", scale=2)))
    assert image.format == "PNG"
    assert image.width == (21 + 8) * 2  # version 1


def test_pictures_expire() -> None:
    pictures = PassPictures()
    token = pictures.publish("FTG1-x", 10.0)
    assert len(token) >= 43  # 256 bits
    assert pictures.lookup(token) is not None
    assert pictures.lookup("other") is None
    with patch.object(time, "monotonic", return_value=time.monotonic() + 11):
        assert pictures.lookup(token) is None
        pictures.publish("FTG1-y", -5.0)  # an ended pass: gone at once, old ones swept
    assert len(pictures) == 1


async def test_picture_served_until_it_expires(
    hass: HomeAssistant, device_id: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    response: dict[str, Any] = await hass.services.async_call(
        DOMAIN,
        "create_guest_pass",
        {
            "device_id": device_id,
            "label": "Guest",
            "valid_until": (dt_util.now() + timedelta(hours=1)).isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    url: str = response["qr_url"]
    path = url[url.index(PICTURE_URL_PREFIX) :]
    client = await hass_client_no_auth()
    answer = await client.get(path)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.headers["Cache-Control"] == "no-store"
    assert (await client.get(f"{PICTURE_URL_PREFIX}/guessed")).status == 404
    with patch.object(time, "monotonic", return_value=time.monotonic() + 3601):
        assert (await client.get(path)).status == 404


async def test_picture_url_without_a_known_address(hass: HomeAssistant) -> None:
    assert picture_url(hass, "t").endswith(f"{PICTURE_URL_PREFIX}/t")
    with patch(
        "custom_components.face_terminal.guests.pictures.get_url",
        side_effect=NoURLAvailableError,
    ):
        assert picture_url(hass, "t") == f"{PICTURE_URL_PREFIX}/t"
