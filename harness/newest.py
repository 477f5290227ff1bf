"""Requirements of the Home Assistant that the end-to-end tests start, read from its wheel.

The standing check against the newest `homeassistant` release (scripts/setup builds its
environment, scripts/test runs the end-to-end suite in it) cannot use the pins in
requirements_test.txt: they belong to the pinned release. The integrations a test
instance loads are the bootstrap's default set, the ones `harness/home_assistant.py`
configures and this integration's dependencies, with their dependencies; their
manifests name the exact packages this release wants.

Run inside the environment that has the newest `homeassistant` installed:
`python -m harness.newest` prints one requirement a line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from homeassistant import bootstrap
from homeassistant.const import __version__ as ha_version

REPO = Path(__file__).resolve().parents[1]
COMPONENTS = Path(bootstrap.__file__).parent / "components"
# What harness/home_assistant.py writes into configuration.yaml besides the defaults.
CONFIGURED = {"config", "frontend", "history", "logbook", "recorder", "logger", "mqtt"}
# Python >= 3.14 has no wheels for some voice libraries at the versions Home Assistant
# pins; their newer releases (abi3 wheels) import the same names. Pins here win.
OVERRIDES_FILE = REPO / "requirements_test.txt"
OVERRIDDEN = {"pymicro-vad", "pyspeex-noise"}


def _manifest(domain: str) -> dict[str, object] | None:
    path = COMPONENTS / domain / "manifest.json"
    if not path.is_file():
        return None
    result: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return result


def loaded_domains() -> set[str]:
    """Every integration a test instance sets up, with its dependencies."""
    own = json.loads(
        (REPO / "custom_components/face_terminal/manifest.json").read_text(encoding="utf-8")
    )
    todo = {
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS,
        *bootstrap.FRONTEND_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        *CONFIGURED,
        *own.get("dependencies", []),
        *own.get("after_dependencies", []),
    }
    seen: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen or (manifest := _manifest(domain)) is None:
            continue
        seen.add(domain)
        for key in ("dependencies", "after_dependencies"):
            deps = manifest.get(key, [])
            assert isinstance(deps, list)
            todo.update(str(dep) for dep in deps)
    return seen


def _name(requirement: str) -> str:
    for separator in ("==", ">=", "<=", "~=", "[", ";", " "):
        requirement = requirement.split(separator, 1)[0]
    return requirement.strip().lower().replace("_", "-")


def requirements() -> list[str]:
    """Pinned requirements of the loaded integrations (project pins for the overrides)."""
    pins = {
        _name(line): line.strip()
        for line in OVERRIDES_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    result: dict[str, str] = {}
    for domain in sorted(loaded_domains()):
        manifest = _manifest(domain)
        assert manifest is not None
        reqs = manifest.get("requirements", [])
        assert isinstance(reqs, list)
        for requirement in reqs:
            name = _name(str(requirement))
            result[name] = pins[name] if name in OVERRIDDEN else str(requirement)
    return sorted(result.values())


def main() -> None:
    """Print the requirements, one a line; `--version` prints Home Assistant's version."""
    if sys.argv[1:] == ["--version"]:
        print(ha_version)
        return
    print("\n".join(requirements()))


if __name__ == "__main__":
    main()
