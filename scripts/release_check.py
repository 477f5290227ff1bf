"""Check that a release tag, the versions and the changelog agree (run by the release workflow).

    python scripts/release_check.py v0.2.0 [--notes FILE]

A tag `vX.Y.Z` may only be released when
- `custom_components/face_terminal/manifest.json` (what HACS and Home Assistant show) and
  `pyproject.toml` carry version X.Y.Z,
- the top entry of CHANGELOG.md is `## [X.Y.Z] - YYYY-MM-DD`: this release, dated (an
  entry still marked "Unreleased" is not ready), and
- the changelog links that entry (`[X.Y.Z]: https://github.com/...`).

Every disagreement is printed and the exit status is 1. With `--notes` the entry's text
is written to FILE, for the GitHub release. Only the standard library (Python 3.14): the
workflow runs this before the project environment is built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MANIFEST = Path("custom_components") / "face_terminal" / "manifest.json"
PYPROJECT = Path("pyproject.toml")
CHANGELOG = Path("CHANGELOG.md")
GITHUB = "https://github.com/face-terminal/face_terminal"

_TAG = re.compile(r"v(\d+\.\d+\.\d+)")
_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>.+))?$", re.MULTILINE)
_PYPROJECT_VERSION = re.compile(r'^version = "([^"]+)"$', re.MULTILINE)


def changelog_entries(changelog: str) -> list[tuple[str, str | None, str]]:
    """Each `## [version] - date` entry of a changelog: version, date text and body."""
    matches = list(_ENTRY.finditer(changelog))
    entries = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(changelog)
        body = changelog[match.end() : end]
        # The link references at the bottom belong to no entry.
        body = re.split(r"^\[[^\]]+\]: ", body, maxsplit=1, flags=re.MULTILINE)[0]
        entries.append((match["version"], match["date"], body.strip()))
    return entries


def problems(tag: str, root: Path = REPO) -> list[str]:
    """Why `tag` cannot be released from `root`; empty when everything agrees."""
    found: list[str] = []
    tag_match = _TAG.fullmatch(tag)
    if tag_match is None:
        return [f"tag {tag!r} is not vX.Y.Z"]
    version = tag_match.group(1)

    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        found.append(f"{MANIFEST}: cannot be read ({err})")
    else:
        if manifest.get("version") != version:
            found.append(f"{MANIFEST} has version {manifest.get('version')!r}, the tag {tag}")

    pyproject = _PYPROJECT_VERSION.search((root / PYPROJECT).read_text(encoding="utf-8"))
    if pyproject is None or pyproject.group(1) != version:
        found.append(f"{PYPROJECT} has version {pyproject and pyproject.group(1)!r}, the tag {tag}")

    changelog = (root / CHANGELOG).read_text(encoding="utf-8")
    entries = changelog_entries(changelog)
    if not entries:
        found.append(f"{CHANGELOG} has no `## [X.Y.Z] - date` entry")
        return found
    top_version, top_date, _ = entries[0]
    if top_version != version:
        found.append(f"the top entry of {CHANGELOG} is {top_version!r}, the tag {tag}")
    elif not _is_date(top_date):
        found.append(
            f"the top entry of {CHANGELOG} ({version}) is dated {top_date!r}, not YYYY-MM-DD:"
            " date it for the release"
        )
    if not re.search(rf"^\[{re.escape(version)}\]: {re.escape(GITHUB)}/", changelog, re.MULTILINE):
        found.append(f"{CHANGELOG} does not link [{version}] to {GITHUB}/...")
    return found


def _is_date(text: str | None) -> bool:
    if text is None:
        return False
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def release_notes(version: str, root: Path = REPO) -> str:
    """The changelog entry of `version`, without its heading."""
    changelog = (root / CHANGELOG).read_text(encoding="utf-8")
    for entry_version, _, body in changelog_entries(changelog):
        if entry_version == version:
            return body + "\n"
    raise KeyError(version)


def main(argv: list[str] | None = None) -> int:
    """Check the tag; print what disagrees; write the release notes when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("tag", help="the release tag, e.g. v0.2.0")
    parser.add_argument("--notes", type=Path, help="write the changelog entry to this file")
    parser.add_argument("--root", type=Path, default=REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    found = problems(args.tag, args.root)
    for problem in found:
        print(f"release check: {problem}", file=sys.stderr)
    if found:
        return 1
    version = args.tag.removeprefix("v")
    if args.notes is not None:
        args.notes.write_text(release_notes(version, args.root), encoding="utf-8")
    print(f"release check: {args.tag} agrees with manifest.json, pyproject.toml and CHANGELOG.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
