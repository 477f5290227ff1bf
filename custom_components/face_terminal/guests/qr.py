"""A small QR code encoder for pass codes: byte mode, error correction level L, versions 1-5.

Pass codes are short ASCII (about 42 bytes), so one Reed-Solomon block suffices (versions
1 to 5 at level L have one) and no version information area exists (from version 7 on).
Mask pattern 0 is used throughout: any of the eight is valid, the choice only tunes
contrast. `matrix` returns the modules (True = dark); `png` draws them with a quiet zone.
"""

from __future__ import annotations

import io
from typing import Final

from PIL import Image

# version: (total codewords, error-correction codewords) at level L, one block each.
_CAPACITY: Final = {1: (26, 7), 2: (44, 10), 3: (70, 15), 4: (100, 20), 5: (134, 26)}
_ALIGNMENT: Final = {2: 18, 3: 22, 4: 26, 5: 30}
_FORMAT_L: Final = 1  # level L's two format bits
_MASK: Final = 0


def gf_multiply(x: int, y: int) -> int:
    """Multiply in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1."""
    product = 0
    for bit in range(7, -1, -1):
        product = (product << 1) ^ ((product >> 7) * 0x11D)
        product ^= ((y >> bit) & 1) * x
    return product


def _divisor(degree: int) -> list[int]:
    """Coefficients of the product of (x - 2^i), i < degree, highest term left out."""
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for index in range(degree):
            result[index] = gf_multiply(result[index], root)
            if index + 1 < degree:
                result[index] ^= result[index + 1]
        root = gf_multiply(root, 2)
    return result


def error_correction(data: list[int], degree: int) -> list[int]:
    """The Reed-Solomon remainder of `data` (the error-correction codewords)."""
    divisor = _divisor(degree)
    result = [0] * degree
    for byte in data:
        factor = byte ^ result.pop(0)
        result.append(0)
        for index, coefficient in enumerate(divisor):
            result[index] ^= gf_multiply(coefficient, factor)
    return result


def codewords(text: str) -> tuple[int, list[int]]:
    """The version and all codewords (data, then error correction) for `text`."""
    data = text.encode()
    # Mode and count take 12 bits: 2 bytes of room besides the data always suffice.
    fitting = [v for v, (total, ec) in _CAPACITY.items() if 2 + len(data) <= total - ec]
    if not fitting:
        msg = f"{len(data)} bytes do not fit a version 5-L QR code"
        raise ValueError(msg)
    version = fitting[0]
    total, ec = _CAPACITY[version]
    capacity = total - ec
    bits = [0, 1, 0, 0]  # byte mode
    bits += [(len(data) >> i) & 1 for i in range(7, -1, -1)]
    for byte in data:
        bits += [(byte >> i) & 1 for i in range(7, -1, -1)]
    bits += [0] * min(4, capacity * 8 - len(bits))  # terminator
    bits += [0] * (-len(bits) % 8)
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0
    while len(words) < capacity:
        words.append((0xEC, 0x11)[pad % 2])
        pad += 1
    return version, words + error_correction(words, ec)


def format_bits(mask: int = _MASK) -> int:
    """The 15 format bits of level L and `mask` (BCH-protected, XOR-masked)."""
    data = _FORMAT_L << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder) ^ 0x5412


class _Grid:
    def __init__(self, size: int) -> None:
        self.size = size
        self.dark = [[False] * size for _ in range(size)]
        self.function = [[False] * size for _ in range(size)]

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True


def _function_patterns(grid: _Grid, version: int) -> None:
    size = grid.size
    for i in range(size):
        grid.set(6, i, i % 2 == 0)
        grid.set(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    grid.set(x, y, max(abs(dx), abs(dy)) not in (2, 4))
    if (center := _ALIGNMENT.get(version)) is not None:
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                grid.set(center + dx, center + dy, max(abs(dx), abs(dy)) != 1)
    _format(grid, format_bits())


def _format(grid: _Grid, bits: int) -> None:
    size = grid.size

    def bit(i: int) -> bool:
        return (bits >> i) & 1 == 1

    for i in range(6):
        grid.set(8, i, bit(i))
    grid.set(8, 7, bit(6))
    grid.set(8, 8, bit(7))
    grid.set(7, 8, bit(8))
    for i in range(9, 15):
        grid.set(14 - i, 8, bit(i))
    for i in range(8):
        grid.set(size - 1 - i, 8, bit(i))
    for i in range(8, 15):
        grid.set(8, size - 15 + i, bit(i))
    grid.set(8, size - 8, True)  # the dark module


def data_positions(grid_function: list[list[bool]]) -> list[tuple[int, int]]:
    """The (x, y) of every data module in placement order (the zigzag from bottom right)."""
    size = len(grid_function)
    positions: list[tuple[int, int]] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = (right + 1) & 2 == 0
        for vertical in range(size):
            y = size - 1 - vertical if upward else vertical
            positions.extend((x, y) for x in (right, right - 1) if not grid_function[y][x])
        right -= 2
    return positions


def matrix(text: str) -> list[list[bool]]:
    """The modules of a QR code holding `text`, row by row (True = dark)."""
    version, words = codewords(text)
    grid = _Grid(17 + 4 * version)
    _function_patterns(grid, version)
    bits = [(word >> i) & 1 for word in words for i in range(7, -1, -1)]
    for index, (x, y) in enumerate(data_positions(grid.function)):
        value = index < len(bits) and bits[index] == 1
        grid.dark[y][x] = value != ((x + y) % 2 == 0)  # mask 0
    return grid.dark


def png(text: str, *, scale: int = 8, border: int = 4) -> bytes:
    """A PNG of the QR code of `text`: black modules on white, with a quiet zone."""
    modules = matrix(text)
    size = len(modules)
    image = Image.new("1", (size + 2 * border, size + 2 * border), 1)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + border, y + border), 0)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
