"""Tests of reading rosters: CSV and YAML files, inline entries, per-person problems."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from homeassistant.exceptions import ServiceValidationError

from .roster_fakes import FakeRoster, by_id, report, sync

if TYPE_CHECKING:
    from pathlib import Path

    from homeassistant.core import HomeAssistant

    from .conftest import TerminalResponder

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")


async def test_yaml_and_inline_entries_with_per_person_problems(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["keep-me", "too-long"])
    (faces_dir / "bad.jpg").write_bytes(b"not a picture at all")
    (faces_dir / "roster.yaml").write_text(
        "- custom_id: y1\n  name: Yara\n  photo: p1.jpg\n"
        "- custom_id: 42\n  name: Number\n  photo: p2.jpg\n"
        "  valid_from: 2026-03-01 08:00:00\n  valid_until: 2026-03-31\n"
        "- custom_id: no-photo-file\n  name: Nobody\n  photo: missing.jpg\n"
        "- custom_id: order\n  name: Order\n  photo: p3.jpg\n"
        "  valid_from: 2026-05-01\n  valid_until: 2026-04-01\n"
        "- custom_id: half\n  name: Half\n  photo: p3.jpg\n  valid_from: 2026-05-01\n"
        "- custom_id: bad-image\n  name: Bad\n  photo: bad.jpg\n"
        "- custom_id: new-without-photo\n  name: New\n",
        encoding="utf-8",
    )
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "roster_file": str(faces_dir / "roster.yaml"),
                "persons": [
                    {"custom_id": "too-long", "name": "N" * 32},
                    {"custom_id": "keep-me", "name": "Kept", "valid_from": "2026-01-01 10:00"},
                ],
                "delete_missing": True,
            },
        )
    )
    persons = by_id(result)
    assert persons["y1"]["success"] is True
    assert persons["42"]["success"] is True
    problems = {cid: persons[cid]["error"] for cid in persons if not persons[cid]["success"]}
    assert problems == {
        "no-photo-file": "the photo file does not exist",
        "order": "valid_from must be before valid_until",
        "half": "give both valid_from and valid_until, or neither",
        "bad-image": "the photo is not a picture the terminal can use",
        "new-without-photo": "a new person needs a photo",
        "too-long": "the name is longer than the terminal's 31 bytes",
        "keep-me": "give both valid_from and valid_until, or neither",
    }
    assert persons["too-long"]["action"] == "update"
    # Invalid entries are neither sent nor deleted.
    assert {"keep-me", "too-long"} <= set(fake.persons)
    assert {item["customId"] for item in fake.items()} == {"y1", "42"}
    item = next(item for item in fake.items() if item["customId"] == "42")
    assert item["cardValidBegin"] == "2026-03-01 08:00:00"
    assert item["cardValidEnd"] == "2026-03-31 23:59:59"


@pytest.mark.parametrize(
    ("content", "suffix", "key"),
    [
        ("custom_id,name\na,A\na,B\n", ".csv", "roster_duplicate_id"),
        ("name\nA\n", ".csv", "roster_invalid"),
        ("custom_id,name\n,A\n", ".csv", "roster_row_invalid"),
        ('custom_id,name\n"a,b",A\n', ".csv", "roster_row_invalid"),
        ("custom_id,name\na,\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,person_type\na,A,guest\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,valid_from,valid_until\na,A,soon,later\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,photo\na,A,/etc/passwd\n", ".csv", "photo_path_not_allowed"),
        ("- [unclosed\n", ".yaml", "roster_invalid"),
        ("just text\n", ".yaml", "roster_invalid"),
        ("custom_id,name\na,A\n", ".txt", "roster_format_unknown"),
    ],
)
async def test_bad_roster_files(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    *,
    content: str,
    suffix: str,
    key: str,
) -> None:
    fake = FakeRoster(terminal, ["a"])
    path = faces_dir / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(path), "delete_missing": True})
    assert err.value.translation_key == key
    assert str(err.value) not in ("", key)
    assert fake.persons == {"a": {"name": "a"}}
    assert "EditPersonsNew" not in terminal.operators()


async def test_roster_file_access_errors(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    cases = {
        "/etc/hosts.csv": "roster_path_not_allowed",
        str(faces_dir / "missing.csv"): "roster_unreadable",
    }
    for path, key in cases.items():
        with pytest.raises(ServiceValidationError) as err:
            await sync(hass, {"device_id": device_id, "roster_file": path})
        assert err.value.translation_key == key
    (faces_dir / "latin1.csv").write_bytes("custom_id,name\na,J\xf6rg\n".encode("latin-1"))
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "latin1.csv")})
    assert err.value.translation_key == "roster_invalid"
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id})
    assert err.value.translation_key == "roster_source_missing"
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A"}],
                "photo_folder": "/etc",
            },
        )
    assert err.value.translation_key == "photo_path_not_allowed"
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A", "photo": "x.jpg"}],
            },
        )
    assert err.value.translation_key == "roster_row_invalid"
    with (
        patch("custom_components.face_terminal.roster.files.MAX_ROSTER_BYTES", 10),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert err.value.translation_key == "roster_too_large"
    with (
        patch("custom_components.face_terminal.roster.files.MAX_ROSTER_PERSONS", 1),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert err.value.translation_key == "roster_too_many"


async def test_roster_file_edges(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    (faces_dir / "edges.csv").write_text(
        "Custom_ID , Name ,photo\n\n,,\nb1,Ben,p1.jpg\n", encoding="utf-8"
    )
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "edges.csv")})
    )
    assert result["added"] == 1
    (faces_dir / "quote.csv").write_text('custom_id,name\n"a,A\n', encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "quote.csv")})
    assert err.value.translation_key == "roster_invalid"
    (faces_dir / "empty.yml").write_text("", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "roster_file": str(faces_dir / "empty.yml"),
                "delete_missing": True,
            },
        )
    assert err.value.translation_key == "roster_empty_delete"
    (faces_dir / "types.yaml").write_text("- custom_id: t1\n  name: true\n", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "types.yaml")})
    assert err.value.translation_key == "roster_row_invalid"
    (faces_dir / "list.yaml").write_text("- custom_id: [1, 2]\n  name: L\n", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "list.yaml")})
    assert err.value.translation_key == "roster_row_invalid"
    assert fake.batches[-1]["info"][0]["customId"] == "b1"


async def test_inline_times_with_time_zone_and_photo_problems(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    (faces_dir / "folder.jpg").mkdir()
    with patch("custom_components.face_terminal.roster.entries.MAX_SOURCE_BYTES", 10):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "photo_folder": str(faces_dir),
                    "persons": [
                        {
                            "custom_id": "tz",
                            "name": "Zoe",
                            "valid_from": "2026-07-01T06:00:00+00:00",
                            "valid_until": "2026-07-02T06:00:00+00:00",
                        },
                        {"custom_id": "big", "name": "Big", "photo": "p1.jpg"},
                        {"custom_id": "dir", "name": "Dir", "photo": "folder.jpg"},
                    ],
                },
            )
        )
    persons = by_id(result)
    assert persons["big"]["error"] == "the photo file cannot be read"
    assert persons["dir"]["error"] == "the photo file cannot be read"
    assert persons["tz"]["error"] == "a new person needs a photo"
    fake.persons["tz"] = {}
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [
                    {
                        "custom_id": "tz",
                        "name": "Zoe",
                        "valid_from": "2026-07-01T06:00:00+00:00",
                        "valid_until": "2026-07-02T06:00:00+00:00",
                    }
                ],
            },
        )
    )
    item = fake.batches[-1]["info"][0]
    assert item["cardValidBegin"] == "2026-07-01 08:00:00"  # Home Assistant's local time
    assert "picURI" not in item


async def test_inline_roster_too_many(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    FakeRoster(terminal)
    with (
        patch("custom_components.face_terminal.roster.files.MAX_ROSTER_PERSONS", 1),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A"}, {"custom_id": "b", "name": "B"}],
            },
        )
    assert err.value.translation_key == "roster_too_many"
