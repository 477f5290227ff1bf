"""Reading a roster: a CSV or YAML file and/or inline entries, checked and digested.

A roster file is CSV (a header line, then one person per line) or YAML (a list of
mappings, or a mapping with a ``persons`` list) with the fields of `roster.entries`.
Files and photos must lie in ``allowlist_external_dirs``. Everything here blocks (files,
the allow list): run it in the executor.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml  # type: ignore[import-untyped]

from ..validation import invalid_input
from .entries import FIELD_CUSTOM_ID, FIELD_NAME, check_rows, digest_photos

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from homeassistant.core import HomeAssistant

    from .entries import RosterEntry

MAX_ROSTER_BYTES: Final = 5 * 1024 * 1024
MAX_ROSTER_PERSONS: Final = 20_000


def read_roster_file(hass: HomeAssistant, path: str) -> list[dict[str, Any]]:
    """Rows of a CSV or YAML roster file in an allowed folder (blocking: executor)."""
    if not hass.config.is_allowed_path(path):
        raise invalid_input("roster_path_not_allowed", path=path)
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise invalid_input("roster_format_unknown", path=path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as err:
        raise invalid_input("roster_unreadable", path=path, error=err.strerror or str(err)) from err
    if len(data) > MAX_ROSTER_BYTES:
        raise invalid_input("roster_too_large", max_mb=str(MAX_ROSTER_BYTES // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise invalid_input(
            "roster_invalid", path=path, error="the file is not UTF-8 text"
        ) from err
    rows = _csv_rows(text, path) if suffix == ".csv" else _yaml_rows(text, path)
    if len(rows) > MAX_ROSTER_PERSONS:
        raise invalid_input("roster_too_many", max_persons=str(MAX_ROSTER_PERSONS))
    return rows


def _csv_rows(text: str, path: str) -> list[dict[str, Any]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [name.strip().lower() for name in reader.fieldnames or ()]
        if FIELD_CUSTOM_ID not in header or FIELD_NAME not in header:
            raise invalid_input(
                "roster_invalid", path=path, error="the header line needs custom_id and name"
            )
        rows: list[dict[str, Any]] = []
        for raw in reader:
            if len(rows) > MAX_ROSTER_PERSONS:
                break
            row = {
                (key or "").strip().lower(): (value.strip() if isinstance(value, str) else None)
                for key, value in raw.items()
            }
            if not any(row.values()):
                continue  # blank line
            rows.append(row)
    except csv.Error as err:
        raise invalid_input("roster_invalid", path=path, error=str(err)) from err
    return rows


def _yaml_rows(text: str, path: str) -> list[dict[str, Any]]:
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as err:
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise invalid_input("roster_invalid", path=path, error=first_line) from err
    if isinstance(content, dict) and "persons" in content:
        content = content["persons"]
    if content is None:
        return []
    if not isinstance(content, list) or not all(isinstance(item, dict) for item in content):
        raise invalid_input(
            "roster_invalid", path=path, error="expected a list of persons (mappings)"
        )
    return [{str(key).strip().lower(): value for key, value in item.items()} for item in content]


def load_roster(
    hass: HomeAssistant,
    *,
    roster_file: str | None,
    photo_folder: str | None,
    inline: Sequence[Mapping[str, Any]],
) -> list[RosterEntry]:
    """Read, check and digest a roster from a file and/or inline entries (executor)."""
    folder: Path | None = None
    if photo_folder is not None:
        if not hass.config.is_allowed_path(photo_folder):
            raise invalid_input("photo_path_not_allowed", path=photo_folder)
        folder = Path(photo_folder)
    elif roster_file is not None:
        folder = Path(roster_file).parent
    rows: list[tuple[str, Mapping[str, Any]]] = []
    if roster_file is not None:
        rows.extend(
            (f"row {index + 1}", row)
            for index, row in enumerate(read_roster_file(hass, roster_file))
        )
    rows.extend((f"persons {index + 1}", row) for index, row in enumerate(inline))
    if len(rows) > MAX_ROSTER_PERSONS:
        raise invalid_input("roster_too_many", max_persons=str(MAX_ROSTER_PERSONS))
    entries = check_rows(hass, rows, folder)
    digest_photos(entries)
    return entries
