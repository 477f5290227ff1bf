"""Build the zip HACS installs (run by scripts/package and the release workflow).

    python scripts/package.py [--output dist/face_terminal.zip]

hacs.json says `zip_release: true` with this file name: HACS downloads the zip from the
GitHub release and unpacks it into `custom_components/face_terminal/`, so the zip holds
the integration folder's contents at its root (manifest.json, translations/, brand/,
services.yaml, icons.json, ...), and nothing else: no caches, no hidden files. The
entries are sorted and dated like the commit (or 1980-01-01), so the same tree gives the
same zip. Blueprints are not in it: HACS does not install them; users import them (see
docs/automations.md). Only the standard library.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INTEGRATION = REPO / "custom_components" / "face_terminal"
HACS_JSON = REPO / "hacs.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_name() -> str:
    """The file name hacs.json tells HACS to download."""
    hacs = json.loads(HACS_JSON.read_text(encoding="utf-8"))
    if hacs.get("zip_release") is not True or not hacs.get("filename"):
        raise SystemExit("hacs.json must have zip_release: true and a filename")
    return str(hacs["filename"])


def shipped_files(source: Path = INTEGRATION) -> list[Path]:
    """The integration's files, relative to its folder, sorted; caches and hidden left out."""
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.is_file() and path.suffix not in {".pyc", ".pyo"}:
            files.append(relative)
    return files


def _date_time() -> tuple[int, int, int, int, int, int]:
    """The entries' timestamp: SOURCE_DATE_EPOCH (the release workflow sets the commit's)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return _ZIP_EPOCH
    stamp = time.gmtime(max(int(epoch), 315532800))  # the zip format starts in 1980
    return (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)


def build(output: Path, source: Path = INTEGRATION) -> Path:
    """Write the zip of `source`'s contents to `output`; return `output`."""
    if not (source / "manifest.json").is_file():
        raise SystemExit(f"{source} has no manifest.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    date_time = _date_time()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in shipped_files(source):
            info = zipfile.ZipInfo(relative.as_posix(), date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (source / relative).read_bytes())
    return output


def main(argv: list[str] | None = None) -> int:
    """Build the zip and print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--output", type=Path, help="default: dist/<filename from hacs.json>")
    args = parser.parse_args(argv)
    output = args.output or REPO / "dist" / zip_name()
    build(output)
    with zipfile.ZipFile(output) as archive:
        count = len(archive.namelist())
    print(f"{output} ({count} files, {output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
