"""Releases: the version check, the zip HACS installs, the release workflow, one manifest.

The zip installed into a real Home Assistant is tests/e2e/test_package.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
INTEGRATION = REPO / "custom_components" / "face_terminal"
VERSION = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))["version"]


def load_script(name: str) -> ModuleType:
    """A module of scripts/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


release_check = load_script("release_check")
package = load_script("package")


CHANGELOG = """\
# Changelog

Intro.

## [1.4.0] - 2027-03-01

### Added

- Something new.

## [1.3.2] - 2027-01-15

### Fixed

- Something old.

[1.4.0]: https://github.com/face-terminal/face_terminal/compare/v1.3.2...v1.4.0
[1.3.2]: https://github.com/face-terminal/face_terminal/releases/tag/v1.3.2
"""


def make_tree(
    root: Path,
    *,
    manifest: str = "1.4.0",
    pyproject: str = "1.4.0",
    changelog: str = CHANGELOG,
) -> Path:
    """A repository root with just the files the check reads."""
    (root / "custom_components" / "face_terminal").mkdir(parents=True)
    (root / "custom_components" / "face_terminal" / "manifest.json").write_text(
        json.dumps({"domain": "face_terminal", "version": manifest})
    )
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "{pyproject}"\n')
    (root / "CHANGELOG.md").write_text(changelog)
    return root


# --- the version check ------------------------------------------------------------------


def test_check_passes_when_tag_versions_and_changelog_agree(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert release_check.problems("v1.4.0", root) == []
    notes = tmp_path / "notes.md"
    assert release_check.main(["v1.4.0", "--root", str(root), "--notes", str(notes)]) == 0
    # The notes are the top entry only: no heading, no older entry, no link references.
    assert notes.read_text() == "### Added\n\n- Something new.\n"


@pytest.mark.parametrize(
    ("tag", "tree", "expected"),
    [
        ("v1.4.1", {}, "manifest.json has version '1.4.0', the tag v1.4.1"),
        ("v1.4.0", {"manifest": "1.3.2"}, "manifest.json has version '1.3.2', the tag v1.4.0"),
        ("v1.4.0", {"pyproject": "1.4.1"}, "pyproject.toml has version '1.4.1'"),
        (
            "v1.4.0",
            {"changelog": CHANGELOG.replace("## [1.4.0] - 2027-03-01\n", "")},
            "the top entry of CHANGELOG.md is '1.3.2', the tag v1.4.0",
        ),
        (
            "v1.4.0",
            {"changelog": CHANGELOG.replace("2027-03-01", "Unreleased")},
            "is dated 'Unreleased', not YYYY-MM-DD",
        ),
        (
            "v1.4.0",
            {"changelog": CHANGELOG.replace("[1.4.0]: https", "[1.4.0]: see https")},
            "does not link [1.4.0]",
        ),
        ("v1.4.0", {"changelog": "# Changelog\n"}, "has no `## [X.Y.Z] - date` entry"),
        ("1.4.0", {}, "tag '1.4.0' is not vX.Y.Z"),
        ("v1.4", {}, "tag 'v1.4' is not vX.Y.Z"),
    ],
)
def test_check_fails_on_a_mismatch(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tag: str,
    tree: dict[str, str],
    expected: str,
) -> None:
    root = make_tree(tmp_path, **tree)
    found = release_check.problems(tag, root)
    assert any(expected in problem for problem in found), found
    notes = tmp_path / "notes.md"
    assert release_check.main([tag, "--root", str(root), "--notes", str(notes)]) == 1
    assert expected in capsys.readouterr().err
    assert not notes.exists()


def test_check_reads_this_repository() -> None:
    """The real files parse; before a release only the date of the entry may be missing."""
    found = release_check.problems(f"v{VERSION}")
    assert all("is dated" in problem for problem in found), found
    assert release_check.release_notes(VERSION).strip()


def test_check_runs_as_a_script(tmp_path: Path) -> None:
    """As the workflow calls it: exit status 1 and the reason on a mismatch."""
    root = make_tree(tmp_path)
    script = REPO / "scripts" / "release_check.py"
    ok = subprocess.run(
        [sys.executable, script, "v1.4.0", "--root", root],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, script, "v9.9.9", "--root", root],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "manifest.json has version '1.4.0', the tag v9.9.9" in bad.stderr


# --- the zip ----------------------------------------------------------------------------


def repository_files(root: Path) -> set[str]:
    """Files below `root` a clone would have, relative to it (no git in the chroot).

    Hidden folders (.git, .venv, .chroot, .scratch, ...), caches and dist/ are what
    scripts/setup, the tests and scripts/package make; they are gitignored.
    """
    found = set()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".") and name not in {"__pycache__", "dist", "node_modules"}
        ]
        found.update(
            (Path(folder) / name).relative_to(root).as_posix()
            for name in files
            if not name.endswith((".pyc", ".pyo"))
        )
    return found


def test_hacs_installs_the_release_zip() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["zip_release"] is True
    assert hacs["filename"] == package.zip_name() == "face_terminal.zip"


def test_zip_holds_the_integration_at_its_root(tmp_path: Path) -> None:
    built = package.build(tmp_path / "face_terminal.zip")
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["domain"] == "face_terminal"
    assert manifest["version"] == VERSION
    assert {
        "__init__.py",
        "config_flow.py",
        "services.yaml",
        "icons.json",
        "translations/en.json",
        "translations/zh-Hans.json",
        "brand/icon.png",
        "brand/icon@2x.png",
        "protocol/__init__.py",
        "py.typed",
    } <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert not [name for name in names if name.startswith(("custom_components/", "/"))]
    # Nothing of the folder is left out, nothing that is not in it is added.
    assert names == repository_files(INTEGRATION)


def test_zip_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    first = package.build(tmp_path / "a.zip").read_bytes()
    second = package.build(tmp_path / "b.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert {info.date_time[0] for info in archive.infolist()} == {2026}


def test_package_script_writes_the_hacs_file_name(tmp_path: Path) -> None:
    output = tmp_path / "out" / "face_terminal.zip"
    assert package.main(["--output", str(output)]) == 0
    assert zipfile.is_zipfile(output)


# --- the workflow and the validators ----------------------------------------------------


def test_release_workflow_checks_tests_builds_and_attaches() -> None:
    workflow: dict[Any, Any] = yaml.safe_load(
        (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    )
    # YAML 1.1 reads the key `on` as True.
    assert workflow[True]["push"]["tags"] == ["v*"]
    jobs = workflow["jobs"]
    runs = {
        name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()
    }
    assert 'scripts/release_check.py "$GITHUB_REF_NAME"' in runs["check"]
    assert "scripts/setup" in runs["tests"]
    assert "scripts/test" in runs["tests"]
    assert jobs["tests"]["needs"] == "check"
    assert jobs["release"]["needs"] == "tests"
    assert jobs["release"]["permissions"] == {"contents": "write"}
    assert "scripts/package.py" in runs["release"]
    assert "gh release create" in runs["release"]
    assert "--notes-file" in runs["release"]


def test_the_only_manifest_is_the_integrations() -> None:
    """hassfest validates every manifest.json in the repository (it warned on a probe's)."""
    manifests = {
        name
        for name in repository_files(REPO)
        if name == "manifest.json" or name.endswith("/manifest.json")
    }
    assert manifests == {"custom_components/face_terminal/manifest.json"}
