"""The terminal's face tools (V1.24 §17-19): compare two photos, search the library, detect.

Builders return a `Command` like every other builder; the readers take the command's
``-Ack`` (an `Ack` whose ``info`` has no pictures and no ID or phone numbers) and return
plain values. ``GetPictureSearch-Ack`` 466 ("No Meet Conditions Person") means nobody in
the library is similar enough: `NO_MATCH` lets callers tell it from a failure.

Where the document disagrees with itself the tables win: ``picinfo`` of §18 goes into
``info`` (its example shows it at the top level, the table and §17/§19 inside ``info``).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from . import operators as op
from .coerce import as_float, as_id, as_int, as_str
from .commands import Command, _check_picture, _simple
from .errors import CommandError

if TYPE_CHECKING:
    from .models import Ack

NO_MATCH: Final = 466
"""``GetPictureSearch-Ack`` code: no person in the library matches."""
MAX_SEARCH_RESULTS: Final = 20
DEFAULT_MIN_SIMILARITY: Final = 80.0
_NAME_KEYS: Final = ("persionName", "personName", "name", "Name")
MAX_TEXT: Final = 64
"""Longest name or ID kept from a reply (the terminal's own fields are shorter)."""


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """A library person a photo resembles (never a picture, ID-card or phone number)."""

    custom_id: str | None
    name: str | None
    person_type: int | None
    similarity: float | None


def build_picture_similarity(
    command_topic: str,
    terminal_id: str,
    first: bytes,
    second: bytes,
    message_id: str | None = None,
) -> Command:
    """``GetPictureSimilarity`` (§17): how similar the faces on two photos are (0-100)."""
    info = {"picinfo1": _check_picture(first), "picinfo2": _check_picture(second)}
    return _simple(command_topic, terminal_id, op.GET_PICTURE_SIMILARITY, message_id, info)


def build_picture_search(
    command_topic: str,
    terminal_id: str,
    picture: bytes,
    *,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    max_results: int = 1,
    message_id: str | None = None,
) -> Command:
    """``GetPictureSearch`` (§18): who in the terminal's library a photo shows.

    `min_similarity` (0-100) is the threshold the document calls ``MaxSimilarity``;
    `max_results` 1-20 (current firmware returns one).
    """
    raw: object = min_similarity
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise CommandError("min_similarity must be a number")
    if not 0 <= min_similarity <= 100:
        raise CommandError(f"min_similarity must be between 0 and 100, not {min_similarity}")
    count: object = max_results
    if isinstance(count, bool) or not isinstance(count, int):
        raise CommandError("max_results must be an integer")
    if not 1 <= count <= MAX_SEARCH_RESULTS:
        raise CommandError(f"max_results must be between 1 and {MAX_SEARCH_RESULTS}, not {count}")
    info: dict[str, Any] = {
        "MaxSimilarity": min_similarity,
        "MaxNum": count,
        "picinfo": _check_picture(picture),
    }
    return _simple(command_topic, terminal_id, op.GET_PICTURE_SEARCH, message_id, info)


def build_detect_face(
    command_topic: str, terminal_id: str, picture: bytes, message_id: str | None = None
) -> Command:
    """``DetectFaceFromPic`` (§19): can the terminal find a face on this photo?"""
    info = {"picinfo": _check_picture(picture)}
    return _simple(command_topic, terminal_id, op.DETECT_FACE_FROM_PIC, message_id, info)


def _get(info: dict[str, Any], *names: str) -> object:
    lowered = {key.lower(): value for key, value in info.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _text(value: object) -> str | None:
    """Device text without control or bidi-formatting characters, at most `MAX_TEXT` long."""
    text = as_str(value)
    if text is None:
        return None
    clean = "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Cf"))
    return clean.strip()[:MAX_TEXT] or None


def _score(value: object) -> float | None:
    number = as_float(value)
    if number is None or not math.isfinite(number) or not 0 <= number <= 100:
        return None
    return round(number, 1)


def similarity_of(ack: Ack) -> float | None:
    """``Similarity`` of a ``GetPictureSimilarity-Ack`` (None when missing or absurd)."""
    return _score(_get(ack.info, "Similarity"))


def face_detected(ack: Ack) -> bool | None:
    """``DetectFace`` of a ``DetectFaceFromPic-Ack`` (None when missing or not 0/1)."""
    value = as_int(_get(ack.info, "DetectFace"))
    return None if value not in (0, 1) else value == 1


def search_matches(ack: Ack) -> tuple[FaceMatch, ...]:
    """The persons of a ``GetPictureSearch-Ack`` (at most `MAX_SEARCH_RESULTS`)."""
    found = _get(ack.info, "SearchInfo")
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    matches: list[FaceMatch] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        match = FaceMatch(
            custom_id=_text(as_id(_get(item, "customId", "CustomizeID"))),
            name=_text(_get(item, *_NAME_KEYS)),
            person_type=as_int(_get(item, "personType")),
            similarity=_score(_get(item, "Similarity", "similarity1")),
        )
        if match.custom_id is None and match.name is None:
            continue  # "{}" placeholders of the document's example
        matches.append(match)
        if len(matches) >= MAX_SEARCH_RESULTS:
            break
    return tuple(matches)
